"""Pushed state for judges' tablets: the judge socket's access rules and the frames scoring's changes make.

The socket tests drive WebsocketCommunicator through the real routes (``config.asgi``'s list);
the frame tests read the judge's group on the channel layer after each service commits.
"""

import os
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from competitions.models import JudgeAssignment
from config.asgi import websocket_urlpatterns
from live import board
from live.groups import judge_group_name
from scoring.models import Sheet
from scoring.services import MarkInput, marks_submit, scheme_revise, sheet_lock, sheet_submit, sheet_unlock
from tests.factories import EntryFactory, OrganisationFactory, UserFactory, judged_event_factory
from tests.live.conftest import LayerListener

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_layer(settings):
    # Each async test runs on its own loop; a layer built on another must not leak. Other runs may share Redis.
    layer = settings.CHANNEL_LAYERS["default"]
    if layer["BACKEND"] == "channels_redis.core.RedisChannelLayer":
        config = {**layer["CONFIG"], "prefix": f"judge-push-test-{os.getpid()}"}
        settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": config}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """Signed-in sockets look the user up through ``database_sync_to_async``, which closes connections
    left outside autocommit: inside this test's transaction that would close the test's own connection."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda **kwargs: None)


@pytest.fixture
def judged():
    return judged_event_factory(
        entries=3, judges=2, criteria=[{"code": "look", "title": "观感", "max_value": Decimal("20")}]
    )


def _socket(path, user=None):
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    communicator.scope["user"] = user or AnonymousUser()
    return communicator


def _connect(path, user=None):
    async def scenario():
        communicator = _socket(path, user)
        result = await communicator.connect()
        await communicator.disconnect()
        return result

    return async_to_sync(scenario)()


def _mark(judged, judge, index, value, key, *, actor=None, reason="", version=0):
    return marks_submit(
        judge=judge,
        actor=actor,
        event=judged.event,
        marks=[MarkInput(entry=judged.entries[index].pk, criterion="look", value=str(value), version=version)],
        idempotency_key=key,
        reason=reason,
    )


def test_judge_socket_refuses_anonymous_and_users_not_judging_the_event(judged):
    other = judged_event_factory(entries=1, judges=1)
    path = f"/ws/judge/events/{judged.event.pk}/"
    assert _connect(path) == (False, 4403)
    assert _connect(path, UserFactory()) == (False, 4403)
    assert _connect(path, other.judges[0]) == (False, 4403)
    assert _connect(f"/ws/judge/events/{judged.event.pk + 999}/", judged.judges[0]) == (False, 4403)


def test_judge_socket_gets_its_own_frames_only_and_is_read_only(judged):
    first, second = judged.judges

    async def scenario():
        mine = _socket(f"/ws/judge/events/{judged.event.pk}/", first)
        theirs = _socket(f"/ws/judge/events/{judged.event.pk}/", second)
        connected = ((await mine.connect())[0], (await theirs.connect())[0])
        await sync_to_async(board.publish)(judge_group_name(judged.event.pk, first.pk), {"type": "sheet.state"})
        frame = await mine.receive_json_from()
        nothing_for_them = await theirs.receive_nothing(timeout=0.2)
        await mine.send_to(text_data='{"type": "sheet.state"}')
        reply = await mine.receive_json_from()
        await mine.disconnect()
        await theirs.disconnect()
        return connected, frame, nothing_for_them, reply["code"]

    assert async_to_sync(scenario)() == ((True, True), {"type": "sheet.state"}, True, "read_only")


def test_a_lock_and_an_unlock_reach_the_judges_group_with_the_servers_marks(judged, django_capture_on_commit_callbacks):
    judge = judged.judges[0]
    listener = LayerListener(
        judge_group_name(judged.event.pk, judge.pk), judge_group_name(judged.event.pk, judged.judges[1].pk)
    )
    with django_capture_on_commit_callbacks(execute=True):
        _mark(judged, judge, 1, "12.5", "k1")
    listener.frames()  # the mark's own frame is tested below
    with django_capture_on_commit_callbacks(execute=True):
        sheet = sheet_lock(actor=judged.chief, sheet=Sheet.objects.get(judge=judge), reason="复核完毕")
    with django_capture_on_commit_callbacks(execute=True):
        sheet_unlock(actor=judged.chief, sheet=sheet, reason="选手申诉")
    group = judge_group_name(judged.event.pk, judge.pk)
    mark = {"value": "12.5", "penalty": "0", "status": "ok", "version": 1}
    frames = listener.frames()
    stamps = [frame.pop("at") for frame in frames]  # the server's clock, so a tablet keeps the latest state
    assert stamps == sorted(stamps)
    assert frames == [
        {
            "type": "sheet.state",
            "event": judged.event.pk,
            "entry": "A02",
            "state": "locked",
            "reason": "复核完毕",
            "marks": {"look:1": mark},
            "group": group,
        },
        {
            "type": "sheet.state",
            "event": judged.event.pk,
            "entry": "A02",
            "state": "submitted",
            "reason": "选手申诉",
            "marks": {"look:1": mark},
            "group": group,
        },
    ]


