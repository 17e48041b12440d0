import pytest

from competitions.models import Competition, JudgeAssignment
from tests.factories import CompetitionFactory, JudgeAssignmentFactory, OrganisationFactory, UserFactory
from tests.helpers import client_for, organiser_of

pytestmark = pytest.mark.django_db

Role = JudgeAssignment.Role


def test_competition_list_shows_only_public_to_anonymous():
    public = CompetitionFactory(is_public=True)
    CompetitionFactory(is_public=False)

    response = client_for().get("/api/v1/competitions/")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [public.pk]


def test_competition_list_shows_private_competition_to_its_judge():
    private = CompetitionFactory(is_public=False)
    judge = JudgeAssignmentFactory(competition=private, role=Role.JUDGE).user

    response = client_for(judge).get("/api/v1/competitions/")

    assert [row["id"] for row in response.json()["results"]] == [private.pk]


def test_competition_detail_has_exact_fields():
    competition = CompetitionFactory(title="无人机应急救援技能竞赛", slug="DRONE", venue="体育中心")

    response = client_for().get(f"/api/v1/competitions/{competition.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": competition.pk,
        "title": "无人机应急救援技能竞赛",
        "slug": "DRONE",
        "year": 2026,
        "host": competition.host_id,
        "host_name": competition.host.name,
        "venue": "体育中心",
        "starts_on": None,
        "ends_on": None,
        "status": "running",
        "is_public": True,
        "publication": "live",
        "frozen_at": None,
        "forbid_conflict_of_interest": True,
    }


def test_competition_private_detail_is_404_for_anonymous():
    competition = CompetitionFactory(is_public=False)

    assert client_for().get(f"/api/v1/competitions/{competition.pk}/").status_code == 404


def test_competition_filter_by_status():
    CompetitionFactory(status=Competition.Status.DRAFT)
    finished = CompetitionFactory(status=Competition.Status.FINISHED)

    response = client_for().get("/api/v1/competitions/", {"status": "finished"})

    assert [row["id"] for row in response.json()["results"]] == [finished.pk]


def test_competition_create_by_staff_makes_creator_organiser():
    staff = UserFactory(is_staff=True)
    host = OrganisationFactory()

    response = client_for(staff).post(
        "/api/v1/competitions/",
        {"title": "区职工技能大赛", "slug": "DISTRICT", "year": 2026, "host": host.pk, "is_public": False},
        format="json",
    )

    assert response.status_code == 201
    competition = Competition.objects.get(slug="DISTRICT")
    assert response.json()["id"] == competition.pk
    assert response.json()["status"] == "draft"
    assignments = list(JudgeAssignment.objects.filter(competition=competition).values_list("user", "role", "event"))
    assert assignments == [(staff.pk, Role.ORGANISER, None)]


def test_competition_create_by_non_staff_is_403():
    user = UserFactory()
    host = OrganisationFactory()

    response = client_for(user).post(
        "/api/v1/competitions/", {"title": "x", "slug": "X", "year": 2026, "host": host.pk}, format="json"
    )

    assert response.status_code == 403
    assert Competition.objects.count() == 0


def test_competition_create_by_anonymous_is_403():
    host = OrganisationFactory()

    response = client_for().post(
        "/api/v1/competitions/", {"title": "x", "slug": "X", "year": 2026, "host": host.pk}, format="json"
    )

    assert response.status_code == 403


def test_competition_create_rejects_end_before_start_with_field():
    staff = UserFactory(is_staff=True)
    payload = {
        "title": "x",
        "slug": "X",
        "year": 2026,
        "host": OrganisationFactory().pk,
        "starts_on": "2026-05-02",
        "ends_on": "2026-05-01",
    }

    response = client_for(staff).post("/api/v1/competitions/", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["ends_on"]


def test_competition_create_duplicate_slug_is_400_on_slug():
    CompetitionFactory(slug="DRONE")
    staff = UserFactory(is_staff=True)
    payload = {"title": "x", "slug": "DRONE", "year": 2026, "host": OrganisationFactory().pk}

    response = client_for(staff).post("/api/v1/competitions/", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["slug"]


def test_competition_update_by_organiser():
    competition = CompetitionFactory(is_public=False)

    response = client_for(organiser_of(competition)).patch(
        f"/api/v1/competitions/{competition.pk}/", {"is_public": True, "status": "finished"}, format="json"
    )

    assert response.status_code == 200
    competition.refresh_from_db()
    assert (competition.is_public, competition.status) == (True, "finished")
    assert response.json()["is_public"] is True


def test_competition_update_by_judge_is_403():
    competition = CompetitionFactory()
    judge = JudgeAssignmentFactory(competition=competition, role=Role.CHIEF_JUDGE).user

    response = client_for(judge).patch(f"/api/v1/competitions/{competition.pk}/", {"venue": "x"}, format="json")

    assert response.status_code == 403


def test_competition_delete_by_organiser():
    competition = CompetitionFactory()

    response = client_for(organiser_of(competition)).delete(f"/api/v1/competitions/{competition.pk}/")

    assert response.status_code == 204
    assert Competition.objects.filter(pk=competition.pk).exists() is False
