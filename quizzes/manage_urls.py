from django.urls import path

from quizzes import views_manage

urlpatterns = [
    path("competitions/<int:pk>/", views_manage.bank_page, name="quiz-manage-bank"),
    path("competitions/<int:pk>/bank/upload/", views_manage.bank_upload, name="quiz-manage-bank-upload"),
    path("competitions/<int:pk>/bank/commit/", views_manage.bank_commit, name="quiz-manage-bank-commit"),
    path("competitions/<int:pk>/bank/export/", views_manage.bank_export, name="quiz-manage-bank-export"),
    path("competitions/<int:pk>/questions/new/", views_manage.question_edit, name="quiz-manage-question-new"),
    path(
        "competitions/<int:pk>/questions/<int:question_id>/",
        views_manage.question_edit,
        name="quiz-manage-question",
    ),
    path("competitions/<int:pk>/rounds/new/", views_manage.round_edit, name="quiz-manage-round-new"),
    path("competitions/<int:pk>/rounds/<int:round_id>/", views_manage.round_edit, name="quiz-manage-round"),
    path("competitions/<int:pk>/headcounts/", views_manage.headcounts, name="quiz-manage-headcounts"),
    path("rounds/<int:round_id>/", views_manage.round_results, name="quiz-manage-results"),
    path("rounds/<int:round_id>/dashboard/", views_manage.round_dashboard, name="quiz-manage-dashboard"),
    path("rounds/<int:round_id>/export/", views_manage.results_xlsx, name="quiz-manage-export"),
    path("rounds/<int:round_id>/prize-draw/", views_manage.prize_draw, name="quiz-manage-prize-draw"),
    path("attempts/<int:attempt_id>/review/", views_manage.attempt_review, name="quiz-manage-review"),
]
