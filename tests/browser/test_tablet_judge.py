"""The judge tablet in Debian's headless chromium, against a real Daphne.

A judge signs in and marks, and a spectator's board in another browser context moves;
marks entered offline wait in the tablet's queue (badge), survive a reload served by the
service worker, and sync exactly once; a judge of the entry's own unit is refused; every
control on the home and sheet pages is at least 48 px; screenshots at tablet and phone size
(``SCREENSHOTS=1`` writes them to docs/screenshots/).
"""

import os
from decimal import Decimal
from pathlib import Path

import pytest

from competitions.models import JudgeAssignment
from scoring.models import Criterion, Mark, MarkHistory
from tests.browser.conftest import PHONE
from tests.factories import JudgeAssignmentFactory, QuickUserFactory, judged_event_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "tablet-pass-1"
TABLET = {"width": 1024, "height": 768}
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DISH = [
    {"code": "look", "title": "观感", "description": "造型、刀工、色泽、装盘", "max_value": Decimal("20")},
    {"code": "taste", "title": "味感", "description": "火候、调味，无异味", "max_value": Decimal("40")},
    {"code": "hygiene", "title": "营养卫生", "description": "搭配合理，操作卫生", "max_value": Decimal("20")},
]


def _with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def dish(flushable_history, daphne_server):
    judged = judged_event_factory(entries=6, judges=1, criteria=DISH)
    judged.event.title = "中式热菜"
    judged.event.save()
    _with_password(judged.judges[0])
    return judged


def _sign_in(page, server, user):
    page.goto(f"{server.url}/accounts/login/?next=/judge/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert page.url == f"{server.url}/judge/"


def _enter(page, code, value):
    field = page.locator(f'.attempt[data-key="{code}:1"] input.value')
    field.fill(str(value))
    field.press("Enter")


def test_tablet_judge_marks_and_the_board_in_another_context_updates(browse, daphne_server, dish):
    first = dish.entries[0]

    def scenario(page):
        board = page.context.browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        try:
            screen = board.new_page()
            screen.goto(f"{daphne_server.url}/live/events/{dish.event.pk}/?tv=1")
            screen.wait_for_function("document.getElementById('live-root').dataset.version === '0'")
            _sign_in(page, daphne_server, dish.judges[0])
            page.get_by_role("link", name="A01").first.click()
            page.wait_for_url(f"**/judge/events/{dish.event.pk}/entries/{first.code}/")
            _enter(page, "look", "17.5")
            page.wait_for_function("document.getElementById('sync-badge').hidden === true")
            page.wait_for_selector('.attempt[data-key="look:1"].saved')
            screen.wait_for_function("document.getElementById('live-root').dataset.version === '1'")
            top = screen.inner_text("#live-rows tr:first-child .code")
            return top, page.errors + screen.errors if hasattr(screen, "errors") else page.errors
        finally:
            board.close()

    top, errors = browse(scenario)
    assert top == first.code  # the board of a blind event shows codes
    assert errors == []
    assert list(Mark.objects.values_list("entry_id", "criterion__code", "value")) == [
        (first.pk, "look", Decimal("17.500"))
    ]


def test_tablet_offline_marks_queue_survive_reload_and_sync_once(browse, daphne_server, dish):
    entry = dish.entries[1]

    def scenario(page):
        _sign_in(page, daphne_server, dish.judges[0])
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)
        page.goto(f"{daphne_server.url}/judge/events/{dish.event.pk}/entries/{entry.code}/")
        page.wait_for_selector('.attempt[data-key="look:1"]')
        page.context.set_offline(True)
        _enter(page, "look", "18")
        _enter(page, "taste", "35.5")
        _enter(page, "hygiene", "19")
        badge_offline = page.inner_text("#pending-count")
        page.reload()
        page.wait_for_selector('.attempt[data-key="look:1"]')
        badge_after_reload = page.inner_text("#pending-count")
        value_after_reload = page.input_value('.attempt[data-key="taste:1"] input.value')
        page.context.set_offline(False)
        page.wait_for_function("document.getElementById('sync-badge').hidden === true", timeout=20000)
        states = page.eval_on_selector_all(".attempt", "nodes => nodes.map(n => n.classList.contains('saved'))")
        return badge_offline, badge_after_reload, value_after_reload, states, page.errors

    badge_offline, badge_after_reload, value_after_reload, states, errors = browse(scenario)
    assert badge_offline == "3"
    assert badge_after_reload == "3"
    assert value_after_reload == "35.5"
    assert states == [True, True, True]
    marks = Mark.objects.filter(entry=entry).order_by("criterion__position")
    assert [(m.criterion.code, m.value, m.version) for m in marks] == [
        ("look", Decimal("18.000"), 1),
        ("taste", Decimal("35.500"), 1),
        ("hygiene", Decimal("19.000"), 1),
    ]
    assert [MarkHistory.objects.filter(mark=m).count() for m in marks] == [1, 1, 1]
    # Offline, the failed fetches of the reload are logged as console errors; nothing else may be.
    assert [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e and "Failed to load" not in e] == []


