"""The English UI: the language menu names each language in its own name, and the main pages carry no Chinese.

The data here is all ASCII, so any CJK character left on a page is the page's own wording
(its chrome), not user data. Text marked ``lang="zh-Hans"`` is Chinese on purpose (the
language menu's 简体中文, the Excel file's own column names) and is left out of the check.
"""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from judging.login_codes import login_code_issue
from scoring.models import Sheet
from tests.factories import (
    ContestantFactory,
    EntryFactory,
    MarkFactory,
    OrganisationFactory,
    SheetFactory,
    judged_event_factory,
)

pytestmark = pytest.mark.django_db

# Han characters and CJK punctuation (fullwidth ：；，（） too); the tablet steppers' fullwidth ＋ and － are symbols.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff0a\uff0c\uff0e-\uff20\uff3b-\uffef]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Visible(HTMLParser):
    """Every text and attribute value of a page, except inside elements marked as Chinese (``lang="zh-…"``)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[bool] = []

    def _skipping(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        chinese = any(name == "lang" and (value or "").lower().startswith("zh") for name, value in attrs)
        if tag == "html":
            chinese = False  # the page's own language is checked by the test, not skipped
        if not (self._skipping() or chinese):
            self.parts += [f"{tag}[{name}]={value}" for name, value in attrs if value]
        if tag not in VOID:
            self.stack.append(chinese)

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def chinese_left(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return [part.strip()[:80] for part in parser.parts if CJK.search(part)]


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield client
    # The last English request left English active in this thread: back to the default for the next test.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def ascii_event():
    """A judged event whose every name and title is ASCII (one entry marked with an alert-free panel)."""
    criteria = [
        {"code": "look", "title": "Look", "max_value": Decimal("20")},
        {"code": "taste", "title": "Taste", "max_value": Decimal("40")},
    ]
    host = OrganisationFactory(name="City Federation of Trade Unions", short_name="CFTU")
    judged = judged_event_factory(
        entries=0, judges=3, criteria=criteria, title="Drone Rescue Cup", slug="drone", host=host
    )
    judged.event.title, judged.event.code = "Search and rescue", "sar"
    judged.event.save()
    for number in range(1, 4):
        unit = OrganisationFactory(name=f"District {number} Union", short_name=f"D{number}")
        contestant = ContestantFactory(competition=judged.competition, organisation=unit, name=f"Contestant {number}")
        judged.entries.append(
            EntryFactory(event=judged.event, contestant=contestant, code=f"A0{number}", station=number, start_order=1)
        )
    for number, user in enumerate([*judged.judges, judged.chief, judged.organiser], start=1):
        user.first_name, user.last_name = "User", str(number)
        user.save()
    for judge in judged.judges:
        for criterion in judged.criteria:
            MarkFactory(entry=judged.entries[0], criterion=criterion, judge=judge, value=Decimal("12"))
        SheetFactory(entry=judged.entries[0], judge=judge, state=Sheet.State.SUBMITTED)
    return judged


def test_language_menu_names_each_language_in_its_own_name(english):
    client = english
    for language in ("zh-hans", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = client.get("/").content.decode()
        options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', html)
        assert options == [("zh-hans", "简体中文"), ("en", "English")], language
        assert '<option value="zh-hans" lang="zh-Hans"' in html


def _pages(judged):
    event, competition = judged.event, judged.competition
    _code, token = login_code_issue(user=judged.judges[0])
    return [
        (None, "/"),
        (None, reverse("competition-detail", args=[competition.slug])),
        (None, reverse("event-detail", args=[competition.slug, event.code])),
        (None, reverse("login")),
        (None, reverse("tablet:code-login", args=[token])),
        (judged.judges[0], reverse("tablet:home")),
        (judged.judges[0], reverse("tablet:sheet", args=[event.pk, "A02"])),
        (judged.chief, reverse("tablet:home")),
        (judged.chief, reverse("tablet:chief", args=[event.pk])),
        (judged.chief, reverse("tablet:chief", args=[event.pk]) + "?show=missing"),
        (judged.chief, reverse("tablet:chief-sheet", args=[event.pk, "A01", judged.judges[0].pk])),
        (judged.chief, reverse("live:monitor", args=[event.pk])),
        (judged.organiser, reverse("manage-import", args=[competition.pk])),
        (judged.organiser, reverse("manage-event-draw", args=[event.pk])),
        (judged.organiser, reverse("manage-event-results", args=[event.pk])),
    ]


def test_main_pages_in_english_have_no_chinese_in_the_chrome(english, ascii_event):
    judged = ascii_event
    judged.competition.is_public = True
    judged.competition.save()
    leftovers = {}
    for user, url in _pages(judged):
        if user is None:
            english.logout()
        else:
            english.force_login(user)
        english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = english.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="en">' in html, url
        found = chinese_left(html)
        if found:
            leftovers[url] = found
    assert leftovers == {}


def test_english_desk_after_decoding_shows_names_and_no_chinese(english, ascii_event):
    from django.utils import timezone

    judged = ascii_event
    judged.event.decoded_at = timezone.now()
    judged.event.save()
    english.force_login(judged.chief)
    html = english.get(reverse("tablet:chief", args=[judged.event.pk])).content.decode()
    assert ("Contestant 1" in html, chinese_left(html)) == (True, [])
