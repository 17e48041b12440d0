"""The attacker test of blind marking (盲评 / 解密, issue #11 defect 1).

A judge of a blind event collects EVERYTHING they can read: every API endpoint and page
open to them as a judge (signed in), every socket they may join, plus everything public
(signed out). Before the event is decoded they must not be able to pair an entry code with
a name:

- no response contains both a contestant's name (or unit) and that entry's code;
- no identifier of an entry that a judge sees (entry id, tablet URL) appears in a public
  response, and no public row key appears in a judge's response;
- nothing the judge reads, signed in or signed out (the public board, its socket, the
  overview), gives a rank, total or award of their event: the public board of a blind event
  is sealed until decoding (codes in code order, with progress, and no scores), since a judge
  who saw their event's scores could mark strategically.

Stations (赛位号) are shown to judges (they find the entry at the venue by it) and never in
a public payload: a station is visible at the venue to anyone standing there, but nothing
digital ties it to a name before decoding.

After decoding, names appear on the public board and over the socket at once.
"""

import json
import re
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import Client

from competitions.models import Entry
from competitions.services import event_decode
from live.board import row_keys
from scoring.models import Mark
from scoring.services import MarkInput, marks_submit
from scoring.signals import event_decoded_on_commit
from tests.factories import ContestantFactory, OrganisationFactory, judged_event_factory
from tests.helpers import client_for
from tests.live.conftest import _isolated_layer_and_cache, socket  # noqa: F401 - the autouse fixture

# _isolated_layer_and_cache: the boards are cached per event id; on the services run the shared
# Redis still held another run's board for the same id (and a higher version), so no delta was sent.

pytestmark = pytest.mark.django_db

