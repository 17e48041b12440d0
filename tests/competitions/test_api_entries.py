import pytest

from competitions.models import Entry, Event, JudgeAssignment
from tests.factories import (
    CompetitionFactory,
    ContestantFactory,
    EntryFactory,
    EventFactory,
    JudgeAssignmentFactory,
    OrganisationFactory,
    TeamEntryFactory,
    TeamFactory,
)
from tests.helpers import client_for, organiser_of

pytestmark = pytest.mark.django_db

Role = JudgeAssignment.Role


@pytest.fixture
def entry():
    organisation = OrganisationFactory(name="甲区总工会")
    contestant = ContestantFactory(name="王强", organisation=organisation)
    return EntryFactory(
        event__competition=contestant.competition, contestant=contestant, code="007", station=3, start_order=2
    )


def test_entry_public_view_shows_holder_and_organisation_only(entry):
    response = client_for().get("/api/v1/entries/", {"event": entry.event_id})

    assert response.json()["results"] == [
        {
            "event": entry.event_id,
            "holder_name": "王强",
            "organisation": entry.contestant.organisation_id,
            "organisation_name": "甲区总工会",
        }
    ]


def test_entry_public_detail_is_404(entry):
    # Judges know an entry by its id: the public may not look a name up by it.
    response = client_for().get(f"/api/v1/entries/{entry.pk}/")

    assert response.status_code == 404


def test_entry_public_list_is_by_unit_and_judge_list_by_draw():
    event = EventFactory()
    for unit, code, start_order in [("B区", "B1", 1), ("A区", "A2", 2)]:
        contestant = ContestantFactory(competition=event.competition, organisation=OrganisationFactory(name=unit))
        EntryFactory(event=event, contestant=contestant, code=code, start_order=start_order)
    judge = JudgeAssignmentFactory(competition=event.competition, event=event).user

    public = client_for().get("/api/v1/entries/", {"event": event.pk}).json()["results"]
    blind = client_for(judge).get("/api/v1/entries/", {"event": event.pk}).json()["results"]

    # Were both in draw order, the n-th name and the n-th code would be the same entry.
    assert [row["organisation_name"] for row in public] == ["A区", "B区"]
    assert [row["code"] for row in blind] == ["B1", "A2"]


def test_entry_organiser_view_shows_every_field(entry):
    response = client_for(organiser_of(entry.event.competition)).get(f"/api/v1/entries/{entry.pk}/")

    assert response.json() == {
        "id": entry.pk,
        "event": entry.event_id,
        "contestant": entry.contestant_id,
        "team": None,
        "code": "007",
        "station": 3,
        "start_order": 2,
        "status": "registered",
        "holder_name": "王强",
        "organisation": entry.contestant.organisation_id,
        "organisation_name": "甲区总工会",
    }


@pytest.mark.parametrize("role", [Role.JUDGE, Role.CHIEF_JUDGE])
def test_entry_judge_view_is_blind(entry, role):
    judge = JudgeAssignmentFactory(competition=entry.event.competition, event=entry.event, role=role).user

    response = client_for(judge).get("/api/v1/entries/", {"event": entry.event_id})

    assert response.json()["results"] == [
        {"event": entry.event_id, "code": "007", "station": 3, "start_order": 2, "status": "registered"}
    ]


def test_entry_judge_of_one_event_sees_other_events_of_competition_blind(entry):
    other_event = EventFactory(competition=entry.event.competition)
    judge = JudgeAssignmentFactory(competition=entry.event.competition, event=other_event).user

    listing = client_for(judge).get("/api/v1/entries/", {"event": entry.event_id})

    assert [sorted(row) for row in listing.json()["results"]] == [["code", "event", "start_order", "station", "status"]]


@pytest.mark.parametrize("role", [Role.JUDGE, Role.CHIEF_JUDGE])
def test_entry_by_id_is_404_to_judges_who_know_entries_by_code_only(entry, role):
    judge = JudgeAssignmentFactory(competition=entry.event.competition, event=entry.event, role=role).user

    response = client_for(judge).get(f"/api/v1/entries/{entry.pk}/")

    assert response.status_code == 404


def test_entry_judge_who_also_organises_sees_organiser_view(entry):
    judge = JudgeAssignmentFactory(competition=entry.event.competition, event=entry.event).user
    JudgeAssignmentFactory(user=judge, competition=entry.event.competition, role=Role.ORGANISER)

    response = client_for(judge).get(f"/api/v1/entries/{entry.pk}/")

    assert response.json()["holder_name"] == "王强"


def test_entry_blind_judge_cannot_filter_by_organisation(entry):
    judge = JudgeAssignmentFactory(competition=entry.event.competition, event=entry.event).user
    organisation = entry.contestant.organisation_id

    as_judge = client_for(judge).get("/api/v1/entries/", {"organisation": organisation})
    as_public = client_for().get("/api/v1/entries/", {"organisation": organisation})

    assert as_judge.json()["results"] == []
    assert [row["holder_name"] for row in as_public.json()["results"]] == ["王强"]


def test_entry_team_public_view_names_team():
    team = TeamFactory(name="乙区代表队")
    entry = TeamEntryFactory(event__competition=team.competition, team=team, code="T01")

    response = client_for().get("/api/v1/entries/", {"event": entry.event_id})

    row = response.json()["results"][0]
    assert (row["holder_name"], row["organisation"]) == ("乙区代表队", team.organisation_id)


