"""``/accounts/login/`` with the judging login form; the other auth views stay Django's."""

from django.urls import path

from judging.auth import LoginView

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
]
