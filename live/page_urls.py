from django.urls import path

from live import pages

urlpatterns = [
    path("competitions/<slug:slug>/events/<slug:code>/", pages.event_detail, name="event-detail"),
]
