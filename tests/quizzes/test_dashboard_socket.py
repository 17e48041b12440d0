"""The organiser's quiz dashboard pushed over a WebSocket: organisers only, pushed when the round changes."""

import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from quizzes import services
from quizzes.routing import websocket_urlpatterns
from tests.factories import UserFactory
from tests.helpers import organiser_of
from tests.quizzes.factories import ParticipantFactory, quiz_round

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_ticks(settings):
    settings.QUIZ_DASHBOARD_TICK_S = 0.05
    settings.QUIZ_DASHBOARD_REFRESH_S = 60
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "quiz-dash"}}


def _socket(round_, user):
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/quiz/rounds/{round_.pk}/dashboard/")
    communicator.scope["user"] = user or AnonymousUser()
    return communicator


def test_organiser_gets_the_dashboard_then_a_push_when_an_attempt_starts():
    round_ = quiz_round(questions=12)
    organiser = organiser_of(round_.competition)
    participant = ParticipantFactory(competition=round_.competition)

    async def scenario():
        socket = _socket(round_, organiser)
        connected, _code = await socket.connect()
        assert connected
        first = json.loads(await socket.receive_from(timeout=5))
        await sync_to_async(services.attempt_start)(round_=round_, participant=participant)
        second = json.loads(await socket.receive_from(timeout=5))
        # Nothing changed since: no third frame within a few ticks.
        assert await socket.receive_nothing(timeout=0.4)
        await socket.send_to(text_data="hello")
        refused = json.loads(await socket.receive_from(timeout=2))
        await socket.disconnect()
        return first, second, refused

    first, second, refused = async_to_sync(scenario)()
    assert (first["type"], first["round"], first["in_progress"]) == ("quiz.dashboard", round_.pk, 0)
    assert second["in_progress"] == 1
    assert refused["code"] == "read_only"


@pytest.mark.parametrize("who", ["anonymous", "stranger"])
def test_anyone_but_an_organiser_is_refused(who):
    round_ = quiz_round(questions=12)
    user = None if who == "anonymous" else UserFactory()

    async def scenario():
        socket = _socket(round_, user)
        connected, code = await socket.connect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4403)
