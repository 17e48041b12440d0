from django.urls import path

from competitions import views

urlpatterns = [
    path("", views.home, name="home"),
    path("competitions/<slug:slug>/", views.competition_detail, name="competition-detail"),
]
