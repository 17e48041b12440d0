"""Junk WebSocket paths close cleanly: a refused handshake, nothing logged as an error."""

import logging

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from config.asgi import application
from tests.factories import CompetitionFactory, EventFactory

pytestmark = pytest.mark.django_db

HEADERS = [(b"host", b"testserver"), (b"origin", b"http://testserver")]
JUNK = [
    "/ws/events/abc/",
    "/ws/../",
    "/ws/events/../../etc/passwd/",
    "/ws/",
    "/ws/events/²/",
    "/ws/events/" + "9" * 30 + "/",
    "/ws/events/" + "1" * 5000 + "/",
    "/ws/competitions/" + "9" * 30 + "/",
    "/ws/events/1/monitor/" + "x" * 3000 + "/",
    "/ws/events/%00/",
    "/ws/events/\u202e1/",
]


def _handshake(path):
    async def scenario():
        communicator = WebsocketCommunicator(application, path, headers=HEADERS)
        connected, code = await communicator.connect(timeout=5)
        await communicator.disconnect()
        return connected, code

    return async_to_sync(scenario)()


@pytest.mark.parametrize("path", JUNK)
def test_junk_socket_path_is_refused_without_an_error_logged(path, caplog):
    EventFactory(competition=CompetitionFactory(is_public=True))
    with caplog.at_level(logging.WARNING):
        connected, code = _handshake(path)

    assert connected is False
    # No route: 4404; a route with an id beyond any object's: the consumer finds nothing to watch (4403).
    assert code in (4403, 4404)
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []


def test_a_real_socket_path_still_opens():
    event = EventFactory(competition=CompetitionFactory(is_public=True))

    assert _handshake(f"/ws/events/{event.pk}/")[0] is True
