"""``/accounts/login/`` with the judging login form; the other auth views stay Django's."""

from django.contrib.auth import views as auth_views
from django.urls import path

from judging.auth import LoginForm

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
]
