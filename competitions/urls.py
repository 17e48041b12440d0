from django.urls import path

from competitions import views

urlpatterns = [
    path("", views.home, name="home"),
]
