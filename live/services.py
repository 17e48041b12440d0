"""Writes of the live board: the organiser's publication controls.

Both services lock the competition row (``select_for_update``) so two organisers
clicking at once are serialised, and broadcast only after commit.
"""

from django.db import transaction
from django.utils import timezone

from competitions.access import require_organiser
from competitions.models import Competition, Event
from config.errors import error
from live import board
from live.models import FrozenBoard, RevealProgress

Publication = Competition.Publication


@transaction.atomic
def publication_set(*, actor, competition: Competition, policy: str) -> Competition:
    """Switch the competition's publication policy.

    Freezing takes a snapshot of every event's current rows (the frozen board);
    leaving the frozen mode drops the snapshots; entering reveal starts every event
    at zero revealed places. Every screen gets the new board after commit.
    """
    require_organiser(actor, competition)
    if policy not in Publication.values:
        raise error("invalid_policy", field="policy")
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    events = list(Event.objects.filter(competition=competition).select_related("competition"))
    if policy == Publication.FROZEN and competition.publication != Publication.FROZEN:
        now = timezone.now()
        competition.frozen_at = now
        for event in events:
            version, rows = board.event_rows(event=event)
            FrozenBoard.objects.update_or_create(
                event=event, defaults={"version": version, "rows": rows, "frozen_at": now}
            )
    elif policy != Publication.FROZEN:
        FrozenBoard.objects.filter(event__competition=competition).delete()
    if policy == Publication.REVEAL:
        for event in events:
            RevealProgress.objects.update_or_create(event=event, defaults={"revealed": 0})
    competition.publication = policy
    competition.save(update_fields=["publication", "frozen_at"])
    transaction.on_commit(lambda: board.policy_changed(competition.pk))
    return competition


@transaction.atomic
def reveal_next(*, actor, event: Event) -> RevealProgress:
    """Reveal one more place of the event, counting from last place. One click, one place."""
    require_organiser(actor, event.competition)
    competition = Competition.objects.select_for_update().get(pk=event.competition_id)
    if competition.publication != Publication.REVEAL:
        raise error("not_reveal_mode")
    progress, _created = RevealProgress.objects.select_for_update().get_or_create(event=event)
    _version, rows = board.event_rows(event=event)
    if progress.revealed >= len(rows):
        raise error("reveal_finished")
    progress.revealed += 1
    progress.save(update_fields=["revealed", "updated_at"])
    transaction.on_commit(lambda: board.board_changed(event.pk))
    return progress
