from django.urls import path

from matches import api

urlpatterns = [
    path("events/<int:pk>/matches/config/", api.MatchEventView.as_view(), name="api-matches-config"),
    path("events/<int:pk>/matches/draw/", api.EventDrawView.as_view(), name="api-matches-draw"),
    path("events/<int:pk>/matches/", api.EventMatchesView.as_view(), name="api-matches"),
    path("events/<int:pk>/matches/bracket/", api.EventBracketView.as_view(), name="api-matches-bracket"),
    path("events/<int:pk>/matches/public/", api.PublicBracketView.as_view(), name="api-matches-public"),
    path("events/<int:pk>/matches/placings/", api.PlacingsView.as_view(), name="api-matches-placings"),
    path("matches/<int:pk>/ends/", api.EndView.as_view(), name="api-match-ends"),
    path("matches/<int:pk>/confirm/", api.ConfirmView.as_view(), name="api-match-confirm"),
    path("matches/<int:pk>/walkover/", api.WalkoverView.as_view(), name="api-match-walkover"),
    path("matches/<int:pk>/correct/", api.CorrectView.as_view(), name="api-match-correct"),
    path("matches/<int:pk>/schedule/", api.ScheduleView.as_view(), name="api-match-schedule"),
    path("matches/<int:pk>/audit/", api.AuditView.as_view(), name="api-match-audit"),
    path("entries/<int:pk>/roster/", api.RosterView.as_view(), name="api-entry-roster"),
    path("entries/<int:pk>/weigh-in/", api.WeighInView.as_view(), name="api-entry-weigh-in"),
]