def test_entry_private_competition_is_404_for_anonymous():
    entry = EntryFactory(event__competition=CompetitionFactory(is_public=False))

    assert client_for().get(f"/api/v1/entries/{entry.pk}/").status_code == 404


def test_entry_filter_by_competition_and_status(entry):
    EntryFactory()
    EntryFactory(event=entry.event, status=Entry.Status.DNS)

    organiser = organiser_of(entry.event.competition)
    params = {"competition": entry.event.competition_id, "status": "registered"}

    response = client_for(organiser).get("/api/v1/entries/", params)

    assert [row["id"] for row in response.json()["results"]] == [entry.pk]


def test_entry_create_individual():
    event = EventFactory()
    contestant = ContestantFactory(competition=event.competition)
    payload = {"event": event.pk, "contestant": contestant.pk, "code": "001"}

    response = client_for(organiser_of(event.competition)).post("/api/v1/entries/", payload, format="json")

    assert response.status_code == 201
    created = Entry.objects.get()
    assert (created.event_id, created.contestant_id, created.team_id, created.code) == (
        event.pk,
        contestant.pk,
        None,
        "001",
    )
    assert response.json()["contestant"] == contestant.pk


def test_entry_create_team():
    event = EventFactory(kind=Event.Kind.TEAM)
    team = TeamFactory(competition=event.competition)

    response = client_for(organiser_of(event.competition)).post(
        "/api/v1/entries/", {"event": event.pk, "team": team.pk}, format="json"
    )

    assert response.status_code == 201
    assert Entry.objects.get().team_id == team.pk


@pytest.mark.parametrize(
    ("kind", "holder", "field", "code"),
    [
        (Event.Kind.INDIVIDUAL, "team", "team", "entry_wrong_holder"),
        (Event.Kind.TEAM, "contestant", "contestant", "entry_wrong_holder"),
        (Event.Kind.INDIVIDUAL, None, "contestant", "entry_holder_missing"),
        (Event.Kind.TEAM, None, "team", "entry_holder_missing"),
    ],
)
def test_entry_create_checks_holder_kind(kind, holder, field, code):
    event = EventFactory(kind=kind)
    payload = {"event": event.pk}
    if holder == "team":
        payload["team"] = TeamFactory(competition=event.competition).pk
    elif holder == "contestant":
        payload["contestant"] = ContestantFactory(competition=event.competition).pk

    response = client_for(organiser_of(event.competition)).post("/api/v1/entries/", payload, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert Entry.objects.count() == 0


def test_entry_create_with_contestant_of_another_competition_is_400_on_contestant():
    event = EventFactory()
    stranger = ContestantFactory()

    response = client_for(organiser_of(event.competition)).post(
        "/api/v1/entries/", {"event": event.pk, "contestant": stranger.pk}, format="json"
    )

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("entry_other_competition", "contestant")


def test_entry_create_with_team_of_another_competition_is_400_on_team():
    event = EventFactory(kind=Event.Kind.TEAM)
    stranger = TeamFactory()

    response = client_for(organiser_of(event.competition)).post(
        "/api/v1/entries/", {"event": event.pk, "team": stranger.pk}, format="json"
    )

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("entry_other_competition", "team")


def test_entry_create_twice_for_same_contestant_is_400(entry):
    response = client_for(organiser_of(entry.event.competition)).post(
        "/api/v1/entries/", {"event": entry.event_id, "contestant": entry.contestant_id}, format="json"
    )

    assert response.status_code == 400
    assert Entry.objects.count() == 1


def test_entry_create_in_another_organisers_event_is_403():
    event = EventFactory()
    contestant = ContestantFactory(competition=event.competition)

    response = client_for(organiser_of(CompetitionFactory())).post(
        "/api/v1/entries/", {"event": event.pk, "contestant": contestant.pk}, format="json"
    )

    assert response.status_code == 403
    assert Entry.objects.count() == 0


def test_entry_update_status_by_organiser(entry):
    response = client_for(organiser_of(entry.event.competition)).patch(
        f"/api/v1/entries/{entry.pk}/", {"status": "checked_in", "station": 5}, format="json"
    )

    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.status, entry.station) == ("checked_in", 5)


def test_entry_cannot_move_to_another_event(entry):
    other = EventFactory(competition=entry.event.competition)

    response = client_for(organiser_of(entry.event.competition)).patch(
        f"/api/v1/entries/{entry.pk}/", {"event": other.pk}, format="json"
    )

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("parent_immutable", "event")


def test_entry_update_to_team_in_individual_event_is_400(entry):
    team = TeamFactory(competition=entry.event.competition)

    response = client_for(organiser_of(entry.event.competition)).patch(
        f"/api/v1/entries/{entry.pk}/", {"team": team.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["field"] == "team"


def test_entry_delete_by_organiser(entry):
    response = client_for(organiser_of(entry.event.competition)).delete(f"/api/v1/entries/{entry.pk}/")

    assert response.status_code == 204
    assert Entry.objects.count() == 0


def test_entry_update_by_judge_is_403(entry):
    judge = JudgeAssignmentFactory(competition=entry.event.competition, event=entry.event).user

    response = client_for(judge).patch(f"/api/v1/entries/{entry.pk}/", {"status": "dsq"}, format="json")

    assert response.status_code == 403
