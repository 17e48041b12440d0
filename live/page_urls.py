from django.urls import path

from live import pages

urlpatterns = [
    path("competitions/<slug:slug>/events/<slug:code>/", pages.event_detail, name="event-detail"),
    path("competitions/<slug:slug>/events/<slug:code>/notice/", pages.results_notice, name="event-notice"),
    path("manage/events/<int:event_id>/results/", pages.results_manage, name="manage-event-results"),
]
