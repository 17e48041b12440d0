"""Screens for a hall, in Debian's headless chromium against a real Daphne (issue 13, item 10).

A 41-team event (38 scored, 3 not yet) on a 1920×1080 TV: large type, paged rows with a page
indicator, no scrollbars; every changed score highlighted; the award ceremony stepped from the
chief judge's monitor by award tier; and the phone view with its award column and unit filter.
Screenshots go to docs/screenshots/.
"""

from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from competitions.models import Contestant
from scoring.models import Mark
from scoring.services import MarkInput, marks_submit
from tests.browser.conftest import PHONE, browse, browser_thread  # noqa: F401 - fixtures
from tests.factories import OrganisationFactory, judged_event_factory
from tests.live.test_e2e import CSRF_SECRET, post_mark
from tests.live_server import _daphne_process, daphne_server  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TV = {"width": 1920, "height": 1080}
UNITS = 5


@pytest.fixture
def hall(flushable_history, daphne_server):  # noqa: F811
    """41 entries of 5 units, names shown (not blind); A01 best … A38 scored, A39–A41 not yet."""
    judged = judged_event_factory(
        entries=41, judges=1, criteria=[{"code": "look", "title": "观感", "max_value": Decimal("100")}]
    )
    judged.event.blind = False
    judged.event.title = "无人机应急救援操作"
    judged.event.save()
    names = ("城东区", "城西区", "高新区", "江北区", "港口区")
    units = [OrganisationFactory(name=f"{name}总工会", short_name=name) for name in names]
    for index, entry in enumerate(judged.entries):
        Contestant.objects.filter(pk=entry.contestant_id).update(organisation=units[index % UNITS])
    judged.units = units
    marks_submit(
        judge=judged.judges[0],
        event=judged.event,
        marks=[
            MarkInput(entry=entry.pk, criterion="look", value=str(Decimal(90) - index))
            for index, entry in enumerate(judged.entries[:38])
        ],
        idempotency_key="hall-setup",
    )
    client = Client()
    client.force_login(judged.judges[0])
    judged.cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF_SECRET}"
    chief = Client()
    chief.force_login(judged.chief)
    judged.chief_session = chief.cookies["sessionid"].value
    return judged


def mark_version(judged, index):
    return Mark.objects.get(entry=judged.entries[index]).version


VISIBLE_ROWS = """() => Array.from(document.querySelectorAll('#live-rows tr.row'))
    .filter(tr => tr.offsetParent !== null).map(tr => tr.dataset.key)"""

LAYOUT = """() => {
    const px = sel => parseFloat(getComputedStyle(document.querySelector(sel)).fontSize);
    const rows = Array.from(document.querySelectorAll('#live-rows tr.row')).filter(tr => tr.offsetParent !== null);
    const doc = document.documentElement;
    return {
        fonts: ['td.rank', 'td.who .name', 'td.who .org', 'td.total', 'td.award']
            .map(s => px('#live-rows tr.row ' + s)),
        scrollable: doc.scrollHeight > innerHeight || doc.scrollWidth > innerWidth,
        lowest: Math.max(...rows.map(tr => tr.getBoundingClientRect().bottom)),
        shown: rows.length,
        pageLabel: document.getElementById('live-page').textContent,
        pageVisible: document.getElementById('live-page').checkVisibility(),
    };
}"""


