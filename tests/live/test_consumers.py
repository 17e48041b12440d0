"""Consumer tests with WebsocketCommunicator.

Each test is a plain function that drives its sockets with ``async_to_sync``: the
consumers' ``database_sync_to_async`` calls then run on the test's own thread and
database connection, so the tests need no transactional database (fast on PostgreSQL).
"""

import asyncio
import json
import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator

from bench.stock_asgi import STOCK_QUERY
from competitions.models import JudgeAssignment
from config.asgi import application
from live import board, consumers
from live.groups import COMPETITION, EVENT, MONITOR, group_name
from live.hub import SERVER_SEND, get_hub
from tests.factories import CompetitionFactory, EventFactory, JudgeAssignmentFactory, UserFactory
from tests.live.conftest import group_size, socket

pytestmark = pytest.mark.django_db

Role = JudgeAssignment.Role


@pytest.fixture
def event():
    return EventFactory(competition=CompetitionFactory(is_public=True))


def run(scenario):
    return async_to_sync(scenario)()


async def _publish(group, message):
    return await sync_to_async(board.publish)(group, message)


def _connect(path, user=None):
    async def scenario():
        communicator = socket(path, user)
        result = await communicator.connect()
        await communicator.disconnect()
        return result

    return run(scenario)


def _origin_connect(event, origin):
    async def scenario():
        communicator = WebsocketCommunicator(
            application, f"/ws/events/{event.pk}/", headers=[(b"origin", origin), (b"host", b"testserver")]
        )
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    return run(scenario)


def test_leaderboard_socket_refuses_bad_origin(event):
    assert _origin_connect(event, b"http://evil.example") is False


def test_leaderboard_socket_accepts_allowed_origin(event):
    assert _origin_connect(event, b"http://testserver") is True


def test_leaderboard_socket_refuses_private_competition():
    private = EventFactory(competition=CompetitionFactory(is_public=False))
    assert _connect(f"/ws/events/{private.pk}/") == (False, 4403)


def test_leaderboard_socket_remembers_public_events_for_anonymous_spectators(event, django_assert_num_queries):
    with django_assert_num_queries(1):
        first = _connect(f"/ws/events/{event.pk}/")
    # A reconnect storm: the next spectators do not ask the database again.
    with django_assert_num_queries(0):
        second = _connect(f"/ws/events/{event.pk}/")
    assert (first, second) == ((True, None), (True, None))


def test_leaderboard_sockets_arriving_together_ask_the_database_once(event, django_assert_num_queries):
    async def scenario():
        sockets = [socket(f"/ws/events/{event.pk}/") for _ in range(5)]
        results = await asyncio.gather(*(communicator.connect() for communicator in sockets))
        for communicator in sockets:
            await communicator.disconnect()
        return results

    with django_assert_num_queries(1):
        assert run(scenario) == [(True, None)] * 5


def test_leaderboard_socket_asks_again_once_the_remembered_answer_is_old(django_assert_num_queries):
    private = EventFactory(competition=CompetitionFactory(is_public=False))
    # What a process remembered from when the competition was still public, PUBLIC_TTL_S ago.
    consumers._public[("event", private.pk)] = (time.monotonic() - consumers.PUBLIC_TTL_S - 1, private)
    with django_assert_num_queries(1):
        assert _connect(f"/ws/events/{private.pk}/") == (False, 4403)


def test_leaderboard_socket_remembers_nothing_for_signed_in_users(event):
    assert _connect(f"/ws/events/{event.pk}/", UserFactory()) == (True, None)
    # Their roles decide what they may watch: the next socket, signed in or not, asks the database.
    assert consumers._public == {}


def test_leaderboard_socket_refuses_unknown_event():
    assert _connect("/ws/events/999999/") == (False, 4403)