def test_a_submit_reaches_the_judges_other_tablets(judged, django_capture_on_commit_callbacks):
    judge = judged.judges[0]
    listener = LayerListener(judge_group_name(judged.event.pk, judge.pk))
    with django_capture_on_commit_callbacks(execute=True):
        sheet_submit(judge=judge, entry=judged.entries[0])
    assert [(f["type"], f["entry"], f["state"], f["marks"]) for f in listener.frames()] == [
        ("sheet.state", "A01", "submitted", {})
    ]


def test_a_chief_correction_reaches_the_judge_by_code_with_its_reason(judged, django_capture_on_commit_callbacks):
    judge = judged.judges[0]
    with django_capture_on_commit_callbacks(execute=True):
        _mark(judged, judge, 2, "10", "k1")
    listener = LayerListener(judge_group_name(judged.event.pk, judge.pk))
    with django_capture_on_commit_callbacks(execute=True):
        _mark(judged, judge, 2, "11", "k2", actor=judged.chief, reason="计分错误", version=1)
    with django_capture_on_commit_callbacks(execute=True):
        _mark(judged, judge, 2, "11", "k3", version=2)  # unchanged: nothing to tell
    assert listener.frames() == [
        {
            "type": "marks.changed",
            "event": judged.event.pk,
            "entry": "A03",
            "by": "chief",
            "reason": "计分错误",
            "marks": {"look:1": {"value": "11", "penalty": "0", "status": "ok", "version": 2}},
            "group": judge_group_name(judged.event.pk, judge.pk),
        },
    ]


def test_a_scheme_change_reaches_every_judge_of_the_event(judged, django_capture_on_commit_callbacks):
    groups = [judge_group_name(judged.event.pk, user.pk) for user in [*judged.judges, judged.chief]]
    listener = LayerListener(*groups)
    data = {"criteria": [{"code": "look", "title": "观感", "max_value": "30"}]}
    with django_capture_on_commit_callbacks(execute=True):
        scheme_revise(user=judged.organiser, scheme=judged.scheme, data=data, reason="满分改为 30")
    frames = listener.frames()
    assert sorted(f["group"] for f in frames) == sorted(groups)
    assert {(f["type"], f["event"], f["revision"]) for f in frames} == {("scheme.changed", judged.event.pk, 2)}


def test_offline_bundle_holds_every_sheet_the_judge_may_mark_by_code(
    client, judged, django_capture_on_commit_callbacks
):
    judge = judged.judges[0]
    # A unit of the judge's own: that entry is recused and left out; an undrawn entry has no sheet yet.
    unit = OrganisationFactory()
    JudgeAssignment.objects.filter(user=judge).update(organisation=unit)
    EntryFactory(event=judged.event, code="A04", station=4, start_order=1, contestant__organisation=unit)
    EntryFactory(event=judged.event, code="", station=5, start_order=1)
    _mark(judged, judge, 0, "15", "k1")
    with django_capture_on_commit_callbacks(execute=True):
        sheet_lock(actor=judged.chief, sheet=Sheet.objects.get(judge=judge), reason="复核完毕")
    client.force_login(judge)
    response = client.get(reverse("tablet:offline-bundle", args=[judged.event.pk]))
    body = response.json()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert (body["event"], body["revision"], [c["code"] for c in body["criteria"]]) == (judged.event.pk, 1, ["look"])
    assert [(s["entry"], s["state"], s["reason"], s["marks"]) for s in body["sheets"]] == [
        ("A01", "locked", "复核完毕", {"look:1": {"value": "15", "penalty": "0", "status": "ok", "version": 1}}),
        ("A02", "draft", "", {}),
        ("A03", "draft", "", {}),
    ]
    assert body["sheets"][1]["url"] == f"/judge/events/{judged.event.pk}/entries/A02/"
    assert set(body["sheets"][0]) == {"entry", "station", "url", "state", "reason", "marks"}  # no entry id


def test_offline_bundle_refuses_users_not_judging_the_event(client, judged):
    client.force_login(UserFactory())
    response = client.get(reverse("tablet:offline-bundle", args=[judged.event.pk]))
    assert (response.status_code, response.json()["code"]) == (403, "not_assigned")


def test_offline_bundle_query_count_does_not_grow_with_entries(client, django_assert_max_num_queries):
    judged = judged_event_factory(entries=1, judges=1)
    client.force_login(judged.judges[0])
    url = reverse("tablet:offline-bundle", args=[judged.event.pk])
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    for index in range(2, 4):
        EntryFactory(event=judged.event, code=f"B{index}", station=index, start_order=1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(url).json()["sheets"]) == 3


def test_sheet_next_and_previous_skip_recused_entries(client, judged):
    judge = judged.judges[0]
    JudgeAssignment.objects.filter(user=judge).update(organisation=judged.entries[1].contestant.organisation)
    client.force_login(judge)
    response = client.get(reverse("tablet:sheet", args=[judged.event.pk, "A01"]))
    assert (response.context["next"].code, response.context["data"]["next"]) == ("A03", "A03")
    response = client.get(reverse("tablet:sheet", args=[judged.event.pk, "A03"]))
    assert response.context["previous"].code == "A01"
