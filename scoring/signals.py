"""Signals scoring sends to the rooms above it (DESIGN.md: a lower room never imports upward).

``standings_changed`` is sent after commit, once per committed change to an event's
marks or scheme, with ``event_id`` and the new standings ``version``. It is sent with
``send_robust``: a receiver that fails is logged and skipped, because a mark the judge
has been told is saved must never turn into an error when a broadcast fails.
"""

from django.db import transaction
from django.dispatch import Signal

from competitions.signals import first_answer

standings_changed = Signal()

# Sent after commit once an event is decoded (解密), with ``event_id``: every screen must show
# names from that moment. ``competitions.services.event_decode`` does not send it (it cannot
# reach the rooms above); whoever decodes (``results_decode``) calls ``event_decoded_on_commit``.
event_decoded = Signal()

# What a judge's tablet must learn at once (judging pushes it on the judge's socket). Each is sent
# after commit, robustly, with ids only (the receivers look up codes):
# - ``sheet_changed``: a sheet moved (submit, lock, unlock, publish), with ``event_id``, ``entry_id``,
#   ``judge_id``, ``state`` and ``reason``;
# - ``marks_changed``: a mark batch changed a judge's marks, with ``event_id``, ``judge_id``,
#   ``actor_id`` (a chief judge's correction when it is not the judge), ``mark_ids`` and ``reason``;
# - ``scheme_changed``: an event's marking scheme was saved, revised or deleted, with ``event_id``.
sheet_changed = Signal()
marks_changed = Signal()
scheme_changed = Signal()

# Asked (not after commit: a question, answered at once) for an event's award rows by
# ``scoring.selectors.event_award_rows``. A room above that ranks an event by other means
# than marks (``matches``: head-to-head placings) answers with the rows for its events, in
# the same shape, and ``None`` for the rest. So certificates get placings without importing
# a sibling room.
award_rows_requested = Signal()


def award_rows_from_rooms_above(event) -> list[dict] | None:
    """The first non-None answer to ``award_rows_requested`` for ``event``, or None."""
    return first_answer(award_rows_requested, sender=None, event=event)


def send_standings_changed(event_id: int, version: int) -> None:
    """Send ``standings_changed`` now; Django logs a receiver's error (``django.dispatch``) and goes on."""
    standings_changed.send_robust(sender=None, event_id=event_id, version=version)


def standings_changed_on_commit(event_id: int, version: int) -> None:
    """Send ``standings_changed`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send_standings_changed(event_id, version))


def send_event_decoded(event_id: int) -> None:
    """Send ``event_decoded`` now, robustly (a failing receiver is logged and skipped)."""
    event_decoded.send_robust(sender=None, event_id=event_id)


def event_decoded_on_commit(event_id: int) -> None:
    """Send ``event_decoded`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send_event_decoded(event_id))


def _on_commit_robust(signal: Signal, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send_robust(sender=None, **kwargs))


def sheet_changed_on_commit(*, event_id: int, entry_id: int, judge_id: int, state: str, reason: str) -> None:
    _on_commit_robust(
        sheet_changed, event_id=event_id, entry_id=entry_id, judge_id=judge_id, state=state, reason=reason
    )


def marks_changed_on_commit(*, event_id: int, judge_id: int, actor_id: int, mark_ids: list[int], reason: str) -> None:
    _on_commit_robust(
        marks_changed, event_id=event_id, judge_id=judge_id, actor_id=actor_id, mark_ids=mark_ids, reason=reason
    )


def scheme_changed_on_commit(*, event_id: int) -> None:
    _on_commit_robust(scheme_changed, event_id=event_id)
