"""The judge's WebSocket route (under /ws/, beside live's)."""

from django.urls import path

from judging import consumers

websocket_urlpatterns = [
    path("ws/judge/events/<int:event_id>/", consumers.JudgeConsumer.as_asgi()),
]
