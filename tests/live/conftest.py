import asyncio
import json
import os
from decimal import Decimal

import pytest
from channels.layers import channel_layers
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from live.consumers import forget_public
from live.routing import websocket_urlpatterns
from scoring.services import MarkInput, marks_submit
from tests.factories import judged_event_factory
from tests.live.server import daphne_pair, private_redis  # noqa: F401  (fixtures for e2e tests)


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    # Each async test runs on its own event loop; a layer built on an earlier loop must not leak into it.
    channel_layers.backends.clear()
    # Ids are reused across rolled-back tests: what an earlier test's event allowed must not carry over.
    forget_public()
    yield
    channel_layers.backends.clear()
    forget_public()


def socket(path: str, user=None) -> WebsocketCommunicator:
    """A communicator on the WebSocket routes, as ``user`` (the auth middleware is the part not under test)."""
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    communicator.scope["user"] = user or AnonymousUser()
    return communicator


@pytest.fixture(autouse=True)
def _isolated_layer_and_cache(settings):
    """Keep these tests' frames and board cache to this test process.

    Other test runs may share the Redis server: a per-process channel-layer prefix keeps
    their frames out, and a local-memory cache (never Redis' FLUSHDB) holds the boards.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    layer = settings.CHANNEL_LAYERS["default"]
    if layer["BACKEND"] == "channels_redis.core.RedisChannelLayer":
        config = {**layer["CONFIG"], "prefix": f"live-test-{os.getpid()}"}
        settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": config}}
        channel_layers.backends.clear()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "live"}}
    from django.core.cache import cache

    cache.clear()


class LayerListener:
    """A plain channel joined to live groups, to read what the broadcaster sent (sync tests).

    All its layer calls run on one private event loop: channels_redis binds a channel's
    receive buffer to the loop that first reads it.
    """

    def __init__(self, *groups):
        from channels.layers import get_channel_layer

        self.runner = asyncio.Runner()
        self.layer = get_channel_layer()
        self.channel = self.runner.run(self.layer.new_channel())
        for group in groups:
            self.runner.run(self.layer.group_add(group, self.channel))

    def frames(self) -> list[dict]:
        """Every frame received so far, decoded, in order (``group`` added to each)."""

        async def drain():
            out = []
            while True:
                try:
                    message = await asyncio.wait_for(self.layer.receive(self.channel), 0.1)
                except TimeoutError:
                    return out
                out.append({**json.loads(message["text"]), "group": message["group"]})

        return self.runner.run(drain())


async def group_size(group: str) -> int:
    """How many channels the layer has in ``group`` (in-memory or Redis)."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if hasattr(layer, "groups"):
        return len(layer.groups.get(group, {}))
    key = layer._group_key(group)
    async with layer.connection(layer.consistent_hash(group)) as connection:
        return await connection.zcard(key)


@pytest.fixture
def judged(django_capture_on_commit_callbacks):
    """An event of two entries and one judge; ``judged.mark(index, value, key)`` marks an entry (after commit)."""
    judged = judged_event_factory(
        entries=2, judges=1, criteria=[{"code": "look", "title": "观感", "max_value": Decimal("20")}], decoded=True
    )
    judged.mark = lambda index, value, key, version=0: _mark(
        judged, index, value, key, django_capture_on_commit_callbacks, version
    )
    return judged


def undecode(judged):
    """Make the fixture's event blind and not yet decoded: its public board is sealed (``live.board.seal``)."""
    judged.event.decoded_at = None
    type(judged.event).objects.filter(pk=judged.event.pk).update(decoded_at=None)
    return judged


def _mark(judged, index, value, key, capture, version=0):
    with capture(execute=True):
        marks_submit(
            judge=judged.judges[0],
            event=judged.event,
            marks=[MarkInput(entry=judged.entries[index].pk, criterion="look", value=str(value), version=version)],
            idempotency_key=key,
        )
