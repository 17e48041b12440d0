"""Who may write what: every set-up endpoint × role × unsafe action.

Roles are relative to the target competition: anonymous, a judge of one of its
events, its competition-wide chief judge, the organiser of another competition, and
its own organiser. Targets live in a public and in a private competition. A
non-owner never gets a 2xx, and the data never changes; a visible object answers 403,
an invisible one 404.
"""

import functools
import io
import json
import re

import openpyxl
import pytest
from drf_spectacular.generators import SchemaGenerator

from competitions.models import Competition, Contestant, Entry, Event, JudgeAssignment, Organisation, Team
from tests.factories import (
    CompetitionFactory,
    ContestantFactory,
    EntryFactory,
    EventFactory,
    JudgeAssignmentFactory,
    TeamFactory,
    UserFactory,
)
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

Role = JudgeAssignment.Role
ROLES = ["anonymous", "judge", "chief_judge", "other_organiser", "organiser"]


def build_world(*, is_public, users=None):
    """A competition with one of everything, and the users of each role in it.

    ``users`` lets two worlds share their people: the judge judges in both, and so on.
    """
    if users is None:
        users = {"anonymous": None, **{role: UserFactory() for role in ROLES[1:]}}
        JudgeAssignmentFactory(user=users["other_organiser"], role=Role.ORGANISER, organisation=None)
    competition = CompetitionFactory(is_public=is_public)
    event = EventFactory(competition=competition)
    team = TeamFactory(competition=competition)
    contestant = ContestantFactory(competition=competition, team=team, organisation=team.organisation, name="甄选手")
    entry = EntryFactory(event=event, contestant=contestant, code="Q7X")
    for role, assigned_event, user in [
        (Role.JUDGE, event, users["judge"]),
        (Role.CHIEF_JUDGE, None, users["chief_judge"]),
        (Role.ORGANISER, None, users["organiser"]),
    ]:
        JudgeAssignmentFactory(user=user, competition=competition, event=assigned_event, role=role, organisation=None)
    return {
        "competition": competition,
        "event": event,
        "team": team,
        "contestant": contestant,
        "spare": ContestantFactory(competition=competition, organisation=team.organisation),
        "entry": entry,
        "assignment": JudgeAssignmentFactory(competition=competition, event=event, role=Role.JUDGE, organisation=None),
        "users": users,
    }


# endpoint: (model, target key, update payload, create payload builder, visible to all who see the competition)
ENDPOINTS = {
    "competitions": (Competition, "competition", {"venue": "改"}, None, True),
    "events": (
        Event,
        "event",
        {"title": "改"},
        lambda w: {"competition": w["competition"].pk, "code": "new", "title": "新项目"},
        True,
    ),
    "teams": (
        Team,
        "team",
        {"name": "改"},
        lambda w: {"competition": w["competition"].pk, "organisation": w["team"].organisation_id, "name": "新队"},
        True,
    ),
    "contestants": (
        Contestant,
        "contestant",
        {"phone": "1"},
        lambda w: {
            "competition": w["competition"].pk,
            "organisation": w["team"].organisation_id,
            "name": "新选手",
            "id_number": "110101200001019998",
        },
        False,
    ),
    "entries": (
        Entry,
        "entry",
        {"status": "dsq"},
        lambda w: {"event": w["event"].pk, "contestant": w["spare"].pk},
        True,
    ),
    "judge-assignments": (
        JudgeAssignment,
        "assignment",
        {"role": "organiser", "event": None},
        lambda w: {"user": w["users"]["judge"].pk, "competition": w["competition"].pk, "role": "organiser"},
        False,
    ),
}


def snapshot(model):
    return json.dumps(list(model.objects.order_by("pk").values()), default=str)


def expected_status(role, *, action, visible, is_public):
    """The status a role gets for an unsafe action on an object of the target competition."""
    if role == "anonymous":
        return 403  # not signed in: refused before any lookup
    if role == "organiser":
        return {"create": 201, "update": 200, "delete": 204}[action]
    sees_competition = is_public or role in {"judge", "chief_judge"}
    if action == "create":
        # The parent is named in the body: one you cannot see "does not exist" (400), like a 404.
        return 403 if sees_competition else 400
    return 403 if (visible and sees_competition) else 404


