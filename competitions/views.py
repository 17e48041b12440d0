"""Public pages: the competition list and one competition.

Only public data is shown — never a contestant's phone or ID number. An event's
page shows its marking scheme, so it lives in ``live.pages``, a room allowed to
import scoring; it keeps judging blind there (see that module).

A non-public competition is a 404 unless the user has a role in it, exactly as
``competitions_visible_to`` decides. Counts are annotated with subqueries, so a
page costs a fixed number of queries however many competitions it lists.
"""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render

from competitions.models import Contestant, Entry, Event, Organisation, Team
from competitions.selectors import competitions_visible_to, roles_of


def _count(queryset, link: str):
    """A correlated ``COUNT(*)`` of ``queryset`` rows whose ``link`` is the outer row."""
    counted = queryset.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _visible_competitions(user):
    return (
        competitions_visible_to(user)
        .select_related("host")
        .annotate(
            event_count=_count(Event.objects.all(), "competition"),
            team_count=_count(Team.objects.all(), "competition"),
            contestant_count=_count(Contestant.objects.all(), "competition"),
        )
    )


def home(request):
    competitions = _visible_competitions(request.user).order_by("-year", "starts_on", "title")
    return render(request, "competitions/home.html", {"competitions": competitions})


def competition_detail(request, slug):
    competition = get_object_or_404(_visible_competitions(request.user), slug=slug)
    events = competition.events.annotate(entry_count=_count(Entry.objects.all(), "event"))
    units = (
        Organisation.objects.filter(Q(teams__competition=competition) | Q(contestants__competition=competition))
        .distinct()
        .annotate(
            contestant_count=_count(Contestant.objects.filter(competition=competition), "organisation"),
        )
        .prefetch_related(
            Prefetch("teams", queryset=Team.objects.filter(competition=competition), to_attr="unit_teams")
        )
        .order_by("pk")  # registration order: a federation lists its districts in its own order
    )
    return render(
        request,
        "competitions/competition_detail.html",
        {
            "competition": competition,
            "events": events,
            "units": units,
            "can_manage": roles_of(request.user).manages(competition.pk),
        },
    )