def test_tv_board_fills_1920_with_40px_text_and_rotating_pages(browse, daphne_server, hall):  # noqa: F811
    def scenario(page):
        page.goto(f"{daphne_server.url}/live/events/{hall.event.pk}/?tv=1")
        page.wait_for_function("document.getElementById('live-root').dataset.version === '1'")
        page.wait_for_function("document.getElementById('live-page').textContent.startsWith('第 1/')")
        first = page.evaluate(LAYOUT)
        first_keys = page.evaluate(VISIBLE_ROWS)
        page.screenshot(path=str(SHOTS / "live-tv-1920.png"))
        page.wait_for_function("document.getElementById('live-page').textContent.startsWith('第 2/')", timeout=20000)
        second_keys = page.evaluate(VISIBLE_ROWS)
        return first, first_keys, second_keys, page.errors

    first, first_keys, second_keys, errors = browse(scenario, viewport=TV)
    assert min(first["fonts"]) >= 40, first["fonts"]
    assert first["scrollable"] is False
    assert first["lowest"] <= TV["height"]
    pages = -(-41 // first["shown"])
    assert (first["pageLabel"], first["pageVisible"]) == (f"第 1/{pages} 页", True)
    assert 3 <= pages <= 5  # ten-odd rows a page: readable, and every row within a minute
    assert (len(first_keys), len(second_keys)) == (first["shown"], first["shown"])
    assert not set(first_keys) & set(second_keys)
    assert errors == []


HIGHLIGHT = """key => {
    const tr = document.querySelector('#live-rows tr[data-key="' + key + '"]');
    const style = getComputedStyle(tr);
    return {cls: tr.className, animation: style.animationName, duration: style.animationDuration,
            background: style.backgroundColor};
}"""


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_every_changed_score_is_highlighted_for_four_seconds(browse, daphne_server, hall, motion):  # noqa: F811
    """A first place whose score goes up does not move, and is highlighted all the same."""
    from live.board import row_keys

    key = row_keys(hall.event.pk, [hall.entries[0].pk])[hall.entries[0].pk]
    version = mark_version(hall, 0)

    def scenario(page):
        page.goto(f"{daphne_server.url}/live/events/{hall.event.pk}/?tv=1")
        page.wait_for_function("document.getElementById('live-root').dataset.version === '1'")
        before = page.evaluate(HIGHLIGHT, key)
        post_mark(daphne_server, hall, 0, 95, "hall-raise", version=version)
        page.wait_for_function("document.getElementById('live-root').dataset.version === '2'")
        during = page.evaluate(HIGHLIGHT, key)
        page.wait_for_timeout(4500)
        after = page.evaluate(HIGHLIGHT, key)
        return before, during, after, page.errors

    before, during, after, errors = browse(scenario, viewport=TV, reduced_motion=motion)
    assert "is-changed" not in before["cls"]
    assert "is-changed" in during["cls"]
    if motion == "reduce":
        # No pulse, but a steady highlight for the same time.
        assert (during["animation"], during["background"] != before["background"]) == ("none", True)
    else:
        assert (during["animation"], during["duration"]) == ("live-changed", "4s")
    assert "is-changed" not in after["cls"]
    assert errors == []


def test_ceremony_reveals_by_tier_from_the_chief_judges_monitor(browse, daphne_server, hall):  # noqa: F811
    def scenario(page):
        page.context.add_cookies([{"name": "sessionid", "value": hall.chief_session, "url": daphne_server.url}])
        monitor = page.context.new_page()
        monitor.goto(f"{daphne_server.url}/live/events/{hall.event.pk}/monitor/")
        monitor.select_option("form.event-policy select[name=policy]", "reveal")
        with monitor.expect_navigation():
            monitor.click("form.event-policy button")
        # The TV of the hall: anonymous, as a hall screen is.
        hall_screen = page.context.browser.new_context(viewport=TV, locale="zh-CN")
        tv = hall_screen.new_page()
        tv.errors = []
        tv.on("pageerror", lambda error: tv.errors.append(str(error)))
        tv.goto(f"{daphne_server.url}/live/events/{hall.event.pk}/?tv=1")
        tv.wait_for_function("document.getElementById('live-root').dataset.policy === 'reveal'")
        seen = []
        for step in range(1, 8):
            with monitor.expect_navigation():
                monitor.click("button.reveal-next")
            tv.wait_for_function(f"document.getElementById('live-root').dataset.revealLeft === '{7 - step}'")
            seen.append(
                tv.evaluate(
                    """() => ({
                    note: document.getElementById('live-policy').textContent,
                    heads: Array.from(document.querySelectorAll('#live-rows tr.tier-head')).map(tr => tr.textContent),
                    top: document.querySelector('#live-rows tr.row .name').textContent,
                    rows: document.querySelectorAll('#live-rows tr.row').length,
                })"""
                )
            )
            if step in (2, 5, 7):
                name = {2: "third", 5: "second", 7: "first"}[step]
                tv.screenshot(path=str(SHOTS / f"live-reveal-{name}.png"))
        finished = monitor.inner_text(".reveal-state")
        hall_screen.close()
        return seen, finished, tv.errors + page.errors

    seen, finished, errors = browse(scenario, viewport=TV)
    names = [entry.contestant.name for entry in hall.entries]
    assert [(s["rows"], s["top"]) for s in seen] == [
        (32, names[6]),
        (33, names[5]),
        (34, names[4]),
        (35, names[3]),
        (36, names[2]),
        (37, names[1]),
        (38, names[0]),
    ]
    assert seen[0]["note"].startswith("正在揭晓：其余名次")
    assert seen[1]["note"].startswith("正在揭晓：三等奖")
    assert seen[1]["heads"] == ["三等奖", "其余名次"]
    assert seen[6]["heads"] == ["一等奖", "二等奖", "三等奖", "其余名次"]
    assert finished == "已全部揭晓"
    assert errors == []


def test_phone_keeps_the_award_column_and_a_unit_filter_that_survives_updates(browse, daphne_server, hall):  # noqa: F811
    unit = hall.units[1].short_name
    version = mark_version(hall, 1)

    def scenario(page):
        page.goto(f"{daphne_server.url}/live/events/{hall.event.pk}/phone/")
        page.wait_for_function("document.getElementById('live-root').dataset.version === '1'")
        award = page.evaluate(
            """() => { const td = document.querySelector('#live-rows tr.award-1 td.award');
                return {text: td.textContent, visible: td.offsetParent !== null,
                        right: td.getBoundingClientRect().right,
                        wide: document.documentElement.scrollWidth > innerWidth}; }"""
        )
        page.select_option("#live-unit-filter", unit)
        filtered = page.evaluate(
            "() => Array.from(document.querySelectorAll('#live-rows tr.row')).filter(tr => tr.offsetParent !== null)"
            ".map(tr => tr.querySelector('.org').textContent)"
        )
        page.screenshot(path=str(SHOTS / "live-phone.png"), full_page=False)
        # A live update (A02, of this unit, takes the lead) re-renders the board: the filter holds.
        post_mark(daphne_server, hall, 1, 99, "phone-raise", version=version)
        page.wait_for_function("document.getElementById('live-root').dataset.version === '2'")
        after = page.evaluate(
            "() => Array.from(document.querySelectorAll('#live-rows tr.row')).filter(tr => tr.offsetParent !== null)"
            ".map(tr => [tr.querySelector('.org').textContent, tr.querySelector('.rank').textContent])"
        )
        chosen = page.eval_on_selector("#live-unit-filter", "s => s.value")
        return award, filtered, after, chosen, page.errors

    award, filtered, after, chosen, errors = browse(scenario, viewport=PHONE)
    assert (award["text"], award["visible"], award["wide"]) == ("一等奖", True, False)
    assert award["right"] <= PHONE["width"]
    of_unit = sum(1 for index in range(41) if index % UNITS == 1)
    assert filtered == [unit] * of_unit
    assert [org for org, _rank in after] == [unit] * of_unit
    assert (after[0][1], chosen) == ("1", unit)
    assert errors == []


def test_phone_of_a_blind_event_shows_no_unit_filter_before_decoding(browse, daphne_server, flushable_history):  # noqa: F811
    """Codes only: there is no unit to filter by, so the filter is not shown (its rows have no unit)."""
    from tests.live.conftest import undecode
    from tests.live.test_e2e import logged_in_event

    judged = undecode(logged_in_event())
    post_mark(daphne_server, judged, 0, 10, "blind-phone")

    def scenario(page):
        page.goto(f"{daphne_server.url}/live/events/{judged.event.pk}/phone/")
        page.wait_for_function("document.getElementById('live-root').dataset.version === '1'")
        return page.is_visible(".unit-filter"), page.inner_text("#live-rows tr:nth-child(2) td.total"), page.errors

    filter_shown, unscored_total, errors = browse(scenario, viewport=PHONE)
    # Sealed until decoding: a row says whether its marks are in (评分中), never a score.
    assert (filter_shown, unscored_total, errors) == (False, "评分中", [])
