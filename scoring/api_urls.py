from django.urls import path
from rest_framework.routers import SimpleRouter

from scoring import api, results_api

router = SimpleRouter()
router.register("schemes", api.SchemeViewSet, basename="scheme")

R = "events/<int:event_id>/results/"

urlpatterns = [
    *router.urls,
    path(R, results_api.ResultsStateView.as_view(), name="api-results"),
    path(R + "close-marking/", results_api.CloseMarkingView.as_view(), name="api-results-close-marking"),
    path(R + "review-sample/", results_api.DrawReviewView.as_view(), name="api-results-review-sample"),
    path(R + "review-items/", results_api.ReviewItemsView.as_view(), name="api-results-review-items"),
    path(
        R + "review-items/<int:item_id>/confirm/",
        results_api.ReviewConfirmView.as_view(),
        name="api-results-review-confirm",
    ),
    path(
        R + "review-items/<int:item_id>/correct/",
        results_api.ReviewCorrectView.as_view(),
        name="api-results-review-correct",
    ),
    path(R + "decode/", results_api.DecodeView.as_view(), name="api-results-decode"),
    path(R + "announce/", results_api.AnnounceView.as_view(), name="api-results-announce"),
    path(R + "reopen/", results_api.ReopenView.as_view(), name="api-results-reopen"),
    path(R + "finalise/", results_api.FinaliseView.as_view(), name="api-results-finalise"),
    path(R + "objections/", results_api.ObjectionsView.as_view(), name="api-results-objections"),
    path(R + "audit/", results_api.ResultsAuditView.as_view(), name="api-results-audit"),
    path(R + "notice/", results_api.NoticeView.as_view(), name="api-results-notice"),
    path("objections/<int:pk>/decide/", results_api.ObjectionDecideView.as_view(), name="api-objection-decide"),
    path("events/<int:event_id>/marks/", api.EventMarksView.as_view(), name="api-event-marks"),
    path("events/<int:event_id>/marks/import/", api.EventMarksImportView.as_view(), name="api-event-marks-import"),
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
    path("events/<int:event_id>/sheets/bulk/", api.EventSheetsBulkView.as_view(), name="api-event-sheets-bulk"),
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
