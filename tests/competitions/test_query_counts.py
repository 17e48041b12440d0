"""List endpoints issue the same number of queries for 1 and for 3 items: no N+1."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from competitions.models import JudgeAssignment
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

pytestmark = pytest.mark.django_db

Role = JudgeAssignment.Role


def make_items(endpoint, competition, count):
    for _ in range(count):
        if endpoint == "organisations":
            OrganisationFactory(parent=competition.host)
        elif endpoint == "competitions":
            CompetitionFactory(host=competition.host)
        elif endpoint == "events":
            EventFactory(competition=competition)
        elif endpoint == "teams":
            TeamFactory(competition=competition)
        elif endpoint == "contestants":
            ContestantFactory(competition=competition, team=TeamFactory(competition=competition))
        elif endpoint == "entries":
            EntryFactory(event=EventFactory(competition=competition))
            TeamEntryFactory(event=EventFactory(competition=competition, kind="team"))
        elif endpoint == "judge-assignments":
            JudgeAssignmentFactory(competition=competition, event=EventFactory(competition=competition))


def first_page(client, url):
    """(number of queries, number of items) of one GET."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.json()["count"]


ENDPOINTS = ["organisations", "competitions", "events", "teams", "contestants", "entries", "judge-assignments"]
PER_CALL = {"entries": 2}
# Contestants (personal data) and others' assignments are listed to organisers only.
ORGANISER_ONLY = {"contestants", "judge-assignments"}


# Lists that show nothing to a viewer have no query count to hold constant.
LIST_CASES = [
    (endpoint, viewer)
    for endpoint in ENDPOINTS
    for viewer in ("anonymous", "organiser", "judge")
    if endpoint not in ORGANISER_ONLY or viewer == "organiser"
]


@pytest.mark.parametrize(("endpoint", "viewer"), LIST_CASES)
def test_query_count_list_is_constant(endpoint, viewer, django_assert_num_queries):
    competition = CompetitionFactory()
    user = None
    if viewer != "anonymous":
        role = Role.ORGANISER if viewer == "organiser" else Role.JUDGE
        user = JudgeAssignmentFactory(competition=competition, role=role).user
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    url = f"/api/v1/{endpoint}/"
    make_items(endpoint, competition, 1)
    queries, items = first_page(client, url)

    make_items(endpoint, competition, 2)
    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.json()["count"] == items + 2 * PER_CALL.get(endpoint, 1)


def test_query_count_organisation_tree_is_one_query(django_assert_num_queries):
    city = OrganisationFactory()
    for _ in range(3):
        OrganisationFactory(parent=OrganisationFactory(parent=city))

    with django_assert_num_queries(1):
        response = APIClient().get("/api/v1/organisations/tree/")
    assert len(response.json()) == 1
