"""Broadcast after commit, through one helper.

``scoring.hooks.standings_changed(event_id, version)`` runs in ``transaction.on_commit``
after every mark change; ``LiveConfig.ready`` subscribes ``standings_changed`` below to it.
For each change the event's public board is computed ONCE, the message is serialised
ONCE, and one pre-encoded frame goes to each group. Consumers (or the process-local hub)
forward the text as it is, without decoding it.

A broadcast never raises: the mark is already stored, and a client that misses a
message sees the version gap (or its socket drop) and refetches over HTTP.
"""

import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from competitions.models import Event
from live import publication, selectors
from live.groups import COMPETITION, EVENT, MONITOR, group_name

logger = logging.getLogger(__name__)

# The channel-layer message type; consumers handle it in ``live_frame``.
FRAME = "live.frame"
_CACHE_TIMEOUT = 24 * 3600


def encode(message) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def publish(group: str, message) -> bool:
    """Serialise ``message`` once and send it to ``group``. False if the channel layer is unreachable."""
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(layer.group_send)(group, {"type": FRAME, "group": group, "text": encode(message)})
    except Exception:
        logger.exception("live: could not publish to %s; clients will catch up over HTTP", group)
        return False
    return True


def _remember_board(board) -> None:
    try:
        selectors.board_cache().set(selectors.board_cache_key(board["event"]), board, _CACHE_TIMEOUT)
    except Exception:
        logger.warning("live: board cache unreachable for event %s", board["event"])


def _overview_entry(event: Event, board) -> dict:
    return {"type": "overview.event", "competition": event.competition_id, **selectors.overview_entry(event, board)}


def _broadcast_event(event: Event, *, force_full: bool = False) -> None:
    board = selectors.event_public_board(event=event)
    previous = None if force_full else selectors.cached_board(event.pk)
    message = publication.board_delta(previous, board)
    if message is None:
        return
    if previous is None or board["version"] is None or (previous["version"] or 0) < board["version"]:
        _remember_board(board)
    publish(group_name(EVENT, event.pk), message)
    publish(group_name(COMPETITION, event.competition_id), _overview_entry(event, board))


def standings_changed(event_id: int, version: int | None = None) -> None:
    """The scoring hook: the event's marks changed and were committed (``version`` is the new standings version)."""
    try:
        event = Event.objects.select_related("competition").filter(pk=event_id).first()
        if event is None:
            return
        _broadcast_event(event)
        # The monitor refetches its (heavier) data over HTTP; the hint carries no scores.
        publish(group_name(MONITOR, event_id), {"type": "monitor.changed", "event": event_id, "version": version})
    except Exception:
        logger.exception("live: broadcast for event %s failed; clients will catch up over HTTP", event_id)


def board_changed(event_id: int) -> None:
    """A reveal step or a snapshot changed what the public sees, not the marks: send the whole board."""
    try:
        event = Event.objects.select_related("competition").get(pk=event_id)
        _broadcast_event(event, force_full=True)
    except Exception:
        logger.exception("live: board broadcast for event %s failed", event_id)


def policy_changed(competition_id: int) -> None:
    """The competition's publication policy changed: every event's board is sent whole."""
    for event in Event.objects.filter(competition_id=competition_id).select_related("competition"):
        try:
            _broadcast_event(event, force_full=True)  # a whole board replaces the cached one
        except Exception:
            logger.exception("live: board broadcast for event %s failed", event.pk)