def test_spectator_socket_cannot_send(event):
    async def scenario():
        sender, watcher = socket(f"/ws/events/{event.pk}/"), socket(f"/ws/events/{event.pk}/")
        await sender.connect()
        await watcher.connect()
        await sender.send_to(text_data=json.dumps({"type": "standings.delta", "rows": [{"entry": 1, "rank": 1}]}))
        reply = await sender.receive_json_from()
        # Nothing the spectator sent reached anyone else.
        silent = await watcher.receive_nothing(timeout=0.2)
        await sender.disconnect()
        await watcher.disconnect()
        return reply, silent

    reply, silent = run(scenario)
    assert reply == {"type": "error", "code": "read_only", "detail": "This socket is read-only."}
    assert silent is True


def test_hub_sends_one_frame_to_every_socket(event):
    group = group_name(EVENT, event.pk)

    async def scenario():
        sockets = [socket(f"/ws/events/{event.pk}/") for _ in range(3)]
        for communicator in sockets:
            await communicator.connect()
        # One layer subscription for the whole process, however many sockets.
        subscribed = (await group_size(group), len(get_hub().groups[group]))
        published = await _publish(group, {"type": "standings.delta", "version": 7})
        frames = [await communicator.receive_from() for communicator in sockets]
        for communicator in sockets:
            await communicator.disconnect()
        return subscribed, published, frames, await group_size(group), group in get_hub().groups

    subscribed, published, frames, left, still_local = run(scenario)
    assert subscribed == (1, 3)
    assert published is True
    assert frames == ['{"type":"standings.delta","version":7}'] * 3
    assert (left, still_local) == (0, False)


def test_hub_sends_with_the_servers_own_send_through_the_whole_asgi_stack(event):
    group = group_name(EVENT, event.pk)

    async def scenario():
        headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
        communicator = WebsocketCommunicator(application, f"/ws/events/{event.pk}/", headers=headers)
        await communicator.connect()
        ((consumer, send),) = get_hub().groups[group].items()
        await _publish(group, {"type": "standings.delta", "version": 5})
        frame = await communicator.receive_from()
        await communicator.disconnect()
        # Past Channels' session wrapper: the send the server (here the communicator) handed the app.
        return frame, send is consumer.scope[SERVER_SEND], send is not consumer.base_send

    assert run(scenario) == ('{"type":"standings.delta","version":5}', True, True)


def test_product_ignores_the_benchmarks_stock_switch(event):
    # The stock switch is served only by bench/stock_asgi.py; on the product it is an ordinary hub socket.
    group = group_name(EVENT, event.pk)

    async def scenario():
        spectator = socket(f"/ws/events/{event.pk}/?{STOCK_QUERY}")
        await spectator.connect()
        size = await group_size(group)
        hub_sockets = len(get_hub().groups.get(group, {}))
        await spectator.disconnect()
        return size, hub_sockets

    assert run(scenario) == (1, 1)


def test_bench_stock_fanout_socket_receives_its_own_copy(event):
    from bench.stock_asgi import application as bench_application  # sets up the bench's ASGI app

    group = group_name(EVENT, event.pk)
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]

    async def scenario():
        stock = WebsocketCommunicator(bench_application, f"/ws/events/{event.pk}/?{STOCK_QUERY}", headers=headers)
        hub = socket(f"/ws/events/{event.pk}/")
        await stock.connect()
        await hub.connect()
        size = await group_size(group)
        await _publish(group, {"type": "standings.delta", "version": 3})
        frames = [await stock.receive_from(), await hub.receive_from()]
        await stock.disconnect()
        await hub.disconnect()
        return size, frames

    size, frames = run(scenario)
    # Two group members: the stock socket's own channel, and the hub's one channel for this process.
    assert size == 2
    assert frames == ['{"type":"standings.delta","version":3}'] * 2


def test_event_socket_does_not_receive_other_events_frames(event):
    other = EventFactory(competition=event.competition)

    async def scenario():
        communicator = socket(f"/ws/events/{event.pk}/")
        await communicator.connect()
        await _publish(group_name(EVENT, other.pk), {"type": "standings.delta", "version": 1})
        silent = await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()
        return silent

    assert run(scenario) is True


