"""``/console/<competition>/events/<event>/scheme/``: the marking-scheme builder."""

from django.urls import path

from scoring import views_console

urlpatterns = [
    path("<int:pk>/events/<int:event_pk>/scheme/", views_console.scheme_builder, name="console-scheme"),
]
