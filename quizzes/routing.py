"""WebSocket routes of the online contests, under /ws/quiz/."""

from django.urls import path

from quizzes import consumers

websocket_urlpatterns = [
    path("ws/quiz/rounds/<int:round_id>/dashboard/", consumers.DashboardConsumer.as_asgi()),
]
