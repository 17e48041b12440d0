"""The big-screen board in Debian's headless chromium, against a real Daphne.

The board loads, shows the standings it fetched over HTTP, and re-orders itself when a
judge's mark (posted over HTTP to the same server) arrives on its socket.
"""

import pytest

from live.board import row_keys
from tests.browser.conftest import browse, browser_thread  # noqa: F401 - fixtures
from tests.live.test_e2e import logged_in_event, post_mark
from tests.live_server import _daphne_process, daphne_server  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def judged(flushable_history, daphne_server):  # noqa: F811
    return logged_in_event()


def test_board_shows_a_rank_change_after_a_mark_is_posted(browse, daphne_server, judged):  # noqa: F811
    # Rows are keyed by their opaque public key and, the event being blind, show codes.
    keys = row_keys(judged.event.pk, [entry.pk for entry in judged.entries])
    first, second, _third = (keys[entry.pk] for entry in judged.entries)
    post_mark(daphne_server, judged, 0, 10, "browser-1")

    def scenario(page):
        page.goto(f"{daphne_server.url}/live/events/{judged.event.pk}/?tv=1")
        page.wait_for_function("document.getElementById('live-root').dataset.version === '1'")
        before = page.eval_on_selector_all("#live-rows tr", "rows => rows.map(r => r.dataset.key)")
        post_mark(daphne_server, judged, 1, 15, "browser-2")
        page.wait_for_function("document.getElementById('live-root').dataset.version === '2'")
        after = page.eval_on_selector_all("#live-rows tr", "rows => rows.map(r => r.dataset.key)")
        top = page.inner_text("#live-rows tr:first-child")
        award = page.get_attribute("#live-rows tr:first-child", "class")
        offline = page.is_visible("#live-status")
        return before, after, top, award, offline, page.errors

    before, after, top, award, offline, errors = browse(scenario)
    assert before[:2] == [first, second]
    assert after[:2] == [second, first]
    # The event is decoded: the code comes first, the name and unit beside it.
    assert top.split()[0] == "1"
    assert top.split()[1].startswith(judged.entries[1].code)
    # Highlighted as first prize; its score changed (the pulse) and it moved up (the arrow).
    assert award == "row award-1 is-changed moved-up"
    assert offline is False
    assert errors == []


def test_board_shows_the_standings_without_a_socket(browse, daphne_server, judged):  # noqa: F811
    """A board whose socket never opens (Redis down, a proxy without WebSockets) still shows the standings."""
    post_mark(daphne_server, judged, 0, 10, "browser-nosocket")

    def scenario(page):
        # Every WebSocket fails at once, as when the handshake is refused.
        page.add_init_script(
            "window.WebSocket = function () { var s = this; setTimeout(function () { s.onclose && s.onclose({}); });};"
        )
        page.goto(f"{daphne_server.url}/live/events/{judged.event.pk}/")
        page.wait_for_function("document.getElementById('live-root').dataset.version === '1'", timeout=10000)
        rows = page.eval_on_selector_all("#live-rows tr", "rows => rows.length")
        offline = page.is_visible("#live-status")
        return rows, offline

    rows, offline = browse(scenario)
    assert rows == 3
    assert offline is True  # and it says the live connection is down
