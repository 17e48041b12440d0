"""The tablet's harder paths in headless chromium: client validation, a 409 conflict, lock/unlock, submit."""

from decimal import Decimal

import pytest

from scoring.models import Mark, MarkHistory, Sheet, SheetAudit
from tests.browser.test_tablet_judge import DISH, _enter, _sign_in, _with_password
from tests.factories import judged_event_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dish(flushable_history, daphne_server):
    judged = judged_event_factory(entries=2, judges=1, criteria=DISH)
    _with_password(judged.judges[0])
    _with_password(judged.chief)
    return judged


def _sheet(server, judged, index=0):
    return f"{server.url}/judge/events/{judged.event.pk}/entries/{judged.entries[index].code}/"


def test_tablet_validates_like_the_api_and_steps_by_the_scheme(browse, daphne_server, dish):
    def scenario(page):
        _sign_in(page, daphne_server, dish.judges[0])
        page.goto(_sheet(daphne_server, dish))
        look = page.locator('.attempt[data-key="look:1"]')
        _enter(page, "look", "17.3")
        off_step = look.locator(".field-error").inner_text()
        _enter(page, "look", "25")
        out_of_range = look.locator(".field-error").inner_text()
        _enter(page, "look", "abc")
        not_number = look.locator(".field-error").inner_text()
        look.locator("input.value").fill("")
        look.locator(".step.plus").click()
        look.locator(".step.plus").click()
        look.locator(".step.plus").click()
        stepped = look.locator("input.value").input_value()
        page.wait_for_selector('.attempt[data-key="look:1"].saved')
        queued = page.evaluate("window.tabletQueue.queue().length")
        return off_step, out_of_range, not_number, stepped, queued, page.errors

    off_step, out_of_range, not_number, stepped, queued, errors = browse(scenario)
    assert (off_step, out_of_range, not_number) == ("不符合评分步长", "超出评分范围", "不是有效的数字")
    assert stepped == "1"  # empty → minimum 0, then +0.5 twice
    assert queued == 0
    assert errors == []
    assert list(Mark.objects.values_list("value", "version")) == [(Decimal("1.000"), 1)]


def test_tablet_conflict_shows_both_values_and_keeps_the_judges_choice(browse, daphne_server, dish):
    judge, entry = dish.judges[0], dish.entries[0]
    Mark.objects.create(entry=entry, criterion=dish.criteria[0], judge=judge, value=Decimal("10"))

    def scenario(page):
        _sign_in(page, daphne_server, judge)
        page.goto(_sheet(daphne_server, dish))
        page.wait_for_selector('.attempt[data-key="look:1"].saved')
        # Offline, the judge changes the mark; meanwhile another device of theirs changes it too.
        # (Online, the other device's change would be pushed to this sheet before the judge typed.)
        page.context.set_offline(True)
        _enter(page, "look", "14")
        other = page.context.browser.new_context(locale="zh-CN")
        try:
            device = other.new_page()
            _sign_in(device, daphne_server, judge)
            status = device.evaluate(
                """([event, entry]) => fetch(`/api/v1/events/${event}/marks/`, {method: "POST",
                     headers: {"Content-Type": "application/json", "Idempotency-Key": "other-device-1",
                               "X-CSRFToken": document.cookie.match(/csrftoken=([^;]+)/)[1]},
                     body: JSON.stringify({marks: [{entry, criterion: "look", value: "12", version: 1}]})})
                   .then(r => r.status)""",
                [dish.event.pk, entry.code],
            )
        finally:
            other.close()
        page.context.set_offline(False)
        page.evaluate("window.tabletQueue.flush()")
        page.wait_for_selector("#conflict-dialog[open]")
        shown = (page.inner_text("#conflict-mine-value"), page.inner_text("#conflict-theirs-value"))
        page.click("#conflict-mine")
        page.wait_for_function("document.getElementById('sync-badge').hidden === true")
        page.wait_for_selector('.attempt[data-key="look:1"].saved')
        return status, shown, page.errors

    status, shown, errors = browse(scenario)
    assert status == 200
    assert shown == ("14", "12")
    mark = Mark.objects.get()
    assert (mark.value, mark.version) == (Decimal("14.000"), 3)
    assert list(MarkHistory.objects.filter(mark=mark).values_list("new_value", flat=True)) == [
        Decimal("12.000"),
        Decimal("14.000"),
    ]
    # The browser logs the 409 itself, and the requests that failed while offline.
    assert [e for e in errors if "409" not in e and "ERR_INTERNET_DISCONNECTED" not in e] == []


