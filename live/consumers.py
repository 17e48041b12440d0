"""WebSocket consumers: authorise in ``connect``, then only forward pre-encoded frames.

Every socket here is read-only. A client message gets an error frame and changes
nothing; a client sending more than ``WS_MAX_MESSAGES_PER_SECOND`` in a second is closed
with ``CLOSE_TOO_MANY_MESSAGES`` (no reason to keep serving a client that floods). Frames
come from the process-local hub (``live.hub``).

Whether the public may watch an event (or a competition) is remembered per process
for ``PUBLIC_TTL_S``. After a server restart every screen reconnects within seconds;
asking the database for each socket cost a new database connection per socket, on the
one thread the sync ORM runs on, and pushed handshakes past Daphne's 5 s connect timeout,
so the storm fed itself. Signed-in users are always checked against the database.
"""

import asyncio
import json
import logging
import time

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from competitions.models import Event
from live import selectors
from live.board import current_board
from live.groups import COMPETITION, EVENT, MONITOR, group_name
from live.hub import get_hub

# Close codes sent before accept make Daphne refuse the handshake (HTTP 403).
CLOSE_FORBIDDEN = 4403
CLOSE_UNAVAILABLE = 4503
CLOSE_TOO_MANY_MESSAGES = 4429
READ_ONLY_ERROR = json.dumps({"type": "error", "code": "read_only", "detail": "This socket is read-only."})
# A layer alias that is never configured: hub sockets need no channel of their own.
_NO_LAYER = "live-hub-sockets-have-no-channel"
logger = logging.getLogger(__name__)
PUBLIC_TTL_S = 10.0
_public: dict[tuple[str, int], tuple[float, object]] = {}
_asking: dict[tuple[str, int], asyncio.Task] = {}


async def _visible(scope_name: str, object_id: int, user, lookup, *, fresh: bool = False):
    """``lookup(user=user, <scope>_id=object_id)`` in a worker thread, remembered for anonymous users.

    Anonymous sockets that arrive while a lookup is under way wait for that one (a storm
    arrives all at once, before any answer is remembered). ``fresh`` asks the database
    again whatever is remembered (access changed).
    """
    if user and user.is_authenticated:
        return await database_sync_to_async(lookup)(user=user, **{f"{scope_name}_id": object_id})
    key = (scope_name, int(object_id))
    if fresh:
        _public.pop(key, None)
    remembered = _public.get(key)
    if remembered is not None and time.monotonic() - remembered[0] < PUBLIC_TTL_S:
        return remembered[1]
    loop = asyncio.get_running_loop()
    pending = _asking.get(key)
    if pending is None or pending.get_loop() is not loop:
        pending = _asking[key] = loop.create_task(
            database_sync_to_async(lookup)(user=user, **{f"{scope_name}_id": object_id})
        )
        pending.add_done_callback(lambda task: _asked(key, task))
    return await asyncio.shield(pending)


def _asked(key, task) -> None:
    if _asking.get(key) is task:
        del _asking[key]
    if not task.cancelled() and task.exception() is None and task.result() is not None:
        _public[key] = (time.monotonic(), task.result())


def forget_public() -> None:
    """Drop what this process remembered about public visibility (tests)."""
    _public.clear()
    _asking.clear()


class _HubConsumer(AsyncWebsocketConsumer):
    """A read-only socket that the process-local hub feeds."""

    channel_layer_alias = _NO_LAYER
    group: str | None = None
    _window_start = 0.0
    _window_messages = 0

    async def dispatch(self, message):
        # Channels closes stale database connections (a hop to a worker thread) before every handler.
        # These sockets touch the database only inside database_sync_to_async, which does that itself,
        # so the hop is skipped: it was two per socket (connect, disconnect) and most of a reconnect
        # storm's cost in the event loop.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def authorise(self, *, fresh: bool = False):
        """The object this socket watches if the user may watch it, else None (``fresh``: not remembered)."""
        raise NotImplementedError

    def group_for(self, obj) -> str:
        raise NotImplementedError

    async def connect(self):
        obj = await self.authorise()
        if obj is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = self.group_for(obj)
        try:
            await self.join()
        except Exception:
            # The channel layer is down: refuse the handshake (the page polls over HTTP meanwhile).
            logger.warning("live: channel layer unreachable; refusing a socket of %s", self.group)
            self.group = None
            await self.close(code=CLOSE_UNAVAILABLE)
            return
        await self.accept()
        await self.after_accept(obj)

    async def after_accept(self, obj) -> None:
        """Anything to send once the socket is open (nothing by default)."""

    async def still_allowed(self) -> bool:
        """Ask again whether this socket may watch (access changed); close it if not."""
        if await self.authorise(fresh=True) is not None:
            return True
        await self.close(code=CLOSE_FORBIDDEN)
        return False

    async def join(self):
        await get_hub().register(self.group, self)

    async def leave(self):
        await get_hub().unregister(self.group, self)

    async def disconnect(self, code):
        if self.group is not None:
            await self.leave()

    async def receive(self, text_data=None, bytes_data=None):
        now = time.monotonic()
        if now - self._window_start >= 1.0:
            self._window_start, self._window_messages = now, 0
        self._window_messages += 1
        if self._window_messages > settings.WS_MAX_MESSAGES_PER_SECOND:
            await self.close(code=CLOSE_TOO_MANY_MESSAGES)
            return
        await self.send(text_data=READ_ONLY_ERROR)


def _user(scope):
    return scope.get("user")


class LeaderboardConsumer(_HubConsumer):
    """An event's board, for spectators: the public board only."""

    async def authorise(self, *, fresh: bool = False):
        event_id = self.scope["url_route"]["kwargs"]["event_id"]
        return await _visible("event", event_id, _user(self.scope), selectors.visible_event, fresh=fresh)

    def group_for(self, event):
        return group_name(EVENT, event.pk)

    async def after_accept(self, event) -> None:
        """``?board=1``: send the current public board at once, so a reconnecting screen needs no HTTP refetch.

        It comes from the board the process's hub keeps current from the frames it reads (loaded
        from the stored board once, for every socket connecting meanwhile), after this socket
        joined: every later change reaches it as a delta on that board's generation.
        """
        if b"board=1" not in self.scope.get("query_string", b""):
            return
        try:
            text = await get_hub().board_text(self.group, lambda: _socket_board(event.pk))
        except Exception:
            logger.warning("live: no board for a new socket of %s; it refetches over HTTP", self.group, exc_info=True)
            return
        try:
            await self.send(text_data=text)
        except Exception:
            logger.debug("live: a socket of %s went away before its board", self.group)


@database_sync_to_async
def _socket_board(event_id: int) -> dict | None:
    event = Event.objects.select_related("competition").filter(pk=event_id).first()
    return current_board(event) if event is not None else None


class CompetitionConsumer(_HubConsumer):
    """A competition's overview across its events."""

    async def authorise(self, *, fresh: bool = False):
        competition_id = self.scope["url_route"]["kwargs"]["competition_id"]
        return await _visible(
            "competition", competition_id, _user(self.scope), selectors.visible_competition, fresh=fresh
        )

    def group_for(self, competition):
        return group_name(COMPETITION, competition.pk)


class MonitorConsumer(_HubConsumer):
    """The chief judge's progress monitor: chief judges and organisers only."""

    async def authorise(self, *, fresh: bool = False):
        event_id = self.scope["url_route"]["kwargs"]["event_id"]
        return await database_sync_to_async(selectors.monitored_event)(user=_user(self.scope), event_id=event_id)

    def group_for(self, event):
        return group_name(MONITOR, event.pk)
