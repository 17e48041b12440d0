"""Sockets: exact origins (scheme, host, port), idle sessions at connect, and a cap on client messages."""

import time

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from config.websocket import origin_allowed
from judging.middleware import IDLE_SESSION_KEY
from live import consumers
from tests.factories import CompetitionFactory, EventFactory, UserFactory
from tests.helpers import organiser_of
from tests.live.conftest import socket

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(competition=CompetitionFactory(is_public=True))


def _handshake(path, headers):
    async def scenario():
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected, code

    return async_to_sync(scenario)()


def _connect(event, *, origin: bytes | None, host: bytes = b"testserver") -> bool:
    headers = [(b"host", host)] + ([(b"origin", origin)] if origin is not None else [])
    return _handshake(f"/ws/events/{event.pk}/", headers)[0]


def test_socket_origin_must_match_scheme_host_and_port(event, settings):
    settings.ALLOWED_HOSTS = ["testserver", "board.example.org"]
    assert _connect(event, origin=b"http://testserver") is True
    assert _connect(event, origin=b"http://testserver:8080") is False  # another port on the same host
    assert _connect(event, origin=b"http://testserver:8000", host=b"testserver:8000") is True
    assert _connect(event, origin=b"http://testserver", host=b"testserver:8000") is False
    assert _connect(event, origin=b"http://board.example.org", host=b"testserver") is False  # another allowed host
    assert _connect(event, origin=b"http://evil.example", host=b"evil.example") is False  # Host not allowed


def test_socket_origin_must_be_https_when_the_site_is(event, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert _connect(event, origin=b"http://testserver") is False
    assert _connect(event, origin=b"https://testserver") is True
    assert _connect(event, origin=b"https://testserver:443") is True


def test_socket_without_an_origin_is_refused(event):
    assert _connect(event, origin=None) is False


def test_socket_accepts_the_configured_extra_origins_exactly(event, settings):
    settings.WS_ALLOWED_ORIGINS = ["https://screens.example.org:8443"]
    assert _connect(event, origin=b"https://screens.example.org:8443") is True
    assert _connect(event, origin=b"https://screens.example.org") is False
    assert _connect(event, origin=b"http://screens.example.org:8443") is False


@pytest.mark.parametrize("origin", ["null", "http://testserver/path", "ftp://testserver", "http://user@testserver", ""])
def test_malformed_origins_are_refused(origin):
    assert origin_allowed(origin, "testserver") is False


def _monitor(event, session_key):
    headers = [
        (b"origin", b"http://testserver"),
        (b"host", b"testserver"),
        (b"cookie", f"sessionid={session_key}".encode()),
    ]
    return _handshake(f"/ws/events/{event.pk}/monitor/", headers)


# Transactional: a full handshake hops to worker threads that close stale connections, which
# would close the connection a test transaction runs in.
@pytest.mark.django_db(transaction=True)
def test_an_idle_expired_session_opens_sockets_as_anonymous(event, settings):
    settings.SESSION_IDLE_TIMEOUT = 60
    organiser = organiser_of(event.competition)
    fresh, idle = Client(), Client()
    fresh.force_login(organiser)
    idle.force_login(organiser)
    session = idle.session
    session[IDLE_SESSION_KEY] = int(time.time()) - 61
    session.save()
    assert _monitor(event, fresh.session.session_key) == (True, None)
    assert _monitor(event, session.session_key) == (False, consumers.CLOSE_FORBIDDEN)


@pytest.mark.django_db(transaction=True)
def test_a_logged_out_session_opens_sockets_as_anonymous(event):
    browser = Client()
    browser.force_login(organiser_of(event.competition))
    key = browser.session.session_key
    browser.logout()
    assert _monitor(event, key) == (False, consumers.CLOSE_FORBIDDEN)


def test_a_socket_that_floods_is_closed_with_a_code(event, settings):
    settings.WS_MAX_MESSAGES_PER_SECOND = 3
    user = UserFactory()

    async def scenario():
        communicator = socket(f"/ws/events/{event.pk}/", user)
        await communicator.connect()
        replies = []
        for _ in range(4):
            await communicator.send_to(text_data="{}")
        for _ in range(4):
            replies.append(await communicator.receive_output(timeout=1))
        await communicator.wait()
        return replies

    replies = async_to_sync(scenario)()
    assert [reply["type"] for reply in replies] == ["websocket.send"] * 3 + ["websocket.close"]
    assert replies[-1]["code"] == consumers.CLOSE_TOO_MANY_MESSAGES


def test_a_socket_within_the_message_rate_stays_open(event, settings):
    settings.WS_MAX_MESSAGES_PER_SECOND = 3
    user = UserFactory()

    async def scenario():
        communicator = socket(f"/ws/events/{event.pk}/", user)
        await communicator.connect()
        for _ in range(3):
            await communicator.send_to(text_data="{}")
            await communicator.receive_json_from()
        still_open = await communicator.receive_nothing(timeout=0.1)
        await communicator.disconnect()
        return still_open

    assert async_to_sync(scenario)() is True
