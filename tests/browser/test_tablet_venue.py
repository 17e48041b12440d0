"""A venue day on the judge's tablet (issue #14), in Debian's headless chromium against a real Daphne.

- The whole event works offline from a cold start after one online visit, entries never opened
  included, and syncs exactly the marks entered (rows and history rows counted).
- A lock is pushed to the sheet the judge is on; a queued mark that hits a lock is refused and
  shown beside the server's value.
- The confirm dialog checks every value as the server will ("35 / 20" is never shown or sent).
- Times are entered as m:ss.s; after submit a confirmation and the next entry one tap away.
- A request that never answers times out and the queue goes on.
"""

from decimal import Decimal

import pytest

from scoring.models import Criterion, Mark, MarkHistory, Sheet
from tests.browser.test_tablet_judge import DISH, _enter, _sign_in, _with_password
from tests.factories import judged_event_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 1024, "height": 768}
OFFLINE_NOISE = ("ERR_INTERNET_DISCONNECTED", "Failed to load", "WebSocket")


@pytest.fixture
def dish(flushable_history, daphne_server):
    judged = judged_event_factory(entries=6, judges=1, criteria=DISH)
    _with_password(judged.judges[0])
    _with_password(judged.chief)
    return judged


def _sheet(server, judged, code):
    return f"{server.url}/judge/events/{judged.event.pk}/entries/{code}/"


def _wait_ready(page):
    page.wait_for_function("document.getElementById('sheet') && document.getElementById('sheet').dataset.ready === '1'")


def _chief_api(page, method_path, reason):
    """POST to the scoring API from the chief's page (its session and CSRF cookie)."""
    return page.evaluate(
        """([path, reason]) => fetch(path, {method: "POST", headers: {"Content-Type": "application/json",
             "X-CSRFToken": document.cookie.match(/csrftoken=([^;]+)/)[1]}, body: JSON.stringify({reason})})
           .then(r => r.status)""",
        [method_path, reason],
    )


def _noise(errors):
    return [e for e in errors if not any(n in e for n in OFFLINE_NOISE)]


def test_tablet_marks_a_whole_event_offline_from_a_cold_start_then_syncs_exactly_once(browse, daphne_server, dish):
    entered = {
        entry.code: {"look": str(10 + i), "taste": f"{30 + i}.5", "hygiene": str(12 + i)}
        for i, entry in enumerate(dish.entries)
    }

    def scenario(page):
        _sign_in(page, daphne_server, dish.judges[0])
        # One online visit: the home page stores every sheet of the event for offline use.
        page.wait_for_selector(".offline-state.ready", timeout=30000)
        ready = page.inner_text(".offline-state")
        context = page.context
        page.close()
        context.set_offline(True)
        cold = context.new_page()  # a cold start: a new tab, no network
        cold.goto(f"{daphne_server.url}/judge/")
        cold.wait_for_selector(".offline-state.ready")
        stored = cold.inner_text(".offline-state")
        cold.get_by_role("link", name="A04").first.click()  # never opened online
        _wait_ready(cold)
        opened = cold.inner_text(".sheet-head .code")
        for code, values in entered.items():
            cold.goto(_sheet(daphne_server, dish, code))
            _wait_ready(cold)
            for criterion, value in values.items():
                _enter(cold, criterion, value)
        queued = cold.inner_text("#pending-count")
        cold.close()
        again = context.new_page()  # the tab was closed; the queue is still there
        again.goto(f"{daphne_server.url}/judge/")
        again.wait_for_selector("#sync-badge:not([hidden])")
        after_close = again.inner_text("#pending-count")
        context.set_offline(False)
        again.wait_for_function("document.getElementById('sync-badge').hidden === true", timeout=60000)
        sent = again.inner_text("#sent-count")
        return ready, stored, opened, queued, after_close, sent

    ready, stored, opened, queued, after_close, sent = browse(scenario, viewport=TABLET, has_touch=True)
    assert ready == stored == "离线可用：6 份评分表已存本机"
    assert opened == "A04"
    assert (queued, after_close, sent) == ("18", "18", "18")
    marks = Mark.objects.select_related("entry", "criterion")
    assert {(m.entry.code, m.criterion.code): (m.value, m.version) for m in marks} == {
        (code, criterion): (Decimal(value), 1)
        for code, values in entered.items()
        for criterion, value in values.items()
    }
    assert MarkHistory.objects.count() == 18


