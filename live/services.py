"""Writes of the live board: the publication controls.

The organiser sets the competition's policy (``publication_set``), which every event follows;
an event's chief judge may set their own event's policy over it (``event_publication_set``:
freeze it, hide it, run its award ceremony, or follow the competition again) and reveal its
places (``reveal_next``). Organisers count as chief judges. The chief judge may not make an
event more public than the organiser chose (``live`` over a frozen or hidden competition
needs the organiser); the ceremony is theirs to run.

Every service locks the competition row (``select_for_update``), so two people clicking at
once are serialised, and broadcasts only after commit.
"""

from django.db import transaction
from django.utils import timezone

from competitions.access import require_chief_judge, require_organiser
from competitions.models import Competition, Event
from config.errors import error
from live import board, publication
from live.models import FrozenBoard, RevealProgress

Publication = Competition.Publication


def _enter_policy(event: Event, *, old: str, new: str, now) -> None:
    """The per-event state of an event whose policy goes from ``old`` to ``new``.

    Freezing takes a snapshot of the event's current rows (kept if it was frozen already);
    leaving the frozen mode drops it; choosing reveal starts the ceremony at nothing shown.
    """
    if new == Publication.FROZEN and old != Publication.FROZEN:
        version, rows = board.event_rows(event=event)
        FrozenBoard.objects.update_or_create(event=event, defaults={"version": version, "rows": rows, "frozen_at": now})
    elif new != Publication.FROZEN:
        FrozenBoard.objects.filter(event=event).delete()
    if new == Publication.REVEAL:
        RevealProgress.objects.update_or_create(event=event, defaults={"revealed": 0})


@transaction.atomic
def publication_set(*, actor, competition: Competition, policy: str) -> Competition:
    """Switch the competition's publication policy, for every event (their own policies are cleared).

    Every screen gets the new board after commit.
    """
    require_organiser(actor, competition)
    if policy not in Publication.values:
        raise error("invalid_policy", field="policy")
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    now = timezone.now()
    for event in Event.objects.filter(competition=competition).select_related("competition"):
        _enter_policy(event, old=event.publication_policy, new=policy, now=now)
    Event.objects.filter(competition=competition).exclude(publication="").update(publication="")
    if policy == Publication.FROZEN and competition.publication != Publication.FROZEN:
        competition.frozen_at = now
    competition.publication = policy
    competition.save(update_fields=["publication", "frozen_at"])
    transaction.on_commit(lambda: board.policy_changed(competition.pk))
    return competition


@transaction.atomic
def event_publication_set(*, actor, event: Event, policy: str) -> Event:
    """Set one event's own policy (``""``: follow the competition). Chief judge of the event, or organiser.

    ``live`` over a competition that is not live needs the organiser (403 ``not_organiser``).
    The event's screens get the new board after commit.
    """
    require_chief_judge(actor, event)
    if policy not in ("", *Publication.values):
        raise error("invalid_policy", field="policy")
    competition = Competition.objects.select_for_update().get(pk=event.competition_id)
    if policy == Publication.LIVE and competition.publication != Publication.LIVE:
        require_organiser(actor, competition)
    event = Event.objects.select_related("competition").get(pk=event.pk)
    old = event.publication_policy
    event.publication = "" if policy == competition.publication else policy
    _enter_policy(event, old=old, new=event.publication_policy, now=timezone.now())
    event.save(update_fields=["publication"])
    event_id = event.pk
    transaction.on_commit(lambda: board.board_changed(event_id))
    return event


@transaction.atomic
def reveal_next(*, actor, event: Event) -> RevealProgress:
    """Take the ceremony's next step (``publication.reveal_steps``): one name, or the places without award."""
    require_chief_judge(actor, event)
    Competition.objects.select_for_update().get(pk=event.competition_id)
    event = Event.objects.select_related("competition").get(pk=event.pk)
    if event.publication_policy != Publication.REVEAL:
        raise error("not_reveal_mode")
    progress, _created = RevealProgress.objects.select_for_update().get_or_create(event=event)
    _version, rows = board.event_rows(event=event)
    if progress.revealed >= len(publication.reveal_steps(rows)):
        raise error("reveal_finished")
    progress.revealed += 1
    progress.save(update_fields=["revealed", "updated_at"])
    transaction.on_commit(lambda: board.board_changed(event.pk))
    return progress
