"""Answers the lower rooms' questions: a head-to-head event's award rows come from its placings."""

from django.dispatch import receiver

from competitions.models import Entry
from matches.models import MatchEvent
from matches.selectors import event_placings
from scoring.signals import award_rows_requested


@receiver(award_rows_requested, dispatch_uid="matches.award_rows")
def award_rows(sender, event, **kwargs):
    """``event_award_rows`` for a head-to-head event: placed teams first (rank = place), then the rest."""
    if not MatchEvent.objects.filter(event=event).exists():
        return None
    placed = {row["entry"]: row for row in event_placings(event)}
    entries = Entry.objects.filter(event=event).select_related(
        "contestant__organisation", "team__organisation", "event__competition"
    )
    rows = [
        {
            "entry": e,
            "rank": placed[e.pk]["place"] if e.pk in placed else None,
            "award": placed[e.pk]["award"] if e.pk in placed else None,
            "total": None,
        }
        for e in entries
    ]
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["entry"].pk))
