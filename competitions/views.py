"""Public pages: the competition list, one competition, one event.

Only public data is shown — never a contestant's phone or ID number (the
queries do not even load them). Entry lists keep judging blind: the public sees
names and units but no codes or stations, a judge of the competition sees codes
and stations but no names, and only organisers see both (``Roles``), so nobody
outside the organisers can pair a code with a name.

A non-public competition is a 404 unless the user has a role in it, exactly as
``competitions_visible_to`` decides. Counts are annotated with subqueries, so a
page costs a fixed number of queries however many competitions it lists.
"""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render

from competitions.models import Contestant, Entry, Event, Organisation, Team
from competitions.selectors import competitions_visible_to, is_chief_judge, roles_of
from scoring.models import Criterion

PRIVATE_CONTESTANT_FIELDS = ("contestant__phone", "contestant__id_number")


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


def event_detail(request, slug, code):
    competition = get_object_or_404(competitions_visible_to(request.user).select_related("host"), slug=slug)
    event = get_object_or_404(Event.objects.select_related("scheme"), competition=competition, code=code)
    roles = roles_of(request.user)
    show_names = not roles.judges_blind(competition.pk)
    show_codes = roles.manages(competition.pk) or not show_names
    entries = event.entries.select_related("contestant__organisation", "team__organisation").defer(
        *PRIVATE_CONTESTANT_FIELDS
    )
    if show_codes:
        entries = entries.order_by("start_order", "station", "code", "id")
    else:
        # Not in draw order: the row order must not give the start order away.
        entries = entries.order_by("contestant__organisation", "team__organisation", "contestant__name", "team__name")
    scheme = getattr(event, "scheme", None)
    criteria = (
        Criterion.objects.filter(scheme=scheme).order_by("position", "id") if scheme else Criterion.objects.none()
    )
    return render(
        request,
        "competitions/event_detail.html",
        {
            "competition": competition,
            "event": event,
            "entries": entries,
            "show_codes": show_codes,
            "show_names": show_names,
            "scheme": scheme,
            "criteria": criteria,
            "can_manage": roles.manages(competition.pk),
            "can_chief": is_chief_judge(request.user, event),
        },
    )