CODES = ["QX17", "QX42", "QX63"]
NAMES = ["欧阳锦绣", "司马长风", "诸葛青云"]
UNITS = ["渝州精工机械厂", "巴山饮食服务公司", "嘉陵江船舶修造厂"]


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """Signed-in sockets look the user up through Channels' ``database_sync_to_async``, which closes
    connections left outside autocommit: inside this test's transaction, on a file SQLite database,
    that would close the test's own connection under it."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda **kwargs: None)


@pytest.fixture
def blind(django_capture_on_commit_callbacks):
    """A blind, public, live-published event of three named entries, fully marked by three judges."""
    ev = judged_event_factory(entries=3, judges=3)
    for entry, code, name, unit in zip(ev.entries, CODES, NAMES, UNITS, strict=True):
        organisation = OrganisationFactory(name=unit, short_name=unit)
        entry.contestant = ContestantFactory(competition=ev.competition, organisation=organisation, name=name)
        entry.code = code
        entry.save()
    for index, judge in enumerate(ev.judges):
        with django_capture_on_commit_callbacks(execute=True):
            marks_submit(
                judge=judge,
                event=ev.event,
                marks=[
                    MarkInput(entry=entry.pk, criterion=criterion.code, value=str(10 + position + index))
                    for position, entry in enumerate(ev.entries)
                    for criterion in ev.criteria
                ],
                idempotency_key=f"seed-{index}",
            )
    ev.capture = django_capture_on_commit_callbacks
    return ev


def _page_client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _bodies(responses) -> dict[str, str]:
    return {label: response.content.decode() for label, response in responses.items()}


def judge_view(ev, judge) -> dict[str, str]:
    """Everything the judge can open while signed in, as response bodies by path."""
    api, page = client_for(judge), _page_client(judge)
    event, competition = ev.event, ev.competition
    responses = {
        "entries": api.get(f"/api/v1/entries/?event={event.pk}"),
        "events": api.get(f"/api/v1/events/{event.pk}/"),
        "marks": api.get(f"/api/v1/events/{event.pk}/marks/"),
        "sheets": api.get(f"/api/v1/events/{event.pk}/sheets/"),
        "standings": api.get(f"/api/v1/events/{event.pk}/standings/"),
        "team-standings": api.get(f"/api/v1/events/{event.pk}/team-standings/"),
        "progress": api.get(f"/api/v1/events/{event.pk}/progress/"),
        "alerts": api.get(f"/api/v1/events/{event.pk}/variance-alerts/"),
        "assignments": api.get("/api/v1/judge-assignments/"),
        "mark-post": api.post(
            f"/api/v1/events/{event.pk}/marks/",
            {"marks": [{"entry": CODES[0], "criterion": "look", "value": "15", "version": 1}]},
            format="json",
            HTTP_IDEMPOTENCY_KEY="attacker-1",
        ),
        "tablet-home": page.get("/judge/"),
        "event-page": page.get(f"/competitions/{competition.slug}/events/{event.code}/"),
        "monitor": page.get(f"/live/events/{event.pk}/monitor.json"),
    }
    for code in CODES:
        responses[f"sheet-{code}"] = page.get(f"/judge/events/{event.pk}/entries/{code}/")
    return _bodies(responses)


def public_view(ev) -> dict[str, str]:
    """Everything anyone can open signed out."""
    api, page = client_for(None), _page_client()
    event, competition = ev.event, ev.competition
    responses = {
        "entries": api.get(f"/api/v1/entries/?event={event.pk}"),
        "standings": api.get(f"/api/v1/events/{event.pk}/standings/"),
        "team-standings": api.get(f"/api/v1/events/{event.pk}/team-standings/"),
        "organisation-awards": api.get(f"/api/v1/competitions/{competition.pk}/organisation-awards/"),
        "standings.json": page.get(f"/live/events/{event.pk}/standings.json"),
        "overview.json": page.get(f"/live/competitions/{competition.pk}/overview.json"),
        "board": page.get(f"/live/events/{event.pk}/"),
        "phone": page.get(f"/live/events/{event.pk}/phone/"),
        "overview": page.get(f"/live/competitions/{competition.pk}/"),
        "competition-page": page.get(f"/competitions/{competition.slug}/"),
        "event-page": page.get(f"/competitions/{competition.slug}/events/{event.code}/"),
    }
    return _bodies(responses)


def socket_frames(ev, user, mark_value: str) -> list[str]:
    """The frames the event's board socket sends ``user`` while another mark comes in."""

    def mark():
        stored = Mark.objects.get(entry=ev.entries[1], judge=ev.judges[1], criterion__code="look")
        with ev.capture(execute=True):
            marks_submit(
                judge=ev.judges[1],
                event=ev.event,
                marks=[MarkInput(entry=ev.entries[1].pk, criterion="look", value=mark_value, version=stored.version)],
                idempotency_key=f"socket-{mark_value}",
            )

    async def scenario():
        sockets = [socket(f"/ws/events/{ev.event.pk}/", user), socket(f"/ws/competitions/{ev.competition.pk}/", user)]
        for communicator in sockets:
            assert (await communicator.connect())[0]
        await sync_to_async(mark)()
        frames = [await communicator.receive_from(timeout=2) for communicator in sockets]
        for communicator in sockets:
            await communicator.disconnect()
        return frames

    return async_to_sync(scenario)()


def _json_dicts(body: str):
    try:
        data = json.loads(body)
    except ValueError:
        return
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def test_blind_event_a_judge_cannot_pair_a_code_with_a_name_before_decoding(blind):
    judge = blind.judges[0]
    judged = judge_view(blind, judge)
    public = public_view(blind)
    # The board sockets send every viewer the same public frames: the judge's are public payloads.
    public["socket (as the judge)"] = "\n".join(socket_frames(blind, judge, "16"))
    public["socket"] = "\n".join(socket_frames(blind, None, "17"))
    everything = {**{f"judge {k}": v for k, v in judged.items()}, **{f"public {k}": v for k, v in public.items()}}

    # The judge really did read something of every entry, and the public board really lists them.
    assert all(code in judged["tablet-home"] for code in CODES)
    assert all(code in public["standings.json"] for code in CODES)
    sealed = json.loads(public["standings.json"])
    assert sealed["sealed"] is True
    assert [row["code"] for row in sealed["rows"]] == sorted(CODES)  # code order, not board order
    assert all(row["complete"] for row in sealed["rows"])

    # 1. Nothing anyone reads holds a name (or unit) together with that entry's code.
    for code, name, unit in zip(CODES, NAMES, UNITS, strict=True):
        paired = [label for label, body in everything.items() if code in body and (name in body or unit in body)]
        assert paired == [], code

    # 2. No identifier is shared between what a judge sees and what the public sees.
    entries = list(Entry.objects.filter(event=blind.event).order_by("code"))
    keys = row_keys(blind.event.pk, [entry.pk for entry in entries])
    for entry in entries:
        for label, body in judged.items():
            assert keys[entry.pk] not in body, label
            assert f"/entries/{entry.pk}/" not in body, label
            for item in _json_dicts(body):
                if item.get("code") in CODES:  # a dict standing for an entry
                    for field in ("entry", "contestant", "team", "key"):
                        assert item.get(field) not in (entry.pk, keys[entry.pk]), (label, item)
        for label, body in public.items():
            for item in _json_dicts(body):
                if item.get("code") in CODES or item.get("name") in NAMES or item.get("holder_name") in NAMES:
                    assert not {"id", "entry", "station", "start_order", "contestant", "team"} & item.keys(), (
                        label,
                        item,
                    )
            assert not re.search(rf'"entry":\s*{entry.pk}\b', body), label
    assert all("id" not in row for row in json.loads(judged["entries"])["results"])
    # The judge knows entries by code and station; no public payload carries stations.
    assert all('"station"' not in body for body in public.values())

    # 3. Nothing the judge can read, signed in or out, gives a rank, total or award of their event.
    assert json.loads(judged["standings"])["code"] == "standings_blind"
    for label, body in everything.items():
        for item in _json_dicts(body):
            assert not {"rank", "total", "award", "criterion_scores"} & item.keys(), (label, item)


