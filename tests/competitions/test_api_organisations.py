import pytest

from competitions.models import JudgeAssignment, Organisation
from tests.factories import CompetitionFactory, JudgeAssignmentFactory, OrganisationFactory, UserFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_organisation_list_has_parent_and_children_count():
    city = OrganisationFactory(name="市总工会", short_name="市总", kind=Organisation.Kind.FEDERATION)
    OrganisationFactory(name="甲区总工会", parent=city)
    OrganisationFactory(name="乙区总工会", parent=city)

    response = client_for().get("/api/v1/organisations/", {"root": "true"})

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": city.pk,
            "name": "市总工会",
            "short_name": "市总",
            "kind": "federation",
            "parent": None,
            "children_count": 2,
        }
    ]


def test_organisation_filter_by_parent():
    city = OrganisationFactory(name="市总工会")
    district = OrganisationFactory(name="甲区总工会", parent=city)
    OrganisationFactory(name="其他")

    response = client_for().get("/api/v1/organisations/", {"parent": city.pk})

    assert [row["id"] for row in response.json()["results"]] == [district.pk]


def test_organisation_tree_nests_children_by_name():
    city = OrganisationFactory(name="A市总工会", short_name="市总")
    district = OrganisationFactory(name="B区总工会", short_name="B区", parent=city)
    enterprise = OrganisationFactory(name="C公司", short_name="C", parent=district, kind="enterprise")
    other = OrganisationFactory(name="D产业工会", short_name="D", kind="industry")

    response = client_for().get("/api/v1/organisations/tree/")

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": city.pk,
            "name": "A市总工会",
            "short_name": "市总",
            "kind": "district",
            "children": [
                {
                    "id": district.pk,
                    "name": "B区总工会",
                    "short_name": "B区",
                    "kind": "district",
                    "children": [
                        {"id": enterprise.pk, "name": "C公司", "short_name": "C", "kind": "enterprise", "children": []}
                    ],
                }
            ],
        },
        {"id": other.pk, "name": "D产业工会", "short_name": "D", "kind": "industry", "children": []},
    ]


def test_organisation_create_by_organiser():
    organiser = JudgeAssignmentFactory(role=JudgeAssignment.Role.ORGANISER).user
    parent = OrganisationFactory()

    response = client_for(organiser).post(
        "/api/v1/organisations/",
        {"name": "某某建设集团", "short_name": "建设集团", "kind": "enterprise", "parent": parent.pk},
        format="json",
    )

    assert response.status_code == 201
    created = Organisation.objects.get(name="某某建设集团")
    assert response.json() == {
        "id": created.pk,
        "name": "某某建设集团",
        "short_name": "建设集团",
        "kind": "enterprise",
        "parent": parent.pk,
        "children_count": 0,
    }


def test_organisation_create_by_plain_user_is_403():
    response = client_for(UserFactory()).post("/api/v1/organisations/", {"name": "x"}, format="json")

    assert response.status_code == 403


def test_organisation_create_by_judge_is_403():
    judge = JudgeAssignmentFactory(role=JudgeAssignment.Role.JUDGE).user

    response = client_for(judge).post("/api/v1/organisations/", {"name": "x"}, format="json")

    assert response.status_code == 403


def test_organisation_update_needs_superuser():
    organisation = OrganisationFactory(name="旧名")
    organiser = JudgeAssignmentFactory(role=JudgeAssignment.Role.ORGANISER).user
    admin = UserFactory(is_staff=True, is_superuser=True)

    refused = client_for(organiser).patch(f"/api/v1/organisations/{organisation.pk}/", {"name": "新名"}, format="json")
    accepted = client_for(admin).patch(f"/api/v1/organisations/{organisation.pk}/", {"name": "新名"}, format="json")

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert accepted.json()["name"] == "新名"


def test_organisation_update_refuses_parent_cycle():
    city = OrganisationFactory()
    district = OrganisationFactory(parent=city)
    admin = UserFactory(is_staff=True, is_superuser=True)

    response = client_for(admin).patch(f"/api/v1/organisations/{city.pk}/", {"parent": district.pk}, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("organisation_cycle", "parent")
    city.refresh_from_db()
    assert city.parent_id is None


def test_organisation_delete_in_use_is_409():
    competition = CompetitionFactory()
    admin = UserFactory(is_staff=True, is_superuser=True)

    response = client_for(admin).delete(f"/api/v1/organisations/{competition.host_id}/")

    assert response.status_code == 409
    assert response.json()["code"] == "protected"
    assert Organisation.objects.filter(pk=competition.host_id).exists() is True


def test_organisation_delete_unused_by_superuser():
    organisation = OrganisationFactory()
    admin = UserFactory(is_staff=True, is_superuser=True)

    response = client_for(admin).delete(f"/api/v1/organisations/{organisation.pk}/")

    assert response.status_code == 204
    assert Organisation.objects.filter(pk=organisation.pk).exists() is False
