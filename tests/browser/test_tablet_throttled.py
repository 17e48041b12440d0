"""A rate-limited tablet keeps its marks: a 429 from the marks API is a "try again later", not a refusal.

The first submission is answered 429 (as ``API_WRITE_RATE`` would) by intercepting it in the
browser; the mark must stay queued and reach the server on the queue's next try.
"""

import json
from decimal import Decimal

import pytest

from scoring.models import Mark
from tests.browser.test_tablet_judge import DISH, _enter, _sign_in, _with_password
from tests.factories import judged_event_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THROTTLED = {"code": "throttled", "detail": "请求过于频繁，请 5 秒后再试。", "retry_after": 5}


@pytest.fixture
def dish(flushable_history, daphne_server):
    judged = judged_event_factory(entries=1, judges=1, criteria=DISH)
    _with_password(judged.judges[0])
    return judged


def test_tablet_keeps_a_throttled_mark_and_sends_it_later(browse, daphne_server, dish):
    entry = dish.entries[0]

    def scenario(page):
        refused = []

        def throttle_once(route):
            if not refused:
                refused.append(route.request.url)
                route.fulfill(
                    status=429,
                    headers={"Retry-After": "5"},
                    body=json.dumps(THROTTLED),
                    content_type="application/json",
                )
            else:
                route.continue_()

        _sign_in(page, daphne_server, dish.judges[0])
        page.route("**/api/v1/events/*/marks/", throttle_once)
        page.goto(f"{daphne_server.url}/judge/events/{dish.event.pk}/entries/{entry.code}/")
        page.wait_for_selector('.attempt[data-key="look:1"]')
        _enter(page, "look", "18")
        page.wait_for_function("document.getElementById('sync-badge').hidden === true", timeout=20000)
        return len(refused), page.errors

    refused, errors = browse(scenario)
    assert refused == 1
    assert list(Mark.objects.filter(entry=entry).values_list("criterion__code", "value")) == [
        ("look", Decimal("18.000"))
    ]
    # The intercepted 429 is logged by the browser as a failed resource; nothing else may be.
    assert [e for e in errors if "429" not in e] == []