def attempt(client, endpoint, action, world):
    _model, key, update_payload, create_payload, _visible = ENDPOINTS[endpoint]
    target = world[key]
    if action == "create":
        return client.post(f"/api/v1/{endpoint}/", create_payload(world), format="json")
    if action == "update":
        return client.patch(f"/api/v1/{endpoint}/{target.pk}/", update_payload, format="json")
    return client.delete(f"/api/v1/{endpoint}/{target.pk}/")


# Competitions are created by staff (tested in test_api_competitions), so they have no create case here.
UNSAFE_CASES = [
    (endpoint, action)
    for endpoint, (_model, _key, _update, create_payload, _visible) in ENDPOINTS.items()
    for action in ("create", "update", "delete")
    if not (action == "create" and create_payload is None)
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("endpoint", "action"), UNSAFE_CASES)
def test_authz_unsafe_action(endpoint, role, action):
    model, _key, _update, _create_payload, visible = ENDPOINTS[endpoint]
    outcomes = {}
    public = build_world(is_public=True)
    worlds = {True: public, False: build_world(is_public=False, users=public["users"])}
    for is_public, world in worlds.items():
        before = snapshot(model)

        response = attempt(client_for(world["users"][role]), endpoint, action, world)

        unchanged = snapshot(model) == before
        outcomes["public" if is_public else "private"] = (response.status_code, unchanged)

    expected = {
        label: (expected_status(role, action=action, visible=visible, is_public=is_public), role != "organiser")
        for label, is_public in (("public", True), ("private", False))
    }
    assert outcomes == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["update", "delete"])
def test_authz_organisation_writes_need_superuser(role, action):
    world = build_world(is_public=True)
    organisation = world["team"].organisation
    client = client_for(world["users"][role])
    before = snapshot(Organisation)

    if action == "update":
        response = client.patch(f"/api/v1/organisations/{organisation.pk}/", {"name": "改"}, format="json")
    else:
        response = client.delete(f"/api/v1/organisations/{organisation.pk}/")

    assert response.status_code == 403
    assert snapshot(Organisation) == before


@pytest.mark.parametrize("role", ["anonymous", "judge", "chief_judge", "other_organiser"])
def test_authz_organisation_create_refused_to_non_organisers(role):
    world = build_world(is_public=True)
    organiser_of_something = role == "other_organiser"

    response = client_for(world["users"][role]).post("/api/v1/organisations/", {"name": "新单位"}, format="json")

    assert response.status_code == (201 if organiser_of_something else 403)


@pytest.mark.parametrize("role", ["anonymous", "other_organiser"])
@pytest.mark.parametrize("endpoint", ["competitions", "events", "teams", "contestants", "entries", "judge-assignments"])
def test_authz_private_competition_is_404_to_outsiders(endpoint, role):
    world = build_world(is_public=False)
    target = world[ENDPOINTS[endpoint][1]]
    client = client_for(world["users"][role])

    detail = client.get(f"/api/v1/{endpoint}/{target.pk}/")
    listing = client.get(f"/api/v1/{endpoint}/")

    assert detail.status_code == 404
    assert target.pk not in [row.get("id") for row in listing.json()["results"]]


@pytest.mark.parametrize("role", ["judge", "chief_judge"])
@pytest.mark.parametrize("endpoint", ["competitions", "events", "teams", "entries"])
def test_authz_private_competition_is_readable_by_its_judges(endpoint, role):
    world = build_world(is_public=False)
    target = world[ENDPOINTS[endpoint][1]]
    client = client_for(world["users"][role])

    if endpoint == "entries":
        # Judges know entries by code only: the list, never an entry by id.
        response = client.get("/api/v1/entries/", {"event": target.event_id})
        assert [row["code"] for row in response.json()["results"]] == [target.code]
    else:
        response = client.get(f"/api/v1/{endpoint}/{target.pk}/")
    assert response.status_code == 200


def test_authz_superuser_may_write_anything():
    world = build_world(is_public=False)
    admin = UserFactory(is_superuser=True, is_staff=True)

    response = client_for(admin).patch(f"/api/v1/entries/{world['entry'].pk}/", {"status": "dsq"}, format="json")

    assert response.status_code == 200
    assert Entry.objects.get(pk=world["entry"].pk).status == "dsq"


