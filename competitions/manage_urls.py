from django.urls import path

from competitions import views_manage

urlpatterns = [
    path("competitions/<int:pk>/import/", views_manage.import_upload, name="manage-import"),
    path("competitions/<int:pk>/import/commit/", views_manage.import_commit, name="manage-import-commit"),
    path("competitions/<int:pk>/import/template.xlsx", views_manage.import_template, name="manage-import-template"),
    path("competitions/<int:pk>/export.xlsx", views_manage.export_xlsx, name="manage-export"),
    path("events/<int:pk>/draw/", views_manage.event_draw, name="manage-event-draw"),
]
