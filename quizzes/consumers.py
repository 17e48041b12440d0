"""The organiser's live quiz dashboard over a WebSocket (``/ws/quiz/rounds/<id>/dashboard/``).

Organisers only (``is_organiser`` of the round's competition; anyone else is refused with
4403 before the handshake completes). The socket is read-only. Every ``QUIZ_DASHBOARD_TICK_S``
it asks whether the round changed (a counter in the cache that every attempt save bumps,
``quizzes.signals``) and pushes the dashboard when it did, and at least every
``QUIZ_DASHBOARD_REFRESH_S`` (attempts in progress run out and the per-minute series moves on
with no save). A few organiser sockets per round, each computing at most one dashboard per
tick: a city-wide round's 400,000 attempts never each cause a push.

The page falls back to polling the JSON endpoint while the socket is down.
"""

import asyncio
import json
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from competitions.selectors import is_organiser
from quizzes import selectors
from quizzes.models import Round
from quizzes.signals import round_change_stamp

CLOSE_FORBIDDEN = 4403


def _managed_round(user, round_id: int) -> Round | None:
    round_ = Round.objects.select_related("competition").filter(pk=round_id).first()
    if round_ is None or not (user and user.is_authenticated) or not is_organiser(user, round_.competition):
        return None
    return round_


def _dashboard_text(user, round_id: int) -> str | None:
    """The dashboard as the socket sends it, or None if the user may no longer see it."""
    round_ = _managed_round(user, round_id)
    if round_ is None:
        return None
    return json.dumps(
        {"type": "quiz.dashboard", **selectors.dashboard(round_)}, cls=DjangoJSONEncoder, ensure_ascii=False
    )


class DashboardConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.round_id = int(self.scope["url_route"]["kwargs"]["round_id"])
        self.user = self.scope.get("user")
        if await database_sync_to_async(_managed_round)(self.user, self.round_id) is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.accept()
        self.pusher = asyncio.create_task(self._push())

    async def _push(self):
        tick = getattr(settings, "QUIZ_DASHBOARD_TICK_S", 2.0)
        refresh = getattr(settings, "QUIZ_DASHBOARD_REFRESH_S", 30.0)
        sent_stamp, sent_at = object(), 0.0
        while True:
            stamp = await database_sync_to_async(round_change_stamp)(self.round_id)
            if stamp != sent_stamp or stamp is None or time.monotonic() - sent_at >= refresh:
                text = await database_sync_to_async(_dashboard_text)(self.user, self.round_id)
                if text is None:  # no longer an organiser of it
                    await self.close(code=CLOSE_FORBIDDEN)
                    return
                await self.send(text_data=text)
                sent_stamp, sent_at = stamp, time.monotonic()
            await asyncio.sleep(tick)

    async def disconnect(self, code):
        pusher = getattr(self, "pusher", None)
        if pusher is not None:
            pusher.cancel()

    async def receive(self, text_data=None, bytes_data=None):
        await self.send(text_data=json.dumps({"type": "error", "code": "read_only"}))
