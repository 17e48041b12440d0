"""The chief judge's desk in Debian's headless chromium, against a real Daphne.

The chief judge signs in and lands on the desk; picks round 1, locks it in bulk (every open
sheet of the round locked once, audited), follows the top alert to the judge's sheet, and
reads the desk in English. Screenshots at 1024×768 and 768×1024 in both languages go to
docs/screenshots/chief-*.png. Every desk control is at least 48 px.
"""

from decimal import Decimal
from pathlib import Path

import pytest

from scoring.models import Sheet, SheetAudit
from tests.browser.test_tablet_judge import PASSWORD, _with_password
from tests.factories import EntryFactory, MarkFactory, SheetFactory, judged_event_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LANDSCAPE = {"width": 1024, "height": 768}
PORTRAIT = {"width": 768, "height": 1024}
DISH = [
    {"code": "look", "title": "观感", "title_en": "Appearance", "max_value": Decimal("20")},
    {"code": "taste", "title": "味感", "title_en": "Taste", "max_value": Decimal("40")},
    {"code": "hygiene", "title": "营养卫生", "title_en": "Nutrition and hygiene", "max_value": Decimal("20")},
]
JUDGES = ["王建国", "李秀英", "张伟", "刘芳", "陈志强"]


@pytest.fixture
def venue(flushable_history, daphne_server):
    """中式热菜: 5 judges, 2 rounds of 4 stations. Round 1 fully submitted (one wild mark), round 2 under way."""
    judged = judged_event_factory(entries=0, judges=5, criteria=DISH)
    judged.event.title = "中式热菜"
    judged.event.save()
    judged.scheme.variance_threshold = Decimal("3")
    judged.scheme.save()
    for user, name in zip(judged.judges, JUDGES, strict=True):
        user.first_name, user.last_name = name, ""
        user.save()
    _with_password(judged.chief)
    for order in (1, 2):
        for station in range(1, 5):
            judged.entries.append(
                EntryFactory(event=judged.event, code=f"{order}{station:02d}", station=station, start_order=order)
            )
    for index, entry in enumerate(judged.entries):
        for number, judge in enumerate(judged.judges):
            if entry.start_order == 2 and number >= index - 2:
                continue  # round 2: later stations still wait for some judges
            for criterion in judged.criteria:
                value = Decimal(criterion.max_value) * Decimal("0.8") - number % 2
                if entry.code == "102" and criterion.code == "taste" and number == 4:
                    value = Decimal("20")  # the wild mark: far from the panel's 31–32
                MarkFactory(entry=entry, criterion=criterion, judge=judge, value=value)
            state = Sheet.State.SUBMITTED if entry.start_order == 1 or number % 2 else Sheet.State.DRAFT
            SheetFactory(entry=entry, judge=judge, state=state)
    return judged


def _shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for size, label in ((LANDSCAPE, "1024x768"), (PORTRAIT, "768x1024")):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"chief-{name}-{label}.png"), full_page=True)
    page.set_viewport_size(LANDSCAPE)


def _small_targets(page):
    """Desk controls (filters, cells, bulk lock, alert links) smaller than 48 px in either direction."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.chip, .desk-table a.status, #bulk-lock-open, .alerts a.button')]
            .map(el => el.getBoundingClientRect()).filter(r => r.height < 48 || r.width < 48).length"""
    )


def test_chief_desk_round_bulk_lock_alert_link_and_english(browse, daphne_server, venue):
    server, event = daphne_server, venue.event
    desk_url = f"{server.url}/judge/events/{event.pk}/chief/"

    def scenario(page):
        page.goto(f"{server.url}/accounts/login/")
        page.get_by_label("用户名").fill(venue.chief.username)
        page.get_by_label("密码").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        assert page.url == desk_url  # the chief lands on the desk
        rows = page.locator("tr.desk-row")
        assert rows.count() == 8
        assert rows.first.locator("td[data-state]").count() == 5
        alert_codes = page.locator("tr.alert-row").evaluate_all("rows => rows.map(r => r.dataset.code)")
        assert alert_codes == ["102"]
        assert _small_targets(page) == 0
        _shoot(page, "desk-zh")

        with page.expect_navigation():
            page.click('.rounds a[data-round="1"]')
        assert page.locator("tr.desk-row").count() == 4
        page.click("#bulk-lock-open")
        page.fill("#bulk-reason", "第一场结束")
        with page.expect_navigation():
            page.click("#bulk-lock-confirm")
        assert page.locator(".flash").inner_text() == "已锁定 20 张评分表。"
        states = page.locator("tr.desk-row td[data-state]").evaluate_all("cells => cells.map(c => c.dataset.state)")
        assert states == ["locked"] * 20

        with page.expect_navigation():
            page.click("tr.alert-row a.button")
        assert "/chief/sheets/102/" in page.url
        assert page.locator(".pill.state-locked").count() == 1
        _shoot(page, "sheet-zh")

        page.goto(desk_url)
        with page.expect_navigation():
            page.select_option("select[name=language]", "en")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h2").first.inner_text().startswith("Marking progress")
        assert page.locator("tr.alert-row td").nth(1).inner_text() == "Taste"
        _shoot(page, "desk-en")
        with page.expect_navigation():
            page.click('.desk-filters a[data-show="missing"]')
        assert page.locator("tr.desk-row").count() == 4
        _shoot(page, "desk-en-missing")
        assert page.errors == []

    browse(scenario, viewport=LANDSCAPE, has_touch=True)
    round_one = Sheet.objects.filter(entry__event=event, entry__start_order=1)
    assert set(round_one.values_list("state", flat=True)) == {Sheet.State.LOCKED}
    audits = SheetAudit.objects.filter(sheet__entry__event=event, action=SheetAudit.Action.LOCK)
    assert (audits.count(), set(audits.values_list("actor", "reason"))) == (20, {(venue.chief.pk, "第一场结束")})
    assert Sheet.objects.filter(entry__event=event, entry__start_order=2, state=Sheet.State.LOCKED).count() == 0
