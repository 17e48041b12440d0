import pytest

from competitions.models import JudgeAssignment
from tests.factories import CompetitionFactory, EventFactory, JudgeAssignmentFactory, OrganisationFactory, UserFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

Role = JudgeAssignment.Role


def test_judge_assignment_list_for_organiser_shows_competition_assignments():
    organiser_assignment = JudgeAssignmentFactory(role=Role.ORGANISER)
    competition = organiser_assignment.competition
    event = EventFactory(competition=competition)
    judge_assignment = JudgeAssignmentFactory(
        competition=competition, event=event, role=Role.JUDGE, user__username="judge-a"
    )
    JudgeAssignmentFactory()

    response = client_for(organiser_assignment.user).get("/api/v1/judge-assignments/", {"role": "judge"})

    assert response.json()["results"] == [
        {
            "id": judge_assignment.pk,
            "user": judge_assignment.user_id,
            "username": "judge-a",
            "competition": competition.pk,
            "event": event.pk,
            "role": "judge",
            "organisation": judge_assignment.organisation_id,
        }
    ]


def test_judge_assignment_list_for_judge_shows_only_own():
    mine = JudgeAssignmentFactory()
    JudgeAssignmentFactory(competition=mine.competition)

    response = client_for(mine.user).get("/api/v1/judge-assignments/")

    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_judge_assignment_list_is_empty_for_anonymous():
    JudgeAssignmentFactory()

    response = client_for().get("/api/v1/judge-assignments/")

    assert (response.status_code, response.json()["results"]) == (200, [])


def test_judge_assignment_create_event_judge():
    organiser = JudgeAssignmentFactory(role=Role.ORGANISER)
    event = EventFactory(competition=organiser.competition)
    judge = UserFactory()
    organisation = OrganisationFactory()
    payload = {
        "user": judge.pk,
        "competition": event.competition_id,
        "event": event.pk,
        "role": "chief_judge",
        "organisation": organisation.pk,
    }

    response = client_for(organiser.user).post("/api/v1/judge-assignments/", payload, format="json")

    assert response.status_code == 201
    created = JudgeAssignment.objects.get(user=judge)
    assert (created.event_id, created.role, created.organisation_id) == (event.pk, "chief_judge", organisation.pk)


def test_judge_assignment_create_organiser_for_event_is_400_on_event():
    organiser = JudgeAssignmentFactory(role=Role.ORGANISER)
    event = EventFactory(competition=organiser.competition)
    payload = {"user": UserFactory().pk, "competition": event.competition_id, "event": event.pk, "role": "organiser"}

    response = client_for(organiser.user).post("/api/v1/judge-assignments/", payload, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("organiser_event", "event")


def test_judge_assignment_create_with_event_of_another_competition_is_400_on_event():
    organiser = JudgeAssignmentFactory(role=Role.ORGANISER)
    foreign_event = EventFactory()
    payload = {"user": UserFactory().pk, "competition": organiser.competition_id, "event": foreign_event.pk}
    payload["role"] = "judge"

    response = client_for(organiser.user).post("/api/v1/judge-assignments/", payload, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("assignment_other_competition", "event")


def test_judge_assignment_create_duplicate_is_400():
    organiser = JudgeAssignmentFactory(role=Role.ORGANISER)
    payload = {"user": organiser.user_id, "competition": organiser.competition_id, "role": "organiser"}

    response = client_for(organiser.user).post("/api/v1/judge-assignments/", payload, format="json")

    assert response.status_code == 400
    assert JudgeAssignment.objects.count() == 1


def test_judge_assignment_create_in_another_competition_is_403():
    organiser = JudgeAssignmentFactory(role=Role.ORGANISER)
    payload = {"user": organiser.user_id, "competition": CompetitionFactory().pk, "role": "organiser"}

    response = client_for(organiser.user).post("/api/v1/judge-assignments/", payload, format="json")

    assert response.status_code == 403
    assert JudgeAssignment.objects.count() == 1


def test_judge_assignment_judge_cannot_promote_self():
    mine = JudgeAssignmentFactory(role=Role.JUDGE)

    response = client_for(mine.user).patch(
        f"/api/v1/judge-assignments/{mine.pk}/", {"role": "organiser"}, format="json"
    )

    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.role == "judge"


def test_judge_assignment_update_and_delete_by_organiser():
    organiser = JudgeAssignmentFactory(role=Role.ORGANISER)
    assignment = JudgeAssignmentFactory(competition=organiser.competition, role=Role.JUDGE)
    client = client_for(organiser.user)

    updated = client.patch(f"/api/v1/judge-assignments/{assignment.pk}/", {"role": "chief_judge"}, format="json")
    deleted = client.delete(f"/api/v1/judge-assignments/{assignment.pk}/")

    assert (updated.status_code, updated.json()["role"]) == (200, "chief_judge")
    assert deleted.status_code == 204
    assert JudgeAssignment.objects.filter(pk=assignment.pk).exists() is False
