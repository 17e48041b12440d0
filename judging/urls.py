from django.urls import path

from judging import views

app_name = "tablet"

urlpatterns = [
    path("", views.home, name="home"),
    # Blind marking: a sheet's URL names the entry by its code (参赛号), never by id.
    path("events/<int:event_id>/entries/<str:code>/", views.sheet, name="sheet"),
    path("events/<int:event_id>/offline.json", views.offline_bundle, name="offline-bundle"),
    path("events/<int:event_id>/chief/", views.chief, name="chief"),
    path("events/<int:event_id>/chief/results/", views.chief_results, name="chief-results"),
    path("events/<int:event_id>/chief/lock/", views.chief_lock, name="chief-lock"),
    path("events/<int:event_id>/chief/sheets/<str:code>/<int:judge_id>/", views.chief_sheet, name="chief-sheet"),
    path("login/<str:token>/", views.code_login, name="code-login"),
    path("sw.js", views.service_worker, name="sw"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
