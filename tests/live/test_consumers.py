import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from competitions.models import JudgeAssignment
from config.asgi import application
from live import broadcast
from live.groups import COMPETITION, EVENT, MONITOR, group_name
from live.hub import get_hub
from tests.factories import CompetitionFactory, EventFactory, JudgeAssignmentFactory, UserFactory
from tests.live.conftest import socket

pytestmark = pytest.mark.django_db(transaction=True)

Role = JudgeAssignment.Role


@pytest.fixture
def event():
    return EventFactory(competition=CompetitionFactory(is_public=True))


async def _publish(group, message):
    return await sync_to_async(broadcast.publish)(group, message)


async def test_leaderboard_socket_refuses_bad_origin(event):
    communicator = WebsocketCommunicator(
        application, f"/ws/events/{event.pk}/", headers=[(b"origin", b"http://evil.example"), (b"host", b"testserver")]
    )
    connected, _ = await communicator.connect()
    assert connected is False


async def test_leaderboard_socket_accepts_allowed_origin(event):
    communicator = WebsocketCommunicator(
        application, f"/ws/events/{event.pk}/", headers=[(b"origin", b"http://testserver"), (b"host", b"testserver")]
    )
    connected, _ = await communicator.connect()
    assert connected is True
    await communicator.disconnect()


async def test_leaderboard_socket_refuses_private_competition():
    private = await sync_to_async(EventFactory)(competition=await sync_to_async(CompetitionFactory)(is_public=False))
    connected, code = await socket(f"/ws/events/{private.pk}/").connect()
    assert (connected, code) == (False, 4403)


async def test_leaderboard_socket_refuses_unknown_event():
    connected, code = await socket("/ws/events/999999/").connect()
    assert (connected, code) == (False, 4403)


async def test_spectator_socket_cannot_send(event):
    sender, watcher = socket(f"/ws/events/{event.pk}/"), socket(f"/ws/events/{event.pk}/")
    await sender.connect()
    await watcher.connect()
    await sender.send_to(text_data=json.dumps({"type": "standings.delta", "rows": [{"entry": 1, "rank": 1}]}))
    reply = await sender.receive_json_from()
    assert reply == {"type": "error", "code": "read_only", "detail": "This socket is read-only."}
    # Nothing the spectator sent reached anyone else.
    assert await watcher.receive_nothing(timeout=0.2) is True
    await sender.disconnect()
    await watcher.disconnect()


async def test_hub_sends_one_frame_to_every_socket(event):
    sockets = [socket(f"/ws/events/{event.pk}/") for _ in range(3)]
    for communicator in sockets:
        assert (await communicator.connect())[0] is True
    group = group_name(EVENT, event.pk)
    # One layer subscription for the whole process, however many sockets.
    assert len(get_channel_layer().groups[group]) == 1
    assert len(get_hub().groups[group]) == 3
    assert await _publish(group, {"type": "standings.delta", "version": 7}) is True
    for communicator in sockets:
        assert await communicator.receive_from() == '{"type":"standings.delta","version":7}'
        await communicator.disconnect()
    assert group not in get_channel_layer().groups
    assert group not in get_hub().groups


async def test_stock_fanout_socket_receives_its_own_copy(event):
    stock = socket(f"/ws/events/{event.pk}/?fanout=stock")
    hub = socket(f"/ws/events/{event.pk}/")
    await stock.connect()
    await hub.connect()
    group = group_name(EVENT, event.pk)
    assert len(get_channel_layer().groups[group]) == 2
    await _publish(group, {"type": "standings.delta", "version": 3})
    assert await stock.receive_from() == '{"type":"standings.delta","version":3}'
    assert await hub.receive_from() == '{"type":"standings.delta","version":3}'
    await stock.disconnect()
    await hub.disconnect()


async def test_event_socket_does_not_receive_other_events_frames(event):
    other = await sync_to_async(EventFactory)(competition=event.competition)
    communicator = socket(f"/ws/events/{event.pk}/")
    await communicator.connect()
    await _publish(group_name(EVENT, other.pk), {"type": "standings.delta", "version": 1})
    assert await communicator.receive_nothing(timeout=0.2) is True
    await communicator.disconnect()


async def test_competition_socket_receives_overview_frames(event):
    communicator = socket(f"/ws/competitions/{event.competition_id}/")
    assert (await communicator.connect())[0] is True
    await _publish(group_name(COMPETITION, event.competition_id), {"type": "overview.event", "event": event.pk})
    assert await communicator.receive_json_from() == {"type": "overview.event", "event": event.pk}
    await communicator.disconnect()


async def test_monitor_refuses_anonymous(event):
    connected, code = await socket(f"/ws/events/{event.pk}/monitor/").connect()
    assert (connected, code) == (False, 4403)


@pytest.mark.parametrize("role", [None, Role.JUDGE])
async def test_monitor_refuses_non_chief_users(event, role):
    user = await sync_to_async(UserFactory)()
    if role:
        await sync_to_async(JudgeAssignmentFactory)(user=user, competition=event.competition, event=event, role=role)
    connected, code = await socket(f"/ws/events/{event.pk}/monitor/", user).connect()
    assert (connected, code) == (False, 4403)


async def test_monitor_refuses_chief_judge_of_another_event(event):
    other = await sync_to_async(EventFactory)(competition=event.competition)
    user = await sync_to_async(UserFactory)()
    await sync_to_async(JudgeAssignmentFactory)(
        user=user, competition=event.competition, event=other, role=Role.CHIEF_JUDGE
    )
    connected, code = await socket(f"/ws/events/{event.pk}/monitor/", user).connect()
    assert (connected, code) == (False, 4403)


@pytest.mark.parametrize(("role", "event_scoped"), [(Role.CHIEF_JUDGE, True), (Role.ORGANISER, False)])
async def test_monitor_accepts_chief_judge_and_organiser(event, role, event_scoped):
    user = await sync_to_async(UserFactory)()
    await sync_to_async(JudgeAssignmentFactory)(
        user=user, competition=event.competition, event=event if event_scoped else None, role=role
    )
    communicator = socket(f"/ws/events/{event.pk}/monitor/", user)
    assert (await communicator.connect())[0] is True
    await _publish(group_name(MONITOR, event.pk), {"type": "monitor.changed", "event": event.pk, "version": 4})
    assert await communicator.receive_json_from() == {"type": "monitor.changed", "event": event.pk, "version": 4}
    await communicator.send_to(text_data="{}")
    assert (await communicator.receive_json_from())["code"] == "read_only"
    await communicator.disconnect()
