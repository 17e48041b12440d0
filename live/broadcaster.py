"""Broadcasts off the request path: one background sender per process, coalescing per key.

A judge's POST returns once the mark is committed. Its after-commit receiver only hands
the event to this sender (``submit``) and returns; the sender's thread builds the board
(``live.board.build``, under the event's lock) and publishes it to the channel layer on an
event loop of its own, each send bounded by ``PUBLISH_TIMEOUT_S``. A Redis stall therefore
holds this thread, never a request: jobs submitted meanwhile wait in ``pending``, one per key
(ten marks for one event during a stall make one build when it ends).

A publish that still fails (after the one retry on a fresh connection in ``board._send``)
asks for ``on_failure(key)``: the board module queues a resend of the event's stored board,
whole, with backoff, until one gets through. A screen therefore gets the change once Redis
answers again, or sees the gap and refetches.

With the in-memory channel layer (the embedded default, one process) there is no Redis to
stall and the layer's queues belong to the server's event loop: jobs run inline, in the
committing thread, as before (``settings.LIVE_BROADCAST_BACKGROUND`` off). Tests run inline.
"""

import asyncio
import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)

# One send to the channel layer may take this long before it counts as failed.
PUBLISH_TIMEOUT_S = 2.0
# Publishes: (group, payload) pairs; the payload is a channel-layer message.
Publishes = list[tuple[str, dict]]


class Broadcaster:
    def __init__(self, send):
        # ``send(group, payload)``: a coroutine function returning True once the layer took it.
        self._send = send
        self._pending: dict[object, tuple[float, Callable[[], Publishes], Callable | None]] = {}
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.busy = False

    # ------------------------------------------------------------------ API
    def submit(self, key, job: Callable[[], Publishes], *, delay: float = 0.0, on_failure=None) -> None:
        """Run ``job`` (a build that returns what to publish) soon; a job already pending under ``key`` is replaced."""
        if not getattr(settings, "LIVE_BROADCAST_BACKGROUND", False):
            self._run_inline(job)
            return
        with self._cond:
            due = time.monotonic() + delay
            earlier = self._pending.get(key)
            if earlier is not None:
                due = min(due, earlier[0])
            self._pending[key] = (due, job, on_failure)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="live-broadcaster", daemon=True)
                self._thread.start()
            self._cond.notify()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Until nothing is pending or running (tests, shutdown). True if it got there in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._cond:
                if not self._pending and not self.busy:
                    return True
            time.sleep(0.01)
        return False

    # ------------------------------------------------------------- running
    def _run_inline(self, job) -> None:
        from asgiref.sync import async_to_sync

        try:
            publishes = job()
        except Exception:
            logger.exception("live: building a broadcast failed")
            return
        for group, payload in publishes:
            async_to_sync(self._send)(group, payload)

    def _next(self):
        with self._cond:
            while True:
                now = time.monotonic()
                if self._pending:
                    key = min(self._pending, key=lambda k: self._pending[k][0])
                    due = self._pending[key][0]
                    if due <= now:
                        _due, job, on_failure = self._pending.pop(key)
                        self.busy = True
                        return key, job, on_failure
                    self._cond.wait(due - now)
                else:
                    self._cond.wait()

    def _work(self) -> None:
        self._loop = asyncio.new_event_loop()
        while True:
            key, job, on_failure = self._next()
            try:
                close_old_connections()
                publishes = job()
            except Exception:
                logger.exception("live: building the broadcast %s failed", key)
                publishes = []
            finally:
                close_old_connections()
            failed = False
            for group, payload in publishes:
                if not self._loop.run_until_complete(self._bounded(group, payload)):
                    failed = True
            with self._cond:
                self.busy = False
            if failed and on_failure is not None:
                try:
                    on_failure(key)
                except Exception:
                    logger.exception("live: could not queue a resend for %s", key)

    async def _bounded(self, group: str, payload: dict) -> bool:
        try:
            return await asyncio.wait_for(self._send(group, payload), 2 * PUBLISH_TIMEOUT_S + 0.5)
        except TimeoutError:
            logger.warning("live: publishing to %s timed out; screens will catch up", group)
            return False
