"""Signals scoring sends to the rooms above it (DESIGN.md: a lower room never imports upward).

``standings_changed`` is sent after commit, once per committed change to an event's
marks or scheme, with ``event_id`` and the new standings ``version``. It is sent with
``send_robust``: a receiver that fails is logged and skipped, because a mark the judge
has been told is saved must never turn into an error when a broadcast fails.
"""

from django.db import transaction
from django.dispatch import Signal

standings_changed = Signal()


def send_standings_changed(event_id: int, version: int) -> None:
    """Send ``standings_changed`` now; Django logs a receiver's error (``django.dispatch``) and goes on."""
    standings_changed.send_robust(sender=None, event_id=event_id, version=version)


def standings_changed_on_commit(event_id: int, version: int) -> None:
    """Send ``standings_changed`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send_standings_changed(event_id, version))


# Sent after commit when the chief judge decodes a blind event (解密): names appear everywhere
# at once, so the rooms above re-broadcast full boards. ``event_id`` only.
event_decoded = Signal()


def event_decoded_on_commit(event_id: int) -> None:
    """Send ``event_decoded`` once the current transaction commits (robustly: a failing receiver is logged)."""
    transaction.on_commit(lambda: event_decoded.send_robust(sender=None, event_id=event_id))