def test_competition_socket_receives_overview_frames(event):
    async def scenario():
        communicator = socket(f"/ws/competitions/{event.competition_id}/")
        connected, _ = await communicator.connect()
        await _publish(group_name(COMPETITION, event.competition_id), {"type": "overview.event", "event": event.pk})
        frame = await communicator.receive_json_from()
        await communicator.disconnect()
        return connected, frame

    assert run(scenario) == (True, {"type": "overview.event", "event": event.pk})


def test_monitor_refuses_anonymous(event):
    assert _connect(f"/ws/events/{event.pk}/monitor/") == (False, 4403)


@pytest.mark.parametrize("role", [None, Role.JUDGE])
def test_monitor_refuses_non_chief_users(event, role):
    user = UserFactory()
    if role:
        JudgeAssignmentFactory(user=user, competition=event.competition, event=event, role=role)
    assert _connect(f"/ws/events/{event.pk}/monitor/", user) == (False, 4403)


def test_monitor_refuses_chief_judge_of_another_event(event):
    other = EventFactory(competition=event.competition)
    user = UserFactory()
    JudgeAssignmentFactory(user=user, competition=event.competition, event=other, role=Role.CHIEF_JUDGE)
    assert _connect(f"/ws/events/{event.pk}/monitor/", user) == (False, 4403)


@pytest.mark.parametrize(("role", "event_scoped"), [(Role.CHIEF_JUDGE, True), (Role.ORGANISER, False)])
def test_monitor_accepts_chief_judge_and_organiser(event, role, event_scoped):
    user = UserFactory()
    JudgeAssignmentFactory(user=user, competition=event.competition, event=event if event_scoped else None, role=role)

    async def scenario():
        communicator = socket(f"/ws/events/{event.pk}/monitor/", user)
        connected, _ = await communicator.connect()
        await _publish(group_name(MONITOR, event.pk), {"type": "monitor.changed", "event": event.pk, "version": 4})
        frame = await communicator.receive_json_from()
        await communicator.send_to(text_data="{}")
        reply = await communicator.receive_json_from()
        await communicator.disconnect()
        return connected, frame, reply["code"]

    assert run(scenario) == (True, {"type": "monitor.changed", "event": event.pk, "version": 4}, "read_only")


def test_a_board_socket_gets_the_current_board_then_deltas_on_its_generation(judged):
    """Defect 9: after a restart every screen refetched over HTTP. Now the board comes on the socket.

    The hub loads the stored board once, keeps it current from the frames it reads, and a socket
    that joins later gets it at the generation the next delta is built on.
    """
    judged.mark(0, 10, "k1")
    path = f"/ws/events/{judged.event.pk}/?board=1"

    async def scenario():
        first = socket(path)
        await first.connect()
        opened = json.loads(await first.receive_from())
        await sync_to_async(judged.mark)(1, 15, "k2")
        delta = json.loads(await first.receive_from())
        second = socket(path)
        await second.connect()
        joined = json.loads(await second.receive_from())
        await first.disconnect()
        await second.disconnect()
        return opened, delta, joined

    opened, delta, joined = run(scenario)
    assert (opened["type"], opened["version"], [row["total"] for row in opened["rows"]]) == (
        "standings.full",
        1,
        ["10.00", None],
    )
    assert (delta["type"], delta["base"], delta["gen"]) == ("standings.delta", opened["gen"], opened["gen"] + 1)
    # The second socket got the hub's board, brought up to date by that delta: the stored one.
    stored = board.BoardState.objects.get(event=judged.event).board
    assert joined == stored
    assert (joined["gen"], [row["total"] for row in joined["rows"]]) == (delta["gen"], ["15.00", "10.00"])


def test_a_socket_without_the_board_flag_gets_no_board(judged):
    judged.mark(0, 10, "k1")

    async def scenario():
        spectator = socket(f"/ws/events/{judged.event.pk}/")
        await spectator.connect()
        silent = await spectator.receive_nothing(timeout=0.2)
        await spectator.disconnect()
        return silent

    assert run(scenario) is True