def test_tablet_shows_a_pushed_lock_at_once_and_refuses_a_queued_mark_with_the_servers_value(
    browse, daphne_server, dish
):
    judge, entry = dish.judges[0], dish.entries[0]
    sheet = Sheet.objects.create(entry=entry, judge=judge)

    def scenario(page):
        _sign_in(page, daphne_server, judge)
        page.goto(_sheet(daphne_server, dish, entry.code))
        _wait_ready(page)
        _enter(page, "look", "15")
        page.wait_for_selector('.attempt[data-key="look:1"].saved')
        page.wait_for_function("document.body.dataset.pushed === '1'")
        chief_context = page.context.browser.new_context(locale="zh-CN")
        try:
            chief = chief_context.new_page()
            _sign_in(chief, daphne_server, dish.chief)
            locked = _chief_api(chief, f"/api/v1/sheets/{sheet.pk}/lock/", "复核完毕")
            # No reload: the lock arrives on the judge's socket.
            page.wait_for_selector("#locked-banner:not([hidden])", timeout=10000)
            banner = page.inner_text("#locked-reason")
            pill = page.inner_text("#sheet-state")
            disabled = page.eval_on_selector_all(".cells input", "inputs => inputs.every(i => i.disabled)")
            toast = page.inner_text("#toast")
            unlocked = _chief_api(chief, f"/api/v1/sheets/{sheet.pk}/unlock/", "选手申诉")
            page.wait_for_selector("#locked-banner", state="hidden", timeout=10000)
            enabled = page.eval_on_selector_all(".cells input.value", "inputs => inputs.every(i => !i.disabled)")
            # Offline, the judge changes a mark; meanwhile the chief locks the sheet again.
            page.context.set_offline(True)
            _enter(page, "look", "17")
            queued = page.inner_text('.attempt[data-key="look:1"] .cell-state')
            relocked = _chief_api(chief, f"/api/v1/sheets/{sheet.pk}/lock/", "二次锁定")
        finally:
            chief_context.close()
        page.context.set_offline(False)
        page.evaluate("window.tabletQueue.flush()")
        page.wait_for_selector('.attempt[data-key="look:1"].refused', timeout=20000)
        cell = page.inner_text('.attempt[data-key="look:1"] .cell-state')
        value = page.input_value('.attempt[data-key="look:1"] input.value')
        refused_count = page.inner_text("#refused-count")
        page.click("#sync-log")
        log = page.inner_text("#log-refused")
        return (
            (locked, unlocked, relocked),
            banner,
            pill,
            disabled,
            toast,
            enabled,
            queued,
            cell,
            value,
            refused_count,
            log,
        )

    statuses, banner, pill, disabled, toast, enabled, queued, cell, value, refused, log = browse(scenario)
    assert statuses == (200, 200, 200)
    assert (banner, pill, disabled, toast) == ("复核完毕", "已锁定", True, "裁判长已锁定本评分表：复核完毕")
    assert enabled is True
    assert queued == "已存本机，待同步"
    assert cell == "被拒：评分表已锁定，不能修改。 二次锁定 · 服务器分值 15"
    assert (value, refused) == ("15", "1")
    assert log == "A01 · 观感 17 — 评分表已锁定，不能修改。 二次锁定 · 服务器分值 15"
    mark = Mark.objects.get()
    assert (mark.value, mark.version, MarkHistory.objects.count()) == (Decimal("15.000"), 1, 1)


def test_tablet_confirm_dialog_refuses_an_invalid_value(browse, daphne_server, dish):
    judge, entry = dish.judges[0], dish.entries[0]
    for criterion in dish.criteria:
        Mark.objects.create(entry=entry, criterion=criterion, judge=judge, value=Decimal("15"))

    def scenario(page):
        _sign_in(page, daphne_server, judge)
        page.goto(_sheet(daphne_server, dish, entry.code))
        _wait_ready(page)
        _enter(page, "taste", "45")  # above 40: refused in the cell, never queued
        field = page.inner_text('.attempt[data-key="taste:1"] .field-error')
        page.click("#submit-sheet")
        page.wait_for_selector("#confirm-dialog[open]")
        rows = page.eval_on_selector_all("#confirm-rows td", "cells => cells.map(c => c.textContent)")
        problem = page.inner_text("#confirm-error")
        disabled = page.is_disabled("#confirm-submit")
        return field, rows, problem, disabled, page.evaluate("window.tabletQueue.queue().length")

    field, rows, problem, disabled, queued = browse(scenario)
    assert field == "超出评分范围"
    assert rows == ["15 / 20", "45 — 超出评分范围", "15 / 20"]
    assert problem == "有分值不符合评分规则，请先改正：味感"
    assert (disabled, queued) == (True, 0)
    assert list(Mark.objects.order_by("criterion__position").values_list("value", flat=True)) == [Decimal("15")] * 3


