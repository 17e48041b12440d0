"""The process-local hub: one channel-layer subscription per process per group.

Stock Channels gives every consumer its own channel, joins it to the group, and
receives each copy separately: with N sockets a broadcast is N layer deliveries and
N receives (and RedisChannelLayer's receive lock scans its waiters, which grows as N²
in one process). The hub instead joins ONE channel per process (per event loop) to
each group that has local sockets, receives each frame once, and writes the same
pre-encoded text to every registered consumer.

After a burst of connections the hub settles the heap (debounced): one full collection,
then ``gc.freeze()``, so the consumers' long-lived objects leave the collected generations,
which removes the 50-70 ms generation-2 pauses that made the broadcast tail. Each settle
first unfreezes what the previous one froze: a frozen object is never collected, and
freezing alone kept every closed socket's cyclic objects forever (≈ 21 KB per session).

Group membership in channels_redis expires (``group_expiry``, a day by default): the hub
joins its groups again every half expiry, so a board left on overnight keeps receiving.

If the layer fails (Redis stopped), the reader retries with backoff, joins its
groups again, and tells its sockets to refetch over HTTP, since frames may have been
lost in between. The hub touches no Twisted or Daphne internals: it only calls the
consumers' own ``send``.
"""

import asyncio
import ctypes
import gc
import json
import logging
import random
import weakref

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

# Channel-layer message types the hub reads: a pre-encoded frame for the sockets, or a note
# that who may watch changed (every socket of the group asks again).
FRAME = "live.frame"
ACCESS = "live.access"
FREEZE_AFTER_S = 1.0
# channels_redis' default group_expiry; the hub re-joins its groups every half of it.
DEFAULT_GROUP_EXPIRY_S = 86400
# The scope key under which ``keep_server_send`` puts the server's own ``send``.
SERVER_SEND = "live.server_send"
# Twisted only queues a write and sends it on a later loop turn: yielding every SEND_CHUNK
# sockets lets the first frames leave (and the clients start reading) while the rest are framed.
SEND_CHUNK = 64
_RETRY_MAX_S = 5.0


def keep_server_send(app):
    """ASGI middleware, outermost: put the server's own ``send`` in the scope, for the hub.

    Channels' session middleware wraps ``send`` to save the session on accept; a broadcast
    frame passes through it unchanged but pays two lazy-object lookups per socket on the
    way. The hub sends its frames with the server's ``send`` directly.
    """

    async def middleware(scope, receive, send):
        return await app({**scope, SERVER_SEND: send}, receive, send)

    return middleware


def _libc_malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_malloc_trim = _libc_malloc_trim()


def settle_heap() -> None:
    """Collect what earlier freezes kept (closed sockets among it), then freeze what is alive now.

    Between the two, glibc is asked to give freed memory back to the system (``malloc_trim``):
    after a burst of sockets closes, its arenas otherwise keep their high-water mark as RSS.
    """
    gc.unfreeze()
    gc.collect()
    if _malloc_trim is not None:
        _malloc_trim(0)
    gc.freeze()


