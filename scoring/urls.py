from django.urls import path

from scoring import pages

urlpatterns = [
    path("competitions/<slug:slug>/events/<slug:code>/", pages.event_detail, name="event-detail"),
]
