from django.urls import path

from matches import views

app_name = "matches"
urlpatterns = [
    path("events/<int:event_id>/", views.bracket_page, name="bracket"),
]
