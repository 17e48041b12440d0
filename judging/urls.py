from django.urls import path

from scoring import tablet_views

app_name = "tablet"

urlpatterns = [
    path("", tablet_views.home, name="home"),
    path("events/<int:event_id>/entries/<int:entry_id>/", tablet_views.sheet, name="sheet"),
    path("events/<int:event_id>/chief/", tablet_views.chief, name="chief"),
    path("login/<str:token>/", tablet_views.code_login, name="code-login"),
    path("sw.js", tablet_views.service_worker, name="sw"),
    path("manifest.webmanifest", tablet_views.manifest, name="manifest"),
]