# Personal data: crawl every list and detail endpoint.

LIST_URLS = [
    "/api/v1/organisations/",
    "/api/v1/organisations/tree/",
    "/api/v1/competitions/",
    "/api/v1/events/",
    "/api/v1/teams/",
    "/api/v1/contestants/",
    "/api/v1/entries/",
    "/api/v1/judge-assignments/",
]


def crawl(client):
    """Every list page, and the detail page of every object listed; the raw JSON text of each."""
    bodies = []
    for url in LIST_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.content.decode())
        data = response.json()
        rows = data["results"] if isinstance(data, dict) else data
        if url.endswith("/tree/"):
            continue
        for row in rows:
            if "id" not in row:
                continue  # the public view of an entry has no id
            detail = client.get(f"{url}{row['id']}/")
            assert detail.status_code == 200, detail.request["PATH_INFO"]
            bodies.append(detail.content.decode())
    return "\n".join(bodies)


def personal_data(world):
    people = [world["contestant"], world["spare"]]
    return {value for person in people for value in (person.phone, person.id_number)}


@pytest.mark.parametrize("role", ["anonymous", "judge", "chief_judge", "other_organiser"])
def test_authz_personal_data_never_leaks_outside_organisers(role):
    world = build_world(is_public=True)
    build_world(is_public=False)

    text = crawl(client_for(world["users"][role]))

    sees_codes = role in {"judge", "chief_judge"}
    # Blind judging: judges see the code and not the name, everybody else the other way round.
    assert (world["entry"].code in text, world["contestant"].name in text) == (sees_codes, not sees_codes)
    assert sorted(value for value in personal_data(world) if value in text) == []


def test_authz_personal_data_reaches_the_organiser():
    world = build_world(is_public=True)

    text = crawl(client_for(world["users"]["organiser"]))

    assert sorted(value for value in personal_data(world) if value in text) == sorted(personal_data(world))


@pytest.mark.parametrize("role", ["judge", "chief_judge"])
def test_authz_judge_never_sees_holder_names(role):
    world = build_world(is_public=True)

    text = crawl(client_for(world["users"][role]))
    entries = client_for(world["users"][role]).get("/api/v1/entries/").json()["results"]

    assert [sorted(row) for row in entries] == [["code", "event", "start_order", "station", "status"]]
    assert world["entry"].code in text


@functools.cache
def api_get_paths():
    """Every GET path of the whole API (all apps), with its path parameters, from the OpenAPI schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = []
    for path, operations in schema["paths"].items():
        parameters = operations.get("get", {}).get("parameters", [])
        if "get" in operations and not any(p["in"] == "query" and p.get("required") for p in parameters):
            paths.append(path)
    return paths


def body_text(response):
    if "spreadsheet" in response.get("Content-Type", ""):
        workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row)
    return response.content.decode(errors="replace")


def crawl_whole_api(client, world):
    """GET every path of the API, filling ``{id}``-like parameters from the world; the 200 bodies."""
    ids = {
        "competitions": world["competition"].pk,
        "events": world["event"].pk,
        "entries": world["entry"].pk,
        "teams": world["team"].pk,
        "contestants": world["contestant"].pk,
        "judge-assignments": world["assignment"].pk,
        "organisations": world["team"].organisation_id,
        "competition_id": world["competition"].pk,
        "event_id": world["event"].pk,
    }
    bodies, reached = [], []
    for path in api_get_paths():
        resource = path.split("/")[3]
        names = re.findall(r"{(\w+)}", path)
        values = {name: ids.get(resource if name == "id" else name) for name in names}
        if any(value is None for value in values.values()):
            continue
        response = client.get(path.format(**values))
        if response.status_code == 200 and not response.streaming:
            reached.append(path)
            bodies.append(body_text(response))
    return reached, "\n".join(bodies)


@pytest.mark.parametrize("role", ["anonymous", "judge", "chief_judge", "other_organiser"])
def test_authz_personal_data_never_leaks_from_any_endpoint_of_the_api(role):
    world = build_world(is_public=True)

    reached, text = crawl_whole_api(client_for(world["users"][role]), world)

    assert "/api/v1/entries/" in reached
    assert sorted(value for value in personal_data(world) if value in text) == []
