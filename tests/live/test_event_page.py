"""The public event page (``live.pages.event_detail``): blind entry lists, the scheme, staff links."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import (
    CompetitionFactory,
    CriterionFactory,
    EntryFactory,
    EventFactory,
    JudgeAssignmentFactory,
    MarkingSchemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coded_entry():
    return EntryFactory(
        code="A01",
        station=3,
        start_order=1,
        contestant__name="王建国",
        contestant__phone="13912345678",
        contestant__id_number="11010519491231002X",
        contestant__organisation__name="渝中区总工会",
    )


def _entry_page(client, entry) -> str:
    response = client.get(f"/competitions/{entry.event.competition.slug}/events/{entry.event.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "13912345678" not in html
    assert "11010519491231002X" not in html
    return html


def test_event_detail_shows_the_public_names_but_no_codes(client, coded_entry):
    html = _entry_page(client, coded_entry)
    assert ("王建国" in html, "渝中区总工会" in html) == (True, True)
    assert ("A01" in html, "为保证评分公正，参赛号和赛位号不公开。" in html) == (False, True)


def test_event_detail_shows_judges_codes_but_no_names(client, coded_entry):
    judge = JudgeAssignmentFactory(competition=coded_entry.event.competition).user
    client.force_login(judge)
    html = _entry_page(client, coded_entry)
    assert ("A01" in html, "王建国" in html, "渝中区总工会" in html) == (True, False, False)


def test_event_detail_shows_organisers_codes_and_names(client, coded_entry):
    organiser = JudgeAssignmentFactory(competition=coded_entry.event.competition, role="organiser").user
    client.force_login(organiser)
    html = _entry_page(client, coded_entry)
    assert ("A01" in html, "王建国" in html, "渝中区总工会" in html) == (True, True, True)


def test_event_detail_summarises_the_scheme(client):
    scheme = MarkingSchemeFactory(theory_weight=Decimal("0.3"), practical_weight=Decimal("0.7"))
    CriterionFactory(scheme=scheme, title="味感", max_value=40, position=2)
    CriterionFactory(scheme=scheme, title="观感", max_value=20, position=1)
    event = scheme.event
    response = client.get(f"/competitions/{event.competition.slug}/events/{event.code}/")
    assert [(c.title, int(c.max_value)) for c in response.context["criteria"]] == [("观感", 20), ("味感", 40)]
    assert "理论成绩占 30%，实操成绩占 70%。" in response.content.decode()


def test_event_detail_unknown_event_is_404(client):
    competition = CompetitionFactory()
    assert client.get(f"/competitions/{competition.slug}/events/nope/").status_code == 404


@pytest.mark.parametrize("n", [1, 3])
def test_event_detail_query_count_does_not_grow(client, django_assert_num_queries, n):
    event = EventFactory()
    for _ in range(n):
        EntryFactory(event=event)
    # competition, event (+scheme), entries; no criteria query without a scheme; anonymous: no roles query
    with django_assert_num_queries(3):
        response = client.get(f"/competitions/{event.competition.slug}/events/{event.code}/")
    assert len(response.context["entries"]) == n


@pytest.mark.parametrize(
    ("role", "links"),
    [
        (None, (False, False, False)),
        ("judge", (False, False, False)),
        ("chief_judge", (False, True, True)),
        ("organiser", (True, True, True)),
    ],
)
def test_event_detail_links_staff_pages_by_role(client, coded_entry, role, links):
    event = coded_entry.event
    if role:
        client.force_login(JudgeAssignmentFactory(competition=event.competition, role=role).user)
    html = _entry_page(client, coded_entry)
    urls = (
        reverse("manage-event-draw", args=[event.pk]),
        reverse("live:monitor", args=[event.pk]),
        reverse("tablet:chief", args=[event.pk]),
    )
    assert tuple(url in html for url in urls) == links
