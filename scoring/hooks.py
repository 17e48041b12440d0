"""A tiny after-commit notification registry for standings changes.

``services`` call ``standings_changed(event_id, version)`` from
``transaction.on_commit`` once a mark change is durable. Subscribers (the live
board) register with ``subscribe``. A subscriber that fails is logged and
skipped: a mark the judge has been told is saved must never be lost, or turned
into an error, because a broadcast failed.
"""

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

StandingsCallback = Callable[[int, int], object]

_subscribers: list[StandingsCallback] = []


def subscribe(callback: StandingsCallback) -> StandingsCallback:
    """Register ``callback(event_id, version)``; idempotent. Usable as a decorator."""
    if callback not in _subscribers:
        _subscribers.append(callback)
    return callback


def unsubscribe(callback: StandingsCallback) -> None:
    if callback in _subscribers:
        _subscribers.remove(callback)


def subscribers() -> tuple[StandingsCallback, ...]:
    return tuple(_subscribers)


def standings_changed(event_id: int, version: int) -> None:
    """Tell every subscriber that ``event_id`` now has standings ``version``."""
    for callback in tuple(_subscribers):
        try:
            callback(event_id, version)
        except Exception:
            logger.exception("standings_changed subscriber %r failed for event %s v%s", callback, event_id, version)
