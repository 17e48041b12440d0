from django.shortcuts import render

from competitions.models import Competition


def home(request):
    competitions = Competition.objects.filter(is_public=True).select_related("host")
    return render(request, "competitions/home.html", {"competitions": competitions})