def test_blind_event_names_appear_on_the_board_and_socket_once_decoded(blind):
    standings_url = f"/live/events/{blind.event.pk}/standings.json"
    before = json.loads(_page_client().get(standings_url).content)
    assert {row["code"] for row in before["rows"]} == set(CODES)
    assert all("name" not in row and "total" not in row for row in before["rows"])

    def decode():
        with blind.capture(execute=True):
            event_decode(event=blind.event, actor=blind.chief)
            event_decoded_on_commit(blind.event.pk)

    async def scenario():
        board = socket(f"/ws/events/{blind.event.pk}/")
        overview = socket(f"/ws/competitions/{blind.competition.pk}/")
        assert (await board.connect())[0]
        assert (await overview.connect())[0]
        await sync_to_async(decode)()
        frames = (json.loads(await board.receive_from(timeout=2)), json.loads(await overview.receive_from(timeout=2)))
        await board.disconnect()
        await overview.disconnect()
        return frames

    frame, overview_frame = async_to_sync(scenario)()
    assert frame["type"] == "standings.full"
    named = {row["code"]: (row["name"], row["organisation"]) for row in frame["rows"]}
    assert named == {code: (name, unit) for code, name, unit in zip(CODES, NAMES, UNITS, strict=True)}
    # The scores are unsealed with the names: ranked, in board order.
    assert "sealed" not in frame
    assert [row["rank"] for row in frame["rows"]] == [1, 2, 3]
    assert all(Decimal(row["total"]) > 0 for row in frame["rows"])
    assert overview_frame["type"] == "overview.event"
    assert {row["name"] for row in overview_frame["rows"]} <= set(NAMES)

    after = json.loads(_page_client().get(standings_url).content)
    assert {row["code"]: row["name"] for row in after["rows"]} == dict(zip(CODES, NAMES, strict=True))
    # The judge's standings open once names are public.
    standings = client_for(blind.judges[0]).get(f"/api/v1/events/{blind.event.pk}/standings/")
    assert standings.status_code == 200
    assert {row["code"]: row["name"] for row in standings.json()["rows"]} == dict(zip(CODES, NAMES, strict=True))
    assert all("entry" not in row for row in standings.json()["rows"])


def test_blind_event_decoding_is_recorded_once_and_keeps_the_first_time(blind):
    first = event_decode(event=blind.event, actor=blind.chief)
    again = event_decode(event=blind.event, actor=blind.organiser)
    assert (again.decoded_at, again.decoded_by) == (first.decoded_at, blind.chief)


def test_not_blind_event_shows_names_and_no_codes_to_the_public(blind):
    blind.event.blind = False
    blind.event.save()
    rows = json.loads(_page_client().get(f"/live/events/{blind.event.pk}/standings.json").content)["rows"]
    assert {row["name"] for row in rows} == set(NAMES)
    assert all("code" not in row and "entry" not in row for row in rows)
    assert Decimal(rows[0]["total"]) > 0
