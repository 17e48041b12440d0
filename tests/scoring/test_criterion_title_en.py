"""A criterion may carry an English title: API and admin take it, the English UI shows it, Chinese keeps the title."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from scoring.admin import CriterionInline
from tests.factories import MarkFactory, judged_event_factory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_after():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _judged():
    return judged_event_factory(
        entries=1,
        judges=3,
        criteria=[
            {"code": "look", "title": "观感", "title_en": "Appearance", "max_value": Decimal("20")},
            {"code": "taste", "title": "味感", "max_value": Decimal("40")},
        ],
    )


def test_scheme_api_takes_and_returns_the_english_title():
    judged = judged_event_factory(entries=1, judges=1, criteria=[])
    judged.scheme.delete()
    body = {
        "event": judged.event.pk,
        "criteria": [{"code": "look", "title": "观感", "title_en": "Appearance", "max_value": "20"}],
    }
    response = client_for(judged.organiser).post("/api/v1/schemes/", body, format="json")
    assert response.status_code == 201, response.json()
    assert [(c["title"], c["title_en"]) for c in response.json()["criteria"]] == [("观感", "Appearance")]


def test_admin_edits_the_english_title():
    assert CriterionInline.fields.index("title_en") == CriterionInline.fields.index("title") + 1


@pytest.mark.parametrize(("language", "titles"), [("en", ["Appearance", "味感"]), ("zh-hans", ["观感", "味感"])])
def test_tablet_sheet_shows_the_english_title_in_english(client, language, titles):
    judged = _judged()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(judged.judges[0])
    response = client.get(reverse("tablet:sheet", args=[judged.event.pk, judged.entries[0].code]))
    assert [c["title"] for c in response.context["data"]["criteria"]] == titles


def test_chief_desk_alerts_and_sheet_show_the_english_title_in_english(client):
    judged = _judged()
    for judge, value in zip(judged.judges, ["10", "10", "18"], strict=True):
        MarkFactory(entry=judged.entries[0], criterion=judged.criteria[0], judge=judge, value=Decimal(value))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(judged.chief)
    desk = client.get(reverse("tablet:chief", args=[judged.event.pk]))
    assert [alert["criterion_title"] for alert in desk.context["alerts"]] == ["Appearance"]
    sheet = client.get(reverse("tablet:chief-sheet", args=[judged.event.pk, "A01", judged.judges[2].pk]))
    html = sheet.content.decode()
    assert ("Appearance" in html, "观感" in html) == (True, False)


def test_public_event_page_shows_the_english_title_in_english(client):
    judged = _judged()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("event-detail", args=[judged.competition.slug, judged.event.code])
    html = client.get(url).content.decode()
    assert ("Appearance" in html, "观感" in html, "味感" in html) == (True, False, True)