def test_tablet_times_are_entered_as_minutes_and_seconds_then_submit_moves_to_the_next_entry(
    browse, daphne_server, flushable_history
):
    judged = judged_event_factory(
        entries=2,
        judges=1,
        criteria=[
            {"code": "look", "title": "起飞前检查", "max_value": Decimal("20")},
            {
                "code": "lap",
                "title": "搜救航线",
                "kind": Criterion.Kind.TIME,
                "max_value": Decimal("600"),
                "step": Decimal("0.01"),
                "penalty_per_unit": Decimal("0"),
            },
        ],
    )
    judge = _with_password(judged.judges[0])

    def scenario(page):
        _sign_in(page, daphne_server, judge)
        page.goto(_sheet(daphne_server, judged, "A01"))
        _wait_ready(page)
        lap = page.locator('.attempt[data-key="lap:1"]')
        statuses = {
            "look": page.locator('.attempt[data-key="look:1"] .status').evaluate_all(
                "b => b.map(x => x.dataset.status)"
            ),
            "lap": lap.locator(".status").evaluate_all("b => b.map(x => x.dataset.status)"),
        }
        placeholder = lap.locator("input.value").get_attribute("placeholder")
        _enter(page, "lap", "4:75")
        malformed = lap.locator(".field-error").inner_text()
        _enter(page, "lap", "4:12.5")
        page.wait_for_selector('.attempt[data-key="lap:1"].saved')
        typed = lap.locator("input.value").input_value()
        lap.locator(".step.plus").click()
        stepped = lap.locator("input.value").input_value()
        # The run of taps ends: its one write is sent (two lap marks sent so far).
        page.wait_for_function(
            "window.tabletQueue.outcomes().filter(o => o.criterion === 'lap' && o.outcome === 'sent').length === 2"
        )
        lap.locator("input.penalty").fill("5")
        lap.locator("input.penalty").press("Enter")
        lap.locator("input.penalty").blur()
        _enter(page, "look", "16.5")
        page.wait_for_function(
            "window.tabletQueue.queue().length === 0 && document.querySelectorAll('.attempt.saved').length === 2"
        )
        state = lap.locator(".cell-state").inner_text()
        page.click("#submit-sheet")
        page.wait_for_selector("#confirm-dialog[open]")
        rows = page.eval_on_selector_all("#confirm-rows td", "cells => cells.map(c => c.textContent)")
        page.click("#confirm-submit")
        page.wait_for_selector("#after-submit:not([hidden])")
        done = page.inner_text("#after-submit strong")
        focused = page.evaluate("document.activeElement.id")
        page.click("#next-entry")
        page.wait_for_url("**/entries/A02/")
        return statuses, placeholder, malformed, typed, stepped, state, rows, done, focused, page.errors

    statuses, placeholder, malformed, typed, stepped, state, rows, done, focused, errors = browse(scenario)
    assert statuses == {"look": ["dsq"], "lap": ["dnf", "dns", "dsq"]}
    assert placeholder == "分:秒，如 4:12.5"
    assert malformed == "时间格式应为 分:秒，如 4:12.5"
    assert (typed, stepped) == ("4:12.5", "4:13.5")  # ± moves a whole second, not 0.01 s
    assert state == "已保存"  # no version jargon
    assert rows == ["16.5 / 20", "4:13.5 + 5"]
    assert (done, focused) == ("参赛号 A01 的评分表已提交。", "next-entry")
    assert errors == []
    lap = Mark.objects.get(criterion__code="lap")
    assert (lap.value, lap.penalty, lap.version) == (Decimal("253.500"), Decimal("5.000"), 3)
    history = MarkHistory.objects.filter(mark=lap).order_by("version")
    assert list(history.values_list("new_value", "new_penalty")) == [
        (Decimal("252.500"), Decimal("0.000")),
        (Decimal("253.500"), Decimal("0.000")),
        (Decimal("253.500"), Decimal("5.000")),
    ]
    assert Sheet.objects.get().state == Sheet.State.SUBMITTED


def test_tablet_request_that_never_answers_times_out_and_the_queue_goes_on(browse, daphne_server, dish):
    entry = dish.entries[0]

    def scenario(page):
        held = []

        def hold_the_first(route):
            if not held:
                held.append(route)  # never answered: the venue Wi-Fi swallowed it
            else:
                route.continue_()

        _sign_in(page, daphne_server, dish.judges[0])
        page.goto(_sheet(daphne_server, dish, entry.code))
        _wait_ready(page)
        page.evaluate("window.tabletQueue.setTimeout(1500)")
        page.route("**/api/v1/events/*/marks/", hold_the_first)
        _enter(page, "look", "18")
        page.wait_for_function("document.getElementById('sync-badge').hidden === true", timeout=20000)
        _enter(page, "taste", "33")
        page.wait_for_function("document.getElementById('sync-badge').hidden === true", timeout=20000)
        return len(held), page.inner_text("#sent-count")

    held, sent = browse(scenario)
    assert (held, sent) == (1, "2")
    marks = Mark.objects.order_by("criterion__position")
    assert [(m.criterion.code, m.value, m.version) for m in marks] == [
        ("look", Decimal("18.000"), 1),
        ("taste", Decimal("33.000"), 1),
    ]
    assert MarkHistory.objects.count() == 2


