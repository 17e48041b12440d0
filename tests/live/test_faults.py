"""Faults a two-day contest hits: a restarted Redis, group expiry, and thousands of socket sessions.

Real Redis where it matters: each test here that needs one starts its OWN redis-server
(``private_redis``), never the shared one.
"""

import asyncio
import gc
import weakref

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels_redis.core import RedisChannelLayer

from live import board, hub
from live.groups import EVENT, group_name
from tests.factories import CompetitionFactory, EventFactory
from tests.live.conftest import socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def event():
    return EventFactory(competition=CompetitionFactory(is_public=True))


def _redis_layer(settings, url, **config):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": url, "socket_timeout": 15, "socket_connect_timeout": 2}], **config},
        }
    }
    channel_layers.backends.clear()


class _Node:
    pass


def test_garbage_frozen_by_one_burst_is_freed_after_the_next():
    """The hub freezes the heap after a burst of connections (no long GC pauses mid-broadcast).

    ``gc.freeze()`` alone kept every cyclic object of a closed socket forever (≈ 21 KB per
    socket session under Daphne): what was frozen must become collectable again.
    """
    node = _Node()
    node.itself = node  # a cycle: only the collector frees it
    ref = weakref.ref(node)
    try:
        hub.settle_heap()  # after a burst in which this socket was open
        del node  # the socket closes
        hub.settle_heap()  # the next burst
        gc.collect()
        assert ref() is None
    finally:
        gc.unfreeze()


def test_hub_settles_the_heap_after_a_burst_of_connections(event, monkeypatch):
    calls = []
    monkeypatch.setattr(hub, "FREEZE_AFTER_S", 0.01)
    monkeypatch.setattr(hub, "settle_heap", lambda: calls.append("settled"))

    async def scenario():
        sockets = [socket(f"/ws/events/{event.pk}/") for _ in range(5)]
        for spectator in sockets:
            await spectator.connect()
        await asyncio.sleep(0.1)
        for spectator in sockets:
            await spectator.disconnect()

    async_to_sync(scenario)()
    assert calls == ["settled"]  # once for the burst, debounced


def test_publish_after_a_redis_restart_reaches_the_group(private_redis, settings, event):
    """The first publish after Redis restarts used to die on a stale pooled connection, unseen."""
    _redis_layer(settings, private_redis.url)
    group = group_name(EVENT, event.pk)

    async def scenario():
        layer = get_channel_layer()  # the one publish_async uses: its pool outlives the restart
        channel = await layer.new_channel("test.")
        await layer.group_add(group, channel)
        assert await board.publish_async(group, {"type": "standings.delta", "version": 1}) is True
        await layer.receive(channel)
        private_redis.stop()
        private_redis.start()
        # A fresh layer (a new pool) joins and listens; the broadcaster's pool still holds stale connections.
        listener = RedisChannelLayer(hosts=[{"address": private_redis.url}])
        channel = await listener.new_channel("test.")
        await listener.group_add(group, channel)
        sent = await board.publish_async(group, {"type": "standings.delta", "version": 2})
        message = await asyncio.wait_for(listener.receive(channel), 5)
        await listener.flush()
        return sent, message["text"]

    sent, text = async_to_sync(scenario)()
    assert (sent, text) == (True, '{"type":"standings.delta","version":2}')


def test_hub_refreshes_group_membership_before_it_expires(private_redis, settings, event, monkeypatch):
    """channels_redis forgets a group member after group_expiry: a TV left on overnight went dark."""
    _redis_layer(settings, private_redis.url, group_expiry=2)
    group = group_name(EVENT, event.pk)

    async def scenario():
        spectator = socket(f"/ws/events/{event.pk}/")
        await spectator.connect()
        await asyncio.sleep(3.5)  # past the expiry: only a refresh keeps the hub in the group
        await board.publish_async(group, {"type": "standings.delta", "version": 7})
        frame = await spectator.receive_from(timeout=5)
        await spectator.disconnect()
        return frame

    assert async_to_sync(scenario)() == '{"type":"standings.delta","version":7}'


def test_competition_made_private_closes_open_anonymous_sockets(event):
    """Before: 10/10 anonymous sockets kept receiving deltas after the competition went private."""
    competition = event.competition

    async def connect():
        spectator = socket(f"/ws/events/{event.pk}/")
        connected, _ = await spectator.connect()
        return spectator, connected

    async def scenario():
        spectator, connected = await connect()
        organiser_view = socket(f"/ws/competitions/{competition.pk}/")
        await organiser_view.connect()
        competition.is_public = False
        await database_sync_to_async(competition.save)()  # autocommit: on_commit runs at once
        closed = await spectator.receive_output(timeout=5)
        overview_closed = await organiser_view.receive_output(timeout=5)
        await spectator.wait()
        await organiser_view.wait()
        _again, again_connected = await connect()
        return connected, closed, overview_closed, again_connected

    connected, closed, overview_closed, again = async_to_sync(scenario)()
    assert connected is True
    assert closed == {"type": "websocket.close", "code": 4403}
    assert overview_closed == {"type": "websocket.close", "code": 4403}
    assert again is False  # and a new anonymous socket is refused at once, not 10 s later


def test_socket_is_refused_cleanly_while_redis_is_down(private_redis, settings, event):
    """Before: the handshake failed with HTTP 500 and the board stayed empty."""
    _redis_layer(settings, private_redis.url)
    private_redis.stop()

    async def scenario():
        spectator = socket(f"/ws/events/{event.pk}/")
        try:
            return await spectator.connect(timeout=20)
        finally:
            await spectator.wait(timeout=20)

    try:
        assert async_to_sync(scenario)() == (False, 4503)
    finally:
        private_redis.start()