class Hub:
    def __init__(self, layer):
        self.layer = layer
        # group → {consumer: the send its frames go through}
        self.groups: dict[str, dict] = {}
        self.channel: str | None = None
        self._reader: asyncio.Task | None = None
        self._freeze: asyncio.TimerHandle | None = None
        self._refresher: asyncio.Task | None = None
        self._lock = asyncio.Lock()
        # group → the event's public board as this process's sockets have it, kept current by
        # every frame the hub reads (``_track``), and its text; what a socket that asks for the
        # board on connect gets (``board_text``), instead of each refetching over HTTP.
        self.boards: dict[str, dict] = {}
        self._texts: dict[str, str] = {}
        self._loading: dict[str, asyncio.Future] = {}
        self._frames: dict[str, int] = {}
        expiry = getattr(layer, "group_expiry", None) or DEFAULT_GROUP_EXPIRY_S
        self.refresh_s = expiry / 2

    async def register(self, group: str, consumer) -> None:
        async with self._lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel("live-hub.")
            members = self.groups.get(group)
            if members is None:
                # Join first: if the layer is down the socket is refused and the group stays unjoined.
                await self.layer.group_add(group, self.channel)
                members = self.groups[group] = {}
            members[consumer] = consumer.scope.get(SERVER_SEND) or consumer.base_send
            if self._reader is None or self._reader.done():
                self._reader = asyncio.get_running_loop().create_task(self._read())
            if self._refresher is None or self._refresher.done():
                self._refresher = asyncio.get_running_loop().create_task(self._refresh())
        self._schedule_freeze()

    async def unregister(self, group: str, consumer) -> None:
        async with self._lock:
            members = self.groups.get(group)
            if members is None:
                return
            members.pop(consumer, None)
            if not members:
                del self.groups[group]
                self._forget(group)
                try:
                    await self.layer.group_discard(group, self.channel)
                except Exception:
                    logger.warning("live hub: could not leave %s", group)
            if not self.groups:
                for task in (self._reader, self._refresher):
                    if task is not None:
                        task.cancel()
                self._reader = self._refresher = None

    async def deliver(self, group: str, text: str) -> int:
        """Write one pre-encoded frame to every local socket of ``group``. Returns how many got it."""
        sent = 0
        # One message object for every socket, through the server's own send (see keep_server_send).
        message = {"type": "websocket.send", "text": text}
        for index, send in enumerate(list(self.groups.get(group, {}).values())):
            try:
                await send(message)
                sent += 1
            except Exception:
                logger.debug("live hub: a socket of %s went away mid-send", group)
            if index % SEND_CHUNK == SEND_CHUNK - 1:
                await asyncio.sleep(0)
        return sent

    # ---- the board a socket gets on connect --------------------------------
    def _forget(self, group: str) -> None:
        self.boards.pop(group, None)
        self._texts.pop(group, None)

    def _track(self, group: str, text: str) -> None:
        """A frame for ``group`` passed: keep the remembered board current, or forget it."""
        self._frames[group] = self._frames.get(group, 0) + 1
        board = self.boards.get(group)
        if board is None:
            return
        message = json.loads(text)
        kind = message.get("type")
        if kind == "standings.full" and message.get("gen") is not None:
            if message["gen"] >= board["gen"]:
                self.boards[group] = message
                self._texts[group] = text
            return
        if kind != "standings.delta" or message.get("gen", 0) <= board["gen"]:
            return
        if message.get("base") != board["gen"] or message.get("policy") != board["policy"]:
            self._forget(group)  # built on a board this process never saw: load it again when asked
            return
        rows = {row["key"]: row for row in board["rows"]}
        rows.update((row["key"], row) for row in message["rows"])
        for key in message.get("removed", ()):
            rows.pop(key, None)
        self.boards[group] = {
            **board,
            "version": message["version"],
            "gen": message["gen"],
            "hidden": message.get("hidden", 0),
            "rows": sorted(rows.values(), key=lambda row: row["pos"]),
        }
        self._texts.pop(group, None)

    async def board_text(self, group: str, load) -> str:
        """The group's current board, encoded: remembered, or ``await load()`` once for every socket asking meanwhile.

        Only a board loaded while no frame passed for the group is remembered (a frame in
        between may be newer than what was read); the sockets get it either way, and a board
        older than a frame they already hold is ignored by the client.
        """
        text = self._texts.get(group)
        if text is None and group in self.boards:
            text = self._texts[group] = json.dumps(self.boards[group], ensure_ascii=False, separators=(",", ":"))
        if text is not None:
            return text
        pending = self._loading.get(group)
        if pending is None:
            seen = self._frames.get(group, 0)
            pending = self._loading[group] = asyncio.ensure_future(load())
            pending.add_done_callback(lambda task: self._loaded(group, task, seen))
        board = await asyncio.shield(pending)
        return json.dumps(board, ensure_ascii=False, separators=(",", ":"))

    def _loaded(self, group: str, task: asyncio.Future, seen: int) -> None:
        if self._loading.get(group) is task:
            del self._loading[group]
        if task.cancelled() or task.exception() is not None or task.result() is None:
            return
        board = task.result()
        if group in self.groups and self._frames.get(group, 0) == seen and board.get("gen") is not None:
            self.boards[group] = board

    async def recheck(self, group: str) -> int:
        """Who may watch changed (a competition went private): every socket of ``group`` asks again.

        A socket that may no longer watch is closed. Returns how many were closed.
        """
        closed = 0
        for consumer in list(self.groups.get(group, {})):
            try:
                if not await consumer.still_allowed():
                    closed += 1
            except Exception:
                logger.warning("live hub: could not re-check a socket of %s", group, exc_info=True)
        return closed

    async def _read(self) -> None:
        delay, recovering = 0.1, False
        while self.groups:
            if recovering:
                recovering = not await self._recover()
            if not recovering:
                try:
                    message = await self.layer.receive(self.channel)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    logger.warning("live hub: channel layer unreachable, retrying in %.1fs", delay, exc_info=True)
                    recovering = True
                else:
                    delay = 0.1
                    group = message.get("group")
                    if message.get("type") == FRAME and group:
                        self._track(group, message["text"])
                        await self.deliver(group, message["text"])
                    elif message.get("type") == ACCESS and group:
                        await self.recheck(group)
                    continue
            await asyncio.sleep(delay + random.uniform(0, delay))  # noqa: S311  (jitter, not crypto)
            delay = min(delay * 2, _RETRY_MAX_S)

    async def _recover(self) -> bool:
        """Join every group again (a restarted Redis forgot them) and make the sockets refetch."""
        try:
            for group in list(self.groups):
                await self.layer.group_add(group, self.channel)
        except Exception:
            return False
        logger.info("live hub: channel layer back; asking %d groups to refetch", len(self.groups))
        for group in list(self.boards):
            self._forget(group)  # frames may have been lost meanwhile
        for group in list(self.groups):
            await self.deliver(group, json.dumps({"type": "standings.refresh", "reason": "layer"}))
        return True

    async def _refresh(self) -> None:
        """Join every group again before channels_redis' membership expires."""
        while self.groups:
            await asyncio.sleep(self.refresh_s)
            for group in list(self.groups):
                try:
                    await self.layer.group_add(group, self.channel)
                except Exception:
                    # The reader notices a dead layer too, and re-joins everything when it is back.
                    logger.warning("live hub: could not refresh %s", group)

    def _schedule_freeze(self) -> None:
        if self._freeze is not None:
            self._freeze.cancel()
        # Looked up when it fires, so tests can replace it.
        self._freeze = asyncio.get_running_loop().call_later(FREEZE_AFTER_S, lambda: settle_heap())


_hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

# How many sockets a process takes back per second after a restart (handshake, then the board's
# refetch from the stored board), and the bounds of the spread the server asks screens to use.
ADMIT_PER_S = 1000
SPREAD_MIN_MS, SPREAD_MAX_MS = 1000, 10000
RETRY_MS = 1000


def local_sockets() -> int:
    """Open hub sockets in this process (every event loop)."""
    return sum(len(members) for hub in list(_hubs.values()) for members in list(hub.groups.values()))


def reconnect_hint() -> str:
    """How screens should come back if this process goes away: ``spread=<ms>, retry=<ms>``.

    ``spread``: wait a uniform delay up to it before the first attempt, so the process's screens
    return at about ``ADMIT_PER_S``; ``retry``: then try again about that often (with jitter)
    while the server is still starting, before backing off for a long outage (static/live/board.js).
    """
    spread = min(SPREAD_MAX_MS, max(SPREAD_MIN_MS, round(1000 * local_sockets() / ADMIT_PER_S)))
    return f"spread={spread}, retry={RETRY_MS}"


def get_hub() -> Hub:
    """The hub of the running event loop (Daphne has one; each test has its own)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub(get_channel_layer())
    return hub
