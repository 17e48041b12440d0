"""Every screen of the judge's tablet at both tablet sizes and in both languages: touch targets
of at least 48 px, no sideways scrolling, and screenshots (``SCREENSHOTS=1`` writes them to
docs/screenshots/tablet-<screen>-<size>-<language>.png).

Screens: home (stored for offline use), a sheet with a time, the confirm dialog refusing an
invalid value, the confirmation after submit, a locked sheet with a refused queued mark beside
the server's value, and the sync log.
"""

from decimal import Decimal

import pytest

from scoring.models import Criterion, Mark, Sheet
from tests.browser.test_tablet_judge import DISH, SMALL_TARGETS, _enter, _sign_in, _with_password, screenshots  # noqa: F401
from tests.factories import judged_event_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"landscape": {"width": 1024, "height": 768}, "portrait": {"width": 768, "height": 1024}}
LAP = {
    "code": "lap",
    "title": "出品用时",
    "kind": Criterion.Kind.TIME,
    "max_value": Decimal("600"),
    "step": Decimal("0.1"),
    "description": "超时每分钟扣 0.5 分",
}


@pytest.fixture
def kitchen(flushable_history, daphne_server):
    judged = judged_event_factory(entries=6, judges=1, criteria=[*DISH, LAP])
    judged.event.title = "中式热菜"
    judged.event.save()
    judge = _with_password(judged.judges[0])
    values = {"look": "15", "taste": "35.5", "hygiene": "18", "lap": "252.5"}
    for entry in judged.entries[:3]:
        for criterion in judged.criteria:
            Mark.objects.create(
                entry=entry,
                criterion=criterion,
                judge=judge,
                value=Decimal(values[criterion.code]),
                penalty=Decimal("5") if criterion.code == "lap" else Decimal("0"),
            )
    Sheet.objects.create(entry=judged.entries[2], judge=judge, state=Sheet.State.LOCKED, reason="复核完毕")
    return judged


def _shoot(page, found, folder, name, size, language):
    found[f"{name}-{size}-{language}"] = page.evaluate(SMALL_TARGETS)
    assert page.evaluate("document.documentElement.scrollWidth") == page.viewport_size["width"], name
    page.screenshot(path=folder / f"tablet-{name}-{size}-{language}.png")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_tablet_screens_fit_both_sizes_in_both_languages(browse, daphne_server, kitchen, screenshots, language):  # noqa: F811
    event = kitchen.event.pk
    url = f"{daphne_server.url}/judge/events/{event}/entries/"

    def scenario(page):
        _sign_in(page, daphne_server, kitchen.judges[0])
        if language == "en":
            with page.expect_navigation():
                page.select_option("select[name=language]", "en")
        found, texts = {}, {}
        for size, mine in (("landscape", "A01"), ("portrait", "A02")):
            page.set_viewport_size(SIZES[size])
            page.goto(f"{daphne_server.url}/judge/")
            page.wait_for_selector(".offline-state.ready", timeout=30000)
            _shoot(page, found, screenshots, "home", size, language)
            page.goto(url + mine + "/")
            page.wait_for_function("document.getElementById('sheet').dataset.ready === '1'")
            _shoot(page, found, screenshots, "sheet", size, language)
            _enter(page, "taste", "45")
            page.click("#submit-sheet")
            page.wait_for_selector("#confirm-dialog[open]")
            texts[f"invalid-{size}"] = page.inner_text("#confirm-error")
            _shoot(page, found, screenshots, "confirm-invalid", size, language)
            page.click("#confirm-dialog [data-close]")
            _enter(page, "taste", "35.5")
            page.wait_for_selector('.attempt[data-key="taste:1"].saved:not(.invalid)')
            page.click("#submit-sheet")
            page.wait_for_selector("#confirm-dialog[open]")
            page.click("#confirm-submit")
            page.wait_for_selector("#after-submit:not([hidden])")
            texts[f"next-{size}"] = page.inner_text("#next-entry")
            _shoot(page, found, screenshots, "submitted", size, language)
            # A mark queued for a sheet the chief has locked meanwhile: refused, beside the server's value.
            page.goto(url + "A03/")
            page.evaluate(
                """([event, user]) => localStorage.setItem("tablet-queue-v1", JSON.stringify([{
                     key: "late-" + Date.now(), user, event, entry: "A03", criterion: "look", title: "观感",
                     attempt: 1, value: "17", penalty: "0", status: "ok", version: 1, sent: false}]))""",
                [event, str(kitchen.judges[0].pk)],
            )
            page.reload()
            page.wait_for_selector('.attempt[data-key="look:1"].refused', timeout=20000)
            texts[f"refused-{size}"] = page.inner_text('.attempt[data-key="look:1"] .cell-state')
            _shoot(page, found, screenshots, "locked-refused", size, language)
            page.click("#sync-log")
            page.wait_for_selector("#sync-dialog[open]")
            _shoot(page, found, screenshots, "sync-log", size, language)
        return found, texts, [e for e in page.errors if "409" not in e]

    found, texts, errors = browse(scenario, has_touch=True, locale="zh-CN")
    assert found == {key: [] for key in found}
    assert len(found) == 12
    if language == "en":
        assert texts["invalid-landscape"] == "Some values break the marking rules; correct them first: 味感"
        assert texts["next-landscape"] == "Next: A02 ›"
        assert texts["refused-portrait"].startswith("Refused: ")
        assert texts["refused-portrait"].endswith("复核完毕 · Server's value 15")
    else:
        assert texts["invalid-landscape"] == "有分值不符合评分规则，请先改正：味感"
        assert texts["next-landscape"] == "下一位：A02 ›"
        assert texts["refused-portrait"] == "被拒：评分表已锁定，不能修改。 复核完毕 · 服务器分值 15"
    assert errors == []
