from django.urls import path
from rest_framework.routers import DefaultRouter

from competitions import api, api_draws, api_roster

router = DefaultRouter()
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("competitions", api.CompetitionViewSet, basename="competition")
router.register("events", api.EventViewSet, basename="event")
router.register("teams", api.TeamViewSet, basename="team")
router.register("contestants", api.ContestantViewSet, basename="contestant")
router.register("entries", api.EntryViewSet, basename="entry")
router.register("judge-assignments", api.JudgeAssignmentViewSet, basename="judge-assignment")

urlpatterns = [
    *router.urls,
    path("events/<int:pk>/draw/", api_draws.EventDrawView.as_view(), name="api-event-draw"),
    path("events/<int:pk>/draws/", api_draws.EventDrawListView.as_view(), name="api-event-draws"),
    path("draws/<int:pk>/replay/", api_draws.DrawReplayView.as_view(), name="api-draw-replay"),
    path("competitions/<int:pk>/import/", api_roster.CompetitionImportView.as_view(), name="api-competition-import"),
    path("competitions/<int:pk>/export/", api_roster.CompetitionExportView.as_view(), name="api-competition-export"),
]
