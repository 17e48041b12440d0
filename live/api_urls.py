from django.urls import path

from live import api

urlpatterns = [
    path(
        "competitions/<int:pk>/publication/",
        api.CompetitionPublicationView.as_view(),
        name="api-competition-publication",
    ),
    path("events/<int:pk>/publication/", api.EventPublicationView.as_view(), name="api-event-publication"),
]
