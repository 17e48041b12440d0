import pytest

from competitions.models import Event, JudgeAssignment, Team
from tests.factories import (
    CompetitionFactory,
    ContestantFactory,
    EntryFactory,
    EventFactory,
    JudgeAssignmentFactory,
    OrganisationFactory,
    TeamFactory,
)
from tests.helpers import client_for, organiser_of

pytestmark = pytest.mark.django_db

Role = JudgeAssignment.Role


# Events


def test_event_list_filters_by_competition_and_hides_private():
    event = EventFactory(code="drone", title="无人机操控", position=1)
    EventFactory()
    EventFactory(competition=CompetitionFactory(is_public=False))

    response = client_for().get("/api/v1/events/", {"competition": event.competition_id})

    assert response.json()["results"] == [
        {
            "id": event.pk,
            "competition": event.competition_id,
            "code": "drone",
            "title": "无人机操控",
            "kind": "individual",
            "description": "",
            "stations": 0,
            "position": 1,
            "blind": True,
            "decoded_at": None,
        }
    ]


def test_event_blind_and_decoding_are_read_only_over_the_api():
    event = EventFactory()
    organiser = organiser_of(event.competition)

    response = client_for(organiser).patch(
        f"/api/v1/events/{event.pk}/", {"blind": False, "decoded_at": "2026-11-22T10:00:00Z"}, format="json"
    )

    event.refresh_from_db()
    # Refused, not ignored: a client must not believe it unset ``blind`` (400 unknown_field, nothing changed).
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (400, "unknown_field", "blind")
    assert (event.blind, event.decoded_at) == (True, None)


def test_event_private_competition_visible_to_its_judge():
    event = EventFactory(competition=CompetitionFactory(is_public=False))
    judge = JudgeAssignmentFactory(competition=event.competition, event=event).user

    response = client_for(judge).get(f"/api/v1/events/{event.pk}/")

    assert response.status_code == 200
    assert response.json()["id"] == event.pk


def test_event_create_by_organiser():
    competition = CompetitionFactory()
    payload = {"competition": competition.pk, "code": "hotdish", "title": "中式热菜", "kind": "team"}

    response = client_for(organiser_of(competition)).post("/api/v1/events/", payload, format="json")

    assert response.status_code == 201
    event = Event.objects.get()
    assert (event.competition_id, event.code, event.kind) == (competition.pk, "hotdish", "team")
    assert response.json()["id"] == event.pk


def test_event_create_in_another_organisers_competition_is_403():
    competition = CompetitionFactory()
    intruder = organiser_of(CompetitionFactory())
    payload = {"competition": competition.pk, "code": "x", "title": "x"}

    response = client_for(intruder).post("/api/v1/events/", payload, format="json")

    assert response.status_code == 403
    assert Event.objects.count() == 0


def test_event_create_in_invisible_competition_is_400_on_competition():
    competition = CompetitionFactory(is_public=False)
    intruder = organiser_of(CompetitionFactory())
    payload = {"competition": competition.pk, "code": "x", "title": "x"}

    response = client_for(intruder).post("/api/v1/events/", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["competition"]


def test_event_create_duplicate_code_is_400():
    event = EventFactory(code="drone")
    payload = {"competition": event.competition_id, "code": "drone", "title": "x"}

    response = client_for(organiser_of(event.competition)).post("/api/v1/events/", payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_event_update_by_organiser():
    event = EventFactory(title="旧")

    response = client_for(organiser_of(event.competition)).patch(
        f"/api/v1/events/{event.pk}/", {"title": "新", "stations": 6}, format="json"
    )

    assert response.status_code == 200
    event.refresh_from_db()
    assert (event.title, event.stations) == ("新", 6)


def test_event_cannot_move_to_another_competition():
    event = EventFactory()
    organiser = organiser_of(event.competition)
    other = CompetitionFactory()
    JudgeAssignmentFactory(user=organiser, competition=other, role=Role.ORGANISER)

    response = client_for(organiser).patch(f"/api/v1/events/{event.pk}/", {"competition": other.pk}, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("parent_immutable", "competition")
    event.refresh_from_db()
    assert event.competition_id != other.pk


def test_event_delete_by_organiser():
    event = EventFactory()

    response = client_for(organiser_of(event.competition)).delete(f"/api/v1/events/{event.pk}/")

    assert response.status_code == 204
    assert Event.objects.count() == 0


# Teams


def test_team_list_has_organisation_name():
    team = TeamFactory(name="甲区代表队", organisation=OrganisationFactory(name="甲区总工会"))

    response = client_for().get("/api/v1/teams/", {"competition": team.competition_id})

    assert response.json()["results"] == [
        {
            "id": team.pk,
            "competition": team.competition_id,
            "organisation": team.organisation_id,
            "organisation_name": "甲区总工会",
            "name": "甲区代表队",
        }
    ]


def test_team_filter_by_organisation():
    team = TeamFactory()
    TeamFactory(competition=team.competition)

    response = client_for().get("/api/v1/teams/", {"organisation": team.organisation_id})

    assert [row["id"] for row in response.json()["results"]] == [team.pk]


def test_team_create_update_delete_by_organiser():
    competition = CompetitionFactory()
    client = client_for(organiser_of(competition))
    organisation = OrganisationFactory()

    created = client.post(
        "/api/v1/teams/",
        {"competition": competition.pk, "organisation": organisation.pk, "name": "一队"},
        format="json",
    )
    team_id = created.json()["id"]
    renamed = client.patch(f"/api/v1/teams/{team_id}/", {"name": "二队"}, format="json")
    deleted = client.delete(f"/api/v1/teams/{team_id}/")

    assert (created.status_code, renamed.status_code, deleted.status_code) == (201, 200, 204)
    assert renamed.json()["name"] == "二队"
    assert Team.objects.count() == 0


def test_team_delete_keeps_members_without_team():
    member = ContestantFactory(team=TeamFactory())
    team = member.team

    response = client_for(organiser_of(team.competition)).delete(f"/api/v1/teams/{team.pk}/")

    assert response.status_code == 204
    member.refresh_from_db()
    assert member.team_id is None


def test_team_update_by_judge_is_403():
    team = TeamFactory()
    judge = JudgeAssignmentFactory(competition=team.competition, role=Role.CHIEF_JUDGE).user

    response = client_for(judge).patch(f"/api/v1/teams/{team.pk}/", {"name": "x"}, format="json")

    assert response.status_code == 403


def test_event_kind_cannot_change_once_it_has_entries():
    entry = EntryFactory()
    event = entry.event

    response = client_for(organiser_of(event.competition)).patch(
        f"/api/v1/events/{event.pk}/", {"kind": "team"}, format="json"
    )

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("event_has_entries", "kind")
    event.refresh_from_db()
    assert event.kind == "individual"


def test_event_kind_may_change_without_entries():
    event = EventFactory()

    response = client_for(organiser_of(event.competition)).patch(
        f"/api/v1/events/{event.pk}/", {"kind": "team"}, format="json"
    )

    assert (response.status_code, response.json()["kind"]) == (200, "team")
