"""The public bracket in a real browser, at 1920×1080 and on a phone: the 41-team tug-of-war demo.

A result confirmed afterwards shows the winner in the next round (the page polls the same
JSON every few seconds; this test reloads rather than waits for a poll). Screenshots go to
a temporary directory, or with ``SCREENSHOTS=1`` to docs/screenshots/matches-bracket-1920.png and matches-phone.png.
"""

import os
import random
from pathlib import Path

import pytest

from competitions.models import Event
from demo import data
from matches.models import Match
from matches.services import end_record, match_confirm
from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
BIG_SCREEN = {"width": 1920, "height": 1080}


@pytest.fixture
def tug(daphne_server):
    units = data._organisations()
    data._tug(units, data._Users(), data.PersonGenerator(random.Random(1)), random.Random(2))
    return daphne_server, Event.objects.get(competition__slug="TUG")


def test_bracket_big_screen_and_phone_show_a_confirmed_winner_moved_on(browse, tug, tmp_path):
    server, event = tug
    shots = DOCS_SCREENSHOTS if os.environ.get("SCREENSHOTS") == "1" else tmp_path
    waiting = Match.objects.filter(match_event__event=event, status=Match.Status.SCHEDULED, round=1).order_by("order")
    match = next(m for m in waiting if m.home_id and m.away_id)
    url = f"{server.url}/matches/events/{event.pk}/"

    def scenario(page):
        page.set_viewport_size(BIG_SCREEN)
        page.goto(url + "?tv=1")
        page.wait_for_function("document.getElementById('bracket-root').dataset.loaded === '1'")
        assert page.locator(".group").count() == 8
        assert page.locator(".group tr.through").count() == 16
        assert page.locator(".round").count() == 4
        page.screenshot(path=shots / "matches-bracket-1920.png")
        page.set_viewport_size(PHONE)
        page.goto(url)
        page.wait_for_function("document.getElementById('bracket-root').dataset.loaded === '1'")
        assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
        page.screenshot(path=shots / "matches-phone.png")
        assert page.errors == []

    browse(scenario)

    referee = event.competition.assignments.filter(role="judge").first().user
    chief = event.competition.assignments.filter(role="chief_judge").first().user
    # The weigh-in rule holds for the demo's overweight team; pick a match both teams may start.
    for n in (1, 2):
        end_record(referee=referee, match=match, winner="home", idempotency_key=f"b{n}", version=None)
    match_confirm(actor=chief, match=match, version=None)
    next_match = Match.objects.get(match_event__event=event, stage="knockout", round=2, home_id=match.home_id)

    def moved_on(page):
        page.set_viewport_size(BIG_SCREEN)
        page.goto(url + "?tv=1")
        page.wait_for_function("document.getElementById('bracket-root').dataset.loaded === '1'")
        card = page.locator(f'.match[data-key="{next_match.key}"] .side').first
        return card.inner_text()

    text = browse(moved_on)
    assert match.home.team.name in text