def test_tablet_refuses_a_judge_of_the_entrys_own_unit(browse, daphne_server, dish):
    entry = dish.entries[2]
    same_unit = JudgeAssignmentFactory(
        competition=dish.competition,
        event=dish.event,
        role=JudgeAssignment.Role.JUDGE,
        user=_with_password(QuickUserFactory()),
        organisation=entry.contestant.organisation,
    ).user

    def scenario(page):
        _sign_in(page, daphne_server, same_unit)
        response = page.goto(f"{daphne_server.url}/judge/events/{dish.event.pk}/entries/{entry.code}/")
        return response.status, page.inner_text("[role=alert] .reason")

    status, message = browse(scenario)
    assert status == 403
    assert message == "您与该参赛者属于同一单位，须回避，不能为其评分。"


SMALL_TARGETS = """() => [...document.querySelectorAll('a, button, input, select, textarea')]
  .filter(el => el.offsetParent !== null && getComputedStyle(el).visibility !== 'hidden')
  .map(el => { const r = el.getBoundingClientRect();
               return {what: el.outerHTML.slice(0, 80), w: Math.round(r.width), h: Math.round(r.height)}; })
  .filter(t => t.w < 48 || t.h < 48)"""


@pytest.fixture
def screenshots(tmp_path) -> Path:
    return DOCS_SCREENSHOTS if os.environ.get("SCREENSHOTS") == "1" else tmp_path


def test_tablet_touch_targets_and_screenshots(browse, daphne_server, dish, screenshots):
    judge = dish.judges[0]
    timed = Criterion.objects.create(
        scheme=dish.scheme,
        code="overtime",
        title="超时",
        kind=Criterion.Kind.TIME,
        max_value=Decimal("30"),
        description="每超时 1 分钟扣 0.5 分，超过 30 分钟取消资格",
        position=9,
    )
    for criterion in dish.criteria:
        Mark.objects.create(entry=dish.entries[0], criterion=criterion, judge=judge, value=Decimal("15"))
    Mark.objects.create(entry=dish.entries[0], criterion=timed, judge=judge, value=Decimal("0"))
    Mark.objects.create(entry=dish.entries[1], criterion=dish.criteria[0], judge=judge, value=Decimal("16.5"))
    sheet_url = f"{daphne_server.url}/judge/events/{dish.event.pk}/entries/{dish.entries[1].code}/"

    def scenario(page):
        _sign_in(page, daphne_server, judge)
        found = {}
        for label, viewport in (("tablet", TABLET), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.goto(f"{daphne_server.url}/judge/")
            found[f"home-{label}"] = page.evaluate(SMALL_TARGETS)
            assert page.evaluate("document.documentElement.scrollWidth") == viewport["width"]
            page.screenshot(path=screenshots / f"tablet-home-{label}.png")
            page.goto(sheet_url)
            page.wait_for_selector('.attempt[data-key="overtime:1"]')
            found[f"sheet-{label}"] = page.evaluate(SMALL_TARGETS)
            assert page.evaluate("document.documentElement.scrollWidth") == viewport["width"]
            page.screenshot(path=screenshots / f"tablet-sheet-{label}.png")
        page.set_viewport_size(TABLET)
        page.click("#submit-sheet")
        page.wait_for_selector("#confirm-dialog[open]")
        found["confirm"] = page.evaluate(SMALL_TARGETS)
        page.screenshot(path=screenshots / "tablet-sheet-confirm-tablet.png")
        counted = page.eval_on_selector_all("#confirm-rows tr", "rows => rows.length")
        return found, counted, page.errors

    found, counted, errors = browse(scenario)
    assert found == {key: [] for key in found}
    assert counted == 4
    assert errors == []
