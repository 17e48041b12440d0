import pytest

from competitions.models import Contestant, JudgeAssignment
from tests.factories import (
    CompetitionFactory,
    ContestantFactory,
    JudgeAssignmentFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)
from tests.helpers import client_for, organiser_of

pytestmark = pytest.mark.django_db

Role = JudgeAssignment.Role


def test_contestant_list_for_organiser_has_personal_data():
    contestant = ContestantFactory(name="张伟", id_number="110101199001011237", phone="13900000001", job_title="飞手")

    response = client_for(organiser_of(contestant.competition)).get("/api/v1/contestants/")

    assert response.json()["results"] == [
        {
            "id": contestant.pk,
            "competition": contestant.competition_id,
            "organisation": contestant.organisation_id,
            "team": None,
            "name": "张伟",
            "gender": "M",
            "id_number": "110101199001011237",
            "phone": "13900000001",
            "job_title": "飞手",
            "organisation_name": contestant.organisation.name,
        }
    ]


def test_contestant_list_for_superuser_shows_all():
    ContestantFactory()
    ContestantFactory(competition=CompetitionFactory(is_public=False))

    response = client_for(UserFactory(is_superuser=True)).get("/api/v1/contestants/")

    assert response.json()["count"] == 2


@pytest.mark.parametrize("role", [None, Role.JUDGE, Role.CHIEF_JUDGE])
def test_contestant_list_is_empty_for_non_organisers(role):
    contestant = ContestantFactory()
    user = JudgeAssignmentFactory(competition=contestant.competition, role=role).user if role else None

    listing = client_for(user).get("/api/v1/contestants/")
    detail = client_for(user).get(f"/api/v1/contestants/{contestant.pk}/")

    assert listing.json()["results"] == []
    assert detail.status_code == 404


def test_contestant_list_excludes_other_competitions():
    mine = ContestantFactory()
    ContestantFactory()

    response = client_for(organiser_of(mine.competition)).get("/api/v1/contestants/")

    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_contestant_create_with_team():
    team = TeamFactory()
    payload = {
        "competition": team.competition_id,
        "organisation": team.organisation_id,
        "team": team.pk,
        "name": "李娜",
        "gender": "F",
        "id_number": "110101199202023453",
        "phone": "13800000000",
    }

    response = client_for(organiser_of(team.competition)).post("/api/v1/contestants/", payload, format="json")

    assert response.status_code == 201
    contestant = Contestant.objects.get()
    assert (contestant.team_id, contestant.name, contestant.phone) == (team.pk, "李娜", "13800000000")


def test_contestant_create_with_team_of_another_competition_is_400_on_team():
    competition = CompetitionFactory()
    foreign_team = TeamFactory()
    payload = {
        "competition": competition.pk,
        "organisation": OrganisationFactory().pk,
        "team": foreign_team.pk,
        "name": "李娜",
        "id_number": "110101199202023453",
    }

    response = client_for(organiser_of(competition)).post("/api/v1/contestants/", payload, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("contestant_other_competition", "team")
    assert Contestant.objects.count() == 0


def test_contestant_create_duplicate_id_number_is_400():
    existing = ContestantFactory(id_number="110101199001011237")
    payload = {
        "competition": existing.competition_id,
        "organisation": existing.organisation_id,
        "name": "x",
        "id_number": "110101199001011237",
    }

    response = client_for(organiser_of(existing.competition)).post("/api/v1/contestants/", payload, format="json")

    assert response.status_code == 400
    assert Contestant.objects.count() == 1


REASONS = {"id_checksum": "校验位错误", "id_length": "应为18位", "id_format": "前17位应为数字，末位为数字或X"}


@pytest.mark.parametrize(
    ("id_number", "code"),
    [("110101199001011234", "id_checksum"), ("11010119900101123", "id_length"), ("11010119900101123Y", "id_format")],
)
def test_contestant_create_with_an_invalid_id_number_is_400(id_number, code):
    competition = CompetitionFactory()
    payload = {
        "competition": competition.pk,
        "organisation": OrganisationFactory().pk,
        "name": "x",
        "id_number": id_number,
    }

    response = client_for(organiser_of(competition)).post("/api/v1/contestants/", payload, format="json")

    body = response.json()
    assert response.status_code == 400
    assert (body["code"], body["field"]) == ("invalid", "id_number")
    assert body["detail"] == body["errors"]["id_number"][0] == f"身份证号{REASONS[code]}"
    assert Contestant.objects.count() == 0


def test_contestant_create_in_another_competition_is_403():
    competition = CompetitionFactory()
    payload = {
        "competition": competition.pk,
        "organisation": OrganisationFactory().pk,
        "name": "x",
        "id_number": "110101199001011237",
    }

    response = client_for(organiser_of(CompetitionFactory())).post("/api/v1/contestants/", payload, format="json")

    assert response.status_code == 403
    assert Contestant.objects.count() == 0


def test_contestant_update_and_delete_by_organiser():
    contestant = ContestantFactory(phone="1")
    client = client_for(organiser_of(contestant.competition))

    updated = client.patch(f"/api/v1/contestants/{contestant.pk}/", {"phone": "13911112222"}, format="json")
    deleted = client.delete(f"/api/v1/contestants/{contestant.pk}/")

    assert (updated.status_code, updated.json()["phone"]) == (200, "13911112222")
    assert deleted.status_code == 204
    assert Contestant.objects.count() == 0


def test_contestant_update_by_another_organiser_is_404():
    contestant = ContestantFactory()

    response = client_for(organiser_of(CompetitionFactory())).patch(
        f"/api/v1/contestants/{contestant.pk}/", {"phone": "1"}, format="json"
    )

    assert response.status_code == 404