def test_tablet_chief_locks_with_a_reason_the_judge_sees_and_unlocks_with_one(browse, daphne_server, dish):
    judge, entry = dish.judges[0], dish.entries[0]
    for criterion in dish.criteria:
        Mark.objects.create(entry=entry, criterion=criterion, judge=judge, value=Decimal("15"))
    sheet = Sheet.objects.create(entry=entry, judge=judge)

    def scenario(page):
        # The judge submits the sheet through the confirmation summary.
        _sign_in(page, daphne_server, judge)
        page.goto(_sheet(daphne_server, dish))
        page.click("#submit-sheet")
        page.wait_for_selector("#confirm-dialog[open]")
        summary = page.eval_on_selector_all("#confirm-rows td", "cells => cells.map(c => c.textContent)")
        page.click("#confirm-submit")
        page.wait_for_function("document.getElementById('sheet-state').textContent.trim() === '已提交'")

        chief = page.context.browser.new_context(locale="zh-CN")
        try:
            tablet = chief.new_page()
            _sign_in(tablet, daphne_server, dish.chief)
            # The desk links each judge's sheet; lock and unlock are on that sheet's page.
            tablet.goto(f"{daphne_server.url}/judge/events/{dish.event.pk}/chief/sheets/{entry.code}/{judge.pk}/")
            tablet.click(f'[data-sheet="{sheet.pk}"] [data-action="lock"]')
            tablet.fill("#reason-text", "复核完毕")
            with tablet.expect_navigation():
                tablet.click("#reason-confirm")
            page.reload()
            banner = page.inner_text("#locked-banner")
            disabled = page.eval_on_selector_all(".cells input", "inputs => inputs.every(i => i.disabled)")
            tablet.click(f'[data-sheet="{sheet.pk}"] [data-action="unlock"]')
            tablet.click("#reason-confirm")  # empty: refused in the page, the dialog stays open
            still_open = tablet.is_visible("#reason-dialog")
            tablet.fill("#reason-text", "选手申诉，重新核分")
            with tablet.expect_navigation():
                tablet.click("#reason-confirm")
            row = tablet.inner_text(f'[data-sheet="{sheet.pk}"]')
        finally:
            chief.close()
        return summary, banner, disabled, still_open, row, page.errors

    summary, banner, disabled, still_open, row, errors = browse(scenario)
    assert summary == ["15 / 20", "15 / 40", "15 / 20"]
    assert "复核完毕" in banner
    assert disabled is True
    assert still_open is True
    assert "选手申诉，重新核分" in row
    assert list(SheetAudit.objects.filter(sheet=sheet).values_list("action", "reason")) == [
        ("submit", ""),
        ("lock", "复核完毕"),
        ("unlock", "选手申诉，重新核分"),
    ]
    assert errors == []


def test_tablet_never_sends_another_judges_queued_marks(browse, daphne_server, dish):
    def scenario(page):
        _sign_in(page, daphne_server, dish.judges[0])
        page.goto(_sheet(daphne_server, dish))
        page.evaluate(
            """([event, entry]) => localStorage.setItem("tablet-queue-v1", JSON.stringify([{key: "left-behind",
                 user: "-1", event, entry, criterion: "look", attempt: 1, value: "9", penalty: "0", status: "ok",
                 version: 0, sent: false}]))""",
            [dish.event.pk, dish.entries[0].code],
        )
        page.reload()
        page.evaluate("window.tabletQueue.flush()")
        _enter(page, "taste", "30")
        page.wait_for_function("document.getElementById('sync-badge').hidden === true")
        page.wait_for_selector('.attempt[data-key="taste:1"].saved')
        left = page.evaluate("JSON.parse(localStorage.getItem('tablet-queue-v1')).map(i => i.key)")
        return left, page.errors

    left, errors = browse(scenario)
    assert left == ["left-behind"]
    assert list(Mark.objects.values_list("criterion__code", "value")) == [("taste", Decimal("30.000"))]
    assert errors == []


def test_tablet_time_criterion_records_dnf_and_penalty_seconds(browse, daphne_server, flushable_history):
    judged = judged_event_factory(
        entries=2,
        judges=1,
        criteria=[{"code": "lap", "title": "搜救航线", "kind": "time", "max_value": Decimal("300"), "step": None}],
    )
    judge = _with_password(judged.judges[0])

    def scenario(page):
        _sign_in(page, daphne_server, judge)
        page.goto(_sheet(daphne_server, judged, 0))
        lap = page.locator('.attempt[data-key="lap:1"]')
        steppers = lap.locator(".step").count()
        keypad = lap.locator("input.value").get_attribute("inputmode")
        lap.locator('[data-status="dnf"]').click()
        page.wait_for_selector('.attempt[data-key="lap:1"].saved')
        pressed = lap.locator('[data-status="dnf"]').get_attribute("aria-pressed")
        page.goto(_sheet(daphne_server, judged, 1))
        lap = page.locator('.attempt[data-key="lap:1"]')
        lap.locator("input.penalty").fill("10")
        lap.locator("input.value").fill("187.25")
        lap.locator("input.value").press("Enter")
        page.wait_for_selector('.attempt[data-key="lap:1"].saved')
        return steppers, keypad, pressed, page.errors

    steppers, keypad, pressed, errors = browse(scenario)
    assert (steppers, keypad, pressed) == (0, "text", "true")  # a full keyboard: times are typed as m:ss.s
    assert errors == []
    marks = Mark.objects.order_by("entry__station")
    assert [(m.entry.code, m.status, m.value, m.penalty) for m in marks] == [
        ("A01", "dnf", None, Decimal("0.000")),
        ("A02", "ok", Decimal("187.250"), Decimal("10.000")),
    ]
