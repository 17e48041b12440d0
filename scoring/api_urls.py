from django.urls import path
from rest_framework.routers import SimpleRouter

from scoring import api

router = SimpleRouter()
router.register("schemes", api.SchemeViewSet, basename="scheme")

urlpatterns = [
    *router.urls,
    path("events/<int:event_id>/marks/", api.EventMarksView.as_view(), name="api-event-marks"),
    path("events/<int:event_id>/sheets/", api.EventSheetsView.as_view(), name="api-event-sheets"),
    path(
        "events/<int:event_id>/declared-attempts/",
        api.EventDeclaredAttemptsView.as_view(),
        name="api-event-declared-attempts",
    ),
    path(
        "events/<int:event_id>/declared-attempts/import/",
        api.EventDeclaredAttemptsImportView.as_view(),
        name="api-event-declared-attempts-import",
    ),
    path("events/<int:event_id>/sheets/submit/", api.SheetSubmitView.as_view(), name="api-event-sheet-submit"),
    path("sheets/<int:pk>/lock/", api.SheetLockView.as_view(), name="api-sheet-lock"),
    path("sheets/<int:pk>/unlock/", api.SheetUnlockView.as_view(), name="api-sheet-unlock"),
    path("sheets/<int:pk>/publish/", api.SheetPublishView.as_view(), name="api-sheet-publish"),
    path("events/<int:event_id>/appeals/", api.EventAppealsView.as_view(), name="api-event-appeals"),
    path("appeals/<int:pk>/decide/", api.AppealDecideView.as_view(), name="api-appeal-decide"),
    path("events/<int:event_id>/standings/", api.EventStandingsView.as_view(), name="api-event-standings"),
    path(
        "events/<int:event_id>/team-standings/", api.EventTeamStandingsView.as_view(), name="api-event-team-standings"
    ),
    path("events/<int:event_id>/progress/", api.EventProgressView.as_view(), name="api-event-progress"),
    path(
        "events/<int:event_id>/variance-alerts/",
        api.EventVarianceAlertsView.as_view(),
        name="api-event-variance-alerts",
    ),
    path(
        "competitions/<int:competition_id>/organisation-awards/",
        api.OrganisationAwardsView.as_view(),
        name="api-competition-organisation-awards",
    ),
]
