"""The quiz in headless chromium at 390×844: sign-in with the unit picker, a paper answered one question per
screen, a connection dropped mid-paper and resumed after a reload, submit, score, rank and review; and the
organiser's dashboard and prize draw. ``SCREENSHOTS=1`` writes docs/screenshots/quiz-*.png.
"""

import os
from pathlib import Path

import pytest

from quizzes.models import Attempt, PrizeDraw
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_tablet_judge import PASSWORD, _with_password
from tests.factories import OrganisationFactory
from tests.helpers import organiser_of
from tests.quizzes.factories import ParticipantFactory, quiz_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def screenshots(tmp_path) -> Path:
    return DOCS_SCREENSHOTS if os.environ.get("SCREENSHOTS") == "1" else tmp_path


@pytest.fixture
def round_(daphne_server):
    round_ = quiz_round(questions=12, title="安全生产知识网上竞赛 第一轮", min_seconds_per_question=0)
    district = OrganisationFactory(parent=round_.competition.host, name="江北区总工会")
    OrganisationFactory(parent=district, name="江北机械制造有限公司")
    return round_


def _answer_current(page):
    if page.locator("#q-fill").is_visible():
        page.fill("#q-fill", "工会")
    else:
        page.locator("#q-options .option").first.click()


def _real_errors(page) -> list[str]:
    # While the test holds the connection down, the browser logs the refused fetches; that is the point.
    return [
        error for error in page.errors if "ERR_INTERNET_DISCONNECTED" not in error and "Failed to fetch" not in error
    ]


def test_participant_flow_on_a_phone_with_a_dropped_connection(browse, daphne_server, round_, screenshots):
    def scenario(page):
        page.set_viewport_size(PHONE)
        page.goto(f"{daphne_server.url}/quiz/{round_.pk}/")
        page.fill('#signin [name="name"]', "刘晓红")
        page.fill('#signin [name="mobile"]', "139 2345 6789")
        page.fill("#unit-search", "机械")
        page.locator("#unit-list button", has_text="江北机械制造有限公司").click()
        page.screenshot(path=screenshots / "quiz-signin-phone.png")
        page.locator("#signin button.primary").click()
        page.locator("#start").click()
        page.wait_for_selector("#paper:not([hidden])")
        page.screenshot(path=screenshots / "quiz-question-phone.png")
        timer = page.inner_text("#timer")
        heights = page.eval_on_selector_all(
            "#q-options .option, #prev, #next, #submit", "nodes => nodes.map(n => n.getBoundingClientRect().height)"
        )
        for _number in range(2):
            _answer_current(page)
            page.wait_for_function("document.getElementById('save-state').textContent === '已保存'")
            page.locator("#next").click()
        page.context.set_offline(True)
        _answer_current(page)
        page.locator("#next").click()  # blurs a fill-in field, which saves it
        page.wait_for_function("document.getElementById('save-state').className === 'save offline'")
        offline_text = page.inner_text("#save-state")
        page.screenshot(path=screenshots / "quiz-offline-phone.png")
        page.context.set_offline(False)
        page.reload()
        page.wait_for_selector("#paper:not([hidden])")
        page.wait_for_function("document.getElementById('save-state').textContent === '已保存'")
        resumed_at = page.inner_text("#progress-text")
        while "第 5 / 5 题" not in page.inner_text("#progress-text"):
            _answer_current(page)
            page.locator("#next").click()
        _answer_current(page)
        page.locator("#next").click()  # on the last question: "check and submit"
        page.locator("#confirm-yes").click()
        page.wait_for_selector("#result:not([hidden])")
        page.screenshot(path=screenshots / "quiz-result-phone.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
        return (
            timer,
            heights,
            offline_text,
            resumed_at,
            page.inner_text("#r-score"),
            page.inner_text("#r-rank"),
            page.locator(".review-item").count(),
            _real_errors(page),
        )

    timer, heights, offline_text, resumed_at, score, rank, reviewed, errors = browse(scenario)

    attempt = Attempt.objects.get()
    assert timer in ("10:00", "9:59")
    assert min(heights) >= 48
    assert offline_text == "网络断开，答案已暂存，正在重试…"
    assert resumed_at.startswith("第 4 / 5 题")  # the first unanswered question after the reload
    assert (attempt.status, sorted(attempt.answers)) == (Attempt.Status.SUBMITTED, ["0", "1", "2", "3", "4"])
    assert attempt.participant.unit.name == "江北机械制造有限公司"
    assert score == str(attempt.score)
    assert rank.startswith("当前排名第 1 名")
    assert reviewed == 5
    assert errors == []


def test_organiser_dashboard_and_prize_draw(browse, daphne_server, round_, screenshots):
    from tests.quizzes.test_results import _finish

    for correct in (5, 5, 4, 3):
        _finish(round_, ParticipantFactory(competition=round_.competition), correct=correct, seconds=120)
    organiser = _with_password(organiser_of(round_.competition))

    def scenario(page):
        page.set_viewport_size(DESKTOP)
        page.goto(f"{daphne_server.url}/accounts/login/?next=/manage/quiz/rounds/{round_.pk}/dashboard/")
        page.get_by_label("用户名").fill(organiser.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"**/manage/quiz/rounds/{round_.pk}/dashboard/")
        page.wait_for_function("document.getElementById('d-participants').textContent === '4'")
        page.screenshot(path=screenshots / "quiz-dashboard-desktop.png", full_page=True)
        page.goto(f"{daphne_server.url}/manage/quiz/rounds/{round_.pk}/")
        page.fill('input[name="min_score"]', "25")
        page.fill('input[name="winners"]', "1")
        page.get_by_role("button", name="抽奖", exact=True).click()
        page.wait_for_selector("#replay-ok")
        page.screenshot(path=screenshots / "quiz-draw-desktop.png", full_page=True)
        return page.inner_text("#seed"), _real_errors(page)

    seed, errors = browse(scenario)

    draw = PrizeDraw.objects.get()
    assert seed == draw.seed
    assert len(draw.candidate_ids) == 2
    assert errors == []
