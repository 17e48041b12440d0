from django.urls import path

from competitions import api_draw

urlpatterns = [
    path("events/<int:pk>/draw/", api_draw.EventDrawView.as_view(), name="api-event-draw"),
    path("events/<int:pk>/draws/", api_draw.EventDrawListView.as_view(), name="api-event-draws"),
    path("draws/<int:pk>/replay/", api_draw.DrawReplayView.as_view(), name="api-draw-replay"),
    path("competitions/<int:pk>/import/", api_draw.CompetitionImportView.as_view(), name="api-competition-import"),
    path("competitions/<int:pk>/export/", api_draw.CompetitionExportView.as_view(), name="api-competition-export"),
]
