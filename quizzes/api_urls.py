from django.urls import path

from quizzes import api

urlpatterns = [
    path("quiz/rounds/<int:round_id>/sign-in/", api.SignInView.as_view(), name="api-quiz-sign-in"),
    path("quiz/rounds/<int:round_id>/units/", api.UnitsView.as_view(), name="api-quiz-units"),
    path("quiz/rounds/<int:round_id>/attempts/", api.StartView.as_view(), name="api-quiz-start"),
    path("quiz/rounds/<int:round_id>/me/", api.MeView.as_view(), name="api-quiz-me"),
    path("quiz/attempts/<int:attempt_id>/", api.AttemptView.as_view(), name="api-quiz-attempt"),
    path("quiz/attempts/<int:attempt_id>/answers/<int:position>/", api.AnswerView.as_view(), name="api-quiz-answer"),
    path("quiz/attempts/<int:attempt_id>/submit/", api.SubmitView.as_view(), name="api-quiz-submit"),
    path("quiz/attempts/<int:attempt_id>/review/", api.AttemptReviewView.as_view(), name="api-quiz-review"),
    path("quiz/rounds/<int:round_id>/dashboard/", api.DashboardView.as_view(), name="api-quiz-dashboard"),
    path("quiz/rounds/<int:round_id>/ranking/", api.RankingView.as_view(), name="api-quiz-ranking"),
    path("quiz/rounds/<int:round_id>/prize-draws/", api.PrizeDrawView.as_view(), name="api-quiz-prize-draws"),
]
