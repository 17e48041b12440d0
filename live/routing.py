"""WebSocket routes, all under /ws/."""

from django.urls import path

from live import consumers

websocket_urlpatterns = [
    path("ws/events/<int:event_id>/", consumers.LeaderboardConsumer.as_asgi()),
    path("ws/events/<int:event_id>/monitor/", consumers.MonitorConsumer.as_asgi()),
    path("ws/competitions/<int:competition_id>/", consumers.CompetitionConsumer.as_asgi()),
]
