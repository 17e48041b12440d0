"""Scoring's answers to the signals of the rooms below it (connected in ``ScoringConfig.ready``).

Competitions cannot import scoring, so it asks through ``competitions.signals`` and scoring
answers here; the dependency keeps pointing down.
"""

from django.dispatch import receiver

from competitions.signals import entries_delete_requested, redraw_requested
from config.errors import error
from scoring.models import Mark


@receiver(redraw_requested, dispatch_uid="scoring.refuse_redraw_once_marked")
def refuse_redraw_once_marked(sender, *, event, kind, **kwargs) -> None:
    """Veto a redraw once the event has marks: judges have scored under the drawn codes (409 ``scoring_started``)."""
    if Mark.objects.filter(entry__event=event).exists():
        raise error("scoring_started")


@receiver(entries_delete_requested, dispatch_uid="scoring.refuse_deleting_marked_entries")
def refuse_deleting_marked_entries(sender, *, entry_ids, **kwargs) -> None:
    """Veto deleting entries that have marks: the marks and their history would go (409 ``entries_have_marks``)."""
    if Mark.objects.filter(entry_id__in=entry_ids).exists():
        raise error("entries_have_marks")
