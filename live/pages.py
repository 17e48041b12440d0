"""The public page of one event: its entries and a summary of its marking scheme.

It lives in live, with the other public pages, because it shows the scheme and its
criteria: competitions must not import scoring, and scoring holds no HTTP pages.

The entry list keeps judging blind: the public sees names
and units but no codes or stations, a judge of the competition sees codes and
stations but no names, and only organisers see both (``Roles``). A contestant's
phone and ID number are never loaded. A non-public competition is a 404 unless the
user has a role in it (``competitions_visible_to``).
"""

from django.shortcuts import get_object_or_404, render

from competitions.models import Event
from competitions.selectors import competitions_visible_to, is_chief_judge, roles_of
from scoring.models import Criterion

PRIVATE_CONTESTANT_FIELDS = ("contestant__phone", "contestant__id_number")


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
        "live/event_detail.html",
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
