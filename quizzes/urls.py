from django.urls import path

from quizzes import views

urlpatterns = [
    path("<int:round_id>/", views.take, name="quiz-take"),
    path("draws/<int:pk>/", views.prize_draw_replay, name="quiz-draw-replay"),
]