def test_tablet_rebuilds_the_open_sheet_when_the_scheme_changes(browse, daphne_server, dish):
    judge, entry = dish.judges[0], dish.entries[0]
    _with_password(dish.organiser)
    criteria = [
        {"code": c.code, "title": c.title, "max_value": str(c.max_value)}
        for c in dish.scheme.criteria.order_by("position")
    ]

    def scenario(page):
        _sign_in(page, daphne_server, judge)
        page.goto(_sheet(daphne_server, dish, entry.code))
        _wait_ready(page)
        _enter(page, "look", "15")
        page.wait_for_selector('.attempt[data-key="look:1"].saved')
        page.wait_for_function("document.body.dataset.pushed === '1'")
        before = page.eval_on_selector_all(".attempt", "cells => cells.map(c => c.dataset.key)")
        organiser_context = page.context.browser.new_context(locale="zh-CN")
        try:
            organiser = organiser_context.new_page()
            _sign_in(organiser, daphne_server, dish.organiser)
            revised = organiser.evaluate(
                """([path, body]) => fetch(path, {method: "POST", headers: {"Content-Type": "application/json",
                     "X-CSRFToken": document.cookie.match(/csrftoken=([^;]+)/)[1]}, body: JSON.stringify(body)})
                   .then(r => r.status)""",
                [
                    f"/api/v1/schemes/{dish.scheme.pk}/revise/",
                    {
                        "criteria": [*criteria, {"code": "plate", "title": "装盘", "max_value": "10"}],
                        "reason": "增加装盘",
                    },
                ],
            )
        finally:
            organiser_context.close()
        # No tap: the sheet rebuilds itself with the new criterion, and the saved mark is still there.
        page.wait_for_selector('.attempt[data-key="plate:1"]', timeout=20000)
        _wait_ready(page)
        after = page.eval_on_selector_all(".attempt", "cells => cells.map(c => c.dataset.key)")
        kept = page.input_value('.attempt[data-key="look:1"] input.value')
        banner = page.is_visible("#scheme-banner")
        return revised, before, after, kept, banner

    revised, before, after, kept, banner = browse(scenario)
    assert revised == 200
    assert before == ["look:1", "taste:1", "hygiene:1"]
    assert after == ["look:1", "taste:1", "hygiene:1", "plate:1"]
    assert (kept, banner) == ("15", False)


def test_tablet_keeps_what_the_judge_is_typing_when_a_pushed_change_refreshes_the_sheet(browse, daphne_server, dish):
    judge, entry = dish.judges[0], dish.entries[0]

    def scenario(page):
        _sign_in(page, daphne_server, judge)
        page.goto(_sheet(daphne_server, dish, entry.code))
        _wait_ready(page)
        page.wait_for_function("document.body.dataset.pushed === '1'")
        look = page.locator('.attempt[data-key="look:1"] input.value')
        look.fill("16")  # typed, not yet committed: the field still has the focus
        # Meanwhile a mark of this sheet is saved elsewhere (the judge's second tablet): its push refreshes every cell.
        saved = page.evaluate(
            """([event, code]) => fetch(`/api/v1/events/${event}/marks/`, {method: "POST",
                 headers: {"Content-Type": "application/json", "Idempotency-Key": "second-tablet-1",
                           "X-CSRFToken": document.cookie.match(/csrftoken=([^;]+)/)[1]},
                 body: JSON.stringify({marks: [
                   {entry: code, criterion: "taste", attempt: 1, value: "30", version: 0}]})})
               .then(r => r.status)""",
            [dish.event.pk, entry.code],
        )
        page.wait_for_selector('.attempt[data-key="taste:1"].saved', timeout=10000)
        typed = look.input_value()
        look.press("Enter")
        page.wait_for_selector('.attempt[data-key="look:1"].saved', timeout=10000)
        return saved, typed

    saved, typed = browse(scenario)
    assert (saved, typed) == (200, "16")
    marks = dict(Mark.objects.values_list("criterion__code", "value"))
    assert marks == {"look": Decimal("16.000"), "taste": Decimal("30.000")}
