"""The real-server fixture itself: it serves the test's committed data, and survives a restart."""

import urllib.request

import pytest

from tests.factories import CompetitionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - http://127.0.0.1 only
        return response.status, response.read().decode()


def test_daphne_server_sees_the_test_data_and_restarts(daphne_server):
    competition = CompetitionFactory(slug="LIVE", title="实时服务器测试赛")
    status, html = _get(f"{daphne_server.url}/competitions/LIVE/")
    assert (status, competition.title in html) == (200, True)
    first_pid = daphne_server.process.pid
    daphne_server.restart()
    assert daphne_server.process.pid != first_pid
    status, html = _get(f"{daphne_server.url}/competitions/LIVE/")
    assert (status, competition.title in html) == (200, True)
    assert daphne_server.ws_url == f"ws://127.0.0.1:{daphne_server.port}"
