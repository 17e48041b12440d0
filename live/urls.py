from django.urls import path

from live import views

app_name = "live"

urlpatterns = [
    path("events/<int:event_id>/", views.board, name="board"),
    path("events/<int:event_id>/phone/", views.phone, name="phone"),
    path("events/<int:event_id>/standings.json", views.standings_data, name="standings"),
    path("events/<int:event_id>/monitor/", views.monitor, name="monitor"),
    path("events/<int:event_id>/monitor.json", views.monitor_data, name="monitor-data"),
    path("events/<int:event_id>/publication/", views.publication_set, name="publication"),
    path("events/<int:event_id>/event-publication/", views.event_publication_set, name="event-publication"),
    path("events/<int:event_id>/reveal/", views.reveal_next, name="reveal"),
    path("competitions/<int:competition_id>/", views.overview, name="overview"),
    path("competitions/<int:competition_id>/overview.json", views.overview_data, name="overview-data"),
]
