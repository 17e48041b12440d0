from csp.decorators import csp_update
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from certificates.views_manage import certificates_manage

# The interactive API docs load Swagger UI from its CDN; their init script is a separate request
# (the split view), so only the CDN and Swagger's own inline <style> are added to the policy, here alone.
SWAGGER_CDN = "https://cdn.jsdelivr.net"
api_docs = csp_update(
    {"script-src": [SWAGGER_CDN], "style-src": [SWAGGER_CDN, "'unsafe-inline'"], "img-src": [SWAGGER_CDN]}
)(SpectacularSwaggerSplitView.as_view(url_name="schema"))

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("judging.account_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("competitions.api_urls")),
    path("api/v1/", include("scoring.api_urls")),
    path("api/v1/", include("certificates.api_urls")),
    path("api/v1/", include("live.api_urls")),
    path("api/v1/", include("judging.api_urls")),
    path("api/v1/", include("quizzes.api_urls")),
    path("api/v1/", include("matches.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("manage/", include("competitions.manage_urls")),
    # The organiser console: each room routes its own pages under one prefix (judges, schemes, the rest).
    path("console/", include("judging.console_urls")),
    path("console/", include("scoring.console_urls")),
    path("console/", include("competitions.console_urls")),
    path("manage/competitions/<int:pk>/certificates/", certificates_manage, name="manage-certificates"),
    path("live/", include("live.urls")),
    path("judge/", include("judging.urls")),
    path("matches/", include("matches.urls")),
    path("quiz/", include("quizzes.urls")),
    path("manage/quiz/", include("quizzes.manage_urls")),
    path("", include("certificates.urls")),
    path("", include("live.page_urls")),
    path("", include("competitions.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# An exhausted database pool answers 503 with Retry-After rather than 500 (config.errors.server_error).
handler500 = "config.errors.server_error"
