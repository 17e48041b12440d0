"""A simulated venue day on judges' tablets: 5 judges, flaky Wi-Fi, a lock and an unlock, a correction.

Five judges mark every entry on their own tablet (a browser context each). Their Wi-Fi drops
and comes back at random (the browser's offline switch), so some sheets are opened and marked
from the service worker's cache and the tablet's queue. Along the way the chief judge locks one
judge's sheet and unlocks it, and corrects another judge's mark. At the end every mark has
landed exactly once (mark rows and history rows counted), and the standings equal a recompute
from the marks the judges entered.

In the suite the day is short (6 entries, no pauses). ``VENUE_DAY_MINUTES=40`` runs the real
length: 40 entries, paced over that many minutes.
"""

import os
import random
import time
from decimal import Decimal

import pytest

from scoring import selectors
from scoring.aggregation import MarkValue
from scoring.models import Mark, MarkHistory, Sheet
from scoring.standings import EntryInfo, compute_standings
from tests.browser.test_tablet_judge import _enter, _sign_in, _with_password
from tests.factories import judged_event_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINUTES = float(os.environ.get("VENUE_DAY_MINUTES", "0"))
ENTRIES = 40 if MINUTES else 6
JUDGES = 5
TABLET = {"width": 1024, "height": 768}
CRITERIA = [
    {"code": "look", "title": "观感", "max_value": Decimal("20")},
    {"code": "taste", "title": "味感", "max_value": Decimal("40")},
]
DROP_CHANCE = 0.3


@pytest.fixture
def day(flushable_history, daphne_server, monkeypatch):
    judged = judged_event_factory(entries=ENTRIES, judges=JUDGES, criteria=CRITERIA)
    for user in [*judged.judges, judged.chief]:
        _with_password(user)
    # Sheets exist from the start, so the chief can name them (the browser thread cannot use the ORM).
    for judge in judged.judges:
        for entry in judged.entries:
            Sheet.objects.create(entry=entry, judge=judge)
    monkeypatch.setattr("tests.browser.conftest.SCENARIO_TIMEOUT", MINUTES * 60 + 900)
    return judged


