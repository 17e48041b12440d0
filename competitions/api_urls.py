from rest_framework.routers import DefaultRouter

from competitions import api

router = DefaultRouter()
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("competitions", api.CompetitionViewSet, basename="competition")
router.register("events", api.EventViewSet, basename="event")
router.register("teams", api.TeamViewSet, basename="team")
router.register("contestants", api.ContestantViewSet, basename="contestant")
router.register("entries", api.EntryViewSet, basename="entry")
router.register("judge-assignments", api.JudgeAssignmentViewSet, basename="judge-assignment")

urlpatterns = router.urls
