"""Every console page in English carries no Chinese in its chrome (all data here is ASCII)."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from competitions.models import JudgeAssignment
from tests.factories import (
    CompetitionFactory,
    ContestantFactory,
    CriterionFactory,
    EventFactory,
    JudgeAssignmentFactory,
    MarkingSchemeFactory,
    OrganisationFactory,
    TeamFactory,
)
from tests.test_english_pages import chinese_left

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield client
    translation.activate(settings.LANGUAGE_CODE)


def test_console_pages_in_english_have_no_chinese_in_the_chrome(english):
    host = OrganisationFactory(name="City Federation", short_name="CF")
    competition = CompetitionFactory(title="Skills Cup", slug="CUP", host=host, venue="Hall 1")
    unit = OrganisationFactory(name="District One", short_name="D1")
    organiser = JudgeAssignmentFactory(
        competition=competition, role="organiser", organisation=host, user__first_name="Organiser"
    ).user
    event = EventFactory(competition=competition, code="car", title="Car repair")
    team_event = EventFactory(competition=competition, code="relay", title="Relay", kind="team")
    team = TeamFactory(competition=competition, organisation=unit, name="Team One")
    contestant = ContestantFactory(competition=competition, organisation=unit, team=team, name="Li Lei")
    judge = JudgeAssignmentFactory(
        competition=competition, event=event, organisation=unit, user__username="judge1", user__first_name="Judge"
    )
    scheme = MarkingSchemeFactory(event=event)
    CriterionFactory(scheme=scheme, code="look", title="Look", max_value=Decimal("20"))
    pk = competition.pk
    pages = [
        "/console/",
        "/console/new/",
        f"/console/{pk}/",
        f"/console/{pk}/edit/",
        f"/console/{pk}/events/",
        f"/console/{pk}/events/?q=zzz",
        f"/console/{pk}/teams/",
        f"/console/{pk}/contestants/",
        f"/console/{pk}/units/",
        f"/console/{pk}/events/new/",
        f"/console/{pk}/events/{team_event.pk}/",
        f"/console/{pk}/teams/{team.pk}/",
        f"/console/{pk}/contestants/{contestant.pk}/",
        f"/console/{pk}/units/{unit.pk}/",
        f"/console/{pk}/contestants/{contestant.pk}/delete/",
        f"/console/{pk}/events/{event.pk}/scheme/",
        f"/console/{pk}/events/{team_event.pk}/scheme/",
        f"/console/{pk}/judges/",
        f"/console/{pk}/judges/{judge.pk}/remove/",
    ]
    english.force_login(organiser)
    assert JudgeAssignment.objects.filter(user=organiser).count() == 1
    leftovers = {}
    for url in pages:
        english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = english.get(url)
        assert (url, response.status_code) == (url, 200)
        html = response.content.decode()
        assert '<html lang="en">' in html, url
        found = chinese_left(html)
        if found:
            leftovers[url] = found
    assert leftovers == {}