def _plan(day, rng):
    """What each judge enters: {(judge index, entry code, criterion): value}, on each criterion's half points."""
    return {
        (j, entry.code, c["code"]): str(Decimal(rng.randint(int(c["max_value"]) * 2 // 4, int(c["max_value"]) * 2)) / 2)
        for j in range(JUDGES)
        for entry in day.entries
        for c in CRITERIA
    }


def _synced(page):
    page.evaluate("window.tabletQueue.flush()")
    page.wait_for_function("window.tabletQueue.queue().length === 0", timeout=60000)


def test_venue_day_every_mark_lands_once_and_standings_equal_a_recompute(browse, daphne_server, day):
    rng = random.Random(14)
    plan = _plan(day, rng)
    sheet_ids = {
        (j, entry.code): Sheet.objects.get(judge=judge, entry=entry).pk
        for j, judge in enumerate(day.judges)
        for entry in day.entries
    }
    corrected = (1, day.entries[1].code, "look")
    correction = "19.5" if plan[corrected] != "19.5" else "18"
    event = day.event.pk

    def scenario(page):
        browser = page.context.browser
        contexts = [browser.new_context(viewport=TABLET, has_touch=True, locale="zh-CN") for _ in range(JUDGES)]
        chief = page
        _sign_in(chief, daphne_server, day.chief)
        tablets = []
        for context, judge in zip(contexts, day.judges, strict=True):
            tablet = context.new_page()
            _sign_in(tablet, daphne_server, judge)
            tablet.wait_for_selector(".offline-state.ready", timeout=60000)
            tablets.append(tablet)
        offline = [False] * JUDGES
        done = [0] * JUDGES
        total = JUDGES * ENTRIES
        pause = MINUTES * 60 / total if MINUTES else 0
        events = {"lock": None, "correct": None, "drops": 0}
        step = 0
        while any(n < ENTRIES for n in done):
            j = rng.choice([i for i in range(JUDGES) if done[i] < ENTRIES])
            if rng.random() < DROP_CHANCE:
                offline[j] = not offline[j]
                contexts[j].set_offline(offline[j])
                events["drops"] += offline[j]
            tablet, entry = tablets[j], day.entries[done[j]]
            tablet.goto(f"{daphne_server.url}/judge/events/{event}/entries/{entry.code}/")
            tablet.wait_for_function("document.getElementById('sheet').dataset.ready === '1'")
            for c in CRITERIA:
                _enter(tablet, c["code"], plan[(j, entry.code, c["code"])])
            done[j] += 1
            step += 1
            if events["lock"] is None and step >= total // 3 and done[0] >= 1:
                # The chief locks judge 0's first sheet (synced first) and unlocks it with a reason.
                contexts[0].set_offline(False)
                offline[0] = False
                _synced(tablets[0])
                path = f"/api/v1/sheets/{sheet_ids[(0, day.entries[0].code)]}/"
                events["lock"] = [
                    _post(chief, path + "lock/", {"reason": "抽查"}),
                    _post(chief, path + "unlock/", {"reason": "抽查完毕"}),
                ]
            if events["correct"] is None and step >= 2 * total // 3 and done[1] >= 2:
                contexts[1].set_offline(False)
                offline[1] = False
                _synced(tablets[1])
                body = {
                    "judge": day.judges[1].pk,
                    "reason": "计分错误，裁判长更正",
                    "marks": [{"entry": corrected[1], "criterion": "look", "value": correction, "version": 1}],
                }
                events["correct"] = _post(chief, f"/api/v1/events/{event}/marks/", body, key="chief-correction-1")
            if pause:
                time.sleep(pause)
        for context, tablet in zip(contexts, tablets, strict=True):
            context.set_offline(False)
            tablet.goto(f"{daphne_server.url}/judge/")
            _synced(tablet)
        # The correction reached judge 1's tablet (pushed, or with the event's bundle on the next visit).
        shown = tablets[1].wait_for_function(
            "([e, c, v]) => { const user = document.getElementById('tablet').dataset.user;"
            " const mark = JSON.parse(localStorage.getItem('tablet-marks-v2:' + user))[`${e}/${c}:look:1`];"
            " return mark && mark.version === 2 && mark.value === v && mark.value; }",
            arg=[event, corrected[1], correction],
            timeout=30000,
        )
        refused = [int(t.inner_text("#refused-count")) for t in tablets]
        for context in contexts:
            context.close()
        return events, shown, refused

    events, shown, refused = browse(scenario, viewport=TABLET)
    assert events["lock"] == [200, 200]
    assert events["correct"] == 200
    assert events["drops"] > 0
    assert shown == correction  # the correction reached the judge's tablet
    assert refused == [0] * JUDGES
    intended = {**plan, corrected: correction}
    judges = {judge.pk: j for j, judge in enumerate(day.judges)}
    marks = list(Mark.objects.select_related("entry", "criterion"))
    assert {(judges[m.judge_id], m.entry.code, m.criterion.code): str(m.value.normalize()) for m in marks} == {
        key: str(Decimal(value).normalize()) for key, value in intended.items()
    }
    assert sorted(m.version for m in marks) == [1] * (len(marks) - 1) + [2]
    assert MarkHistory.objects.count() == JUDGES * ENTRIES * len(CRITERIA) + 1
    # The standings the system serves equal a recompute from what the judges entered.
    ids = {entry.code: entry.pk for entry in day.entries}
    expected = compute_standings(
        selectors.scheme_to_pure(day.scheme),
        [EntryInfo(e.pk, e.status, e.contestant.organisation_id) for e in day.entries],
        [
            MarkValue(ids[code], criterion, day.judges[j].pk, 1, Decimal(value), Decimal("0"), "ok")
            for (j, code, criterion), value in intended.items()
        ],
        selectors.scheme_policy(day.scheme),
    )
    served = selectors.event_standings(event=day.event).standings
    assert [(r.entry_id, r.total, r.rank, r.award) for r in served.rows] == [
        (r.entry_id, r.total, r.rank, r.award) for r in expected.rows
    ]


def _post(page, path, body, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return page.evaluate(
        """([path, body, extra]) => fetch(path, {method: "POST", body: JSON.stringify(body),
             headers: Object.assign({"Content-Type": "application/json",
                                     "X-CSRFToken": document.cookie.match(/csrftoken=([^;]+)/)[1]}, extra)})
           .then(r => r.status)""",
        [path, body, headers],
    )
