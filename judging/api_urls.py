from django.urls import path

from judging import api

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-auth-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("competitions/<int:pk>/judges/", api.CompetitionJudgesView.as_view(), name="api-competition-judges"),
]
