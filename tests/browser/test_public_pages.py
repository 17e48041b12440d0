"""The public pages in a real browser: Chinese by default, English on request, no console errors.

Screenshots (1280×800 and 390×844) go to a temporary directory; with
``SCREENSHOTS=1`` they go to docs/screenshots/ instead, to refresh the docs.
"""

import os
from pathlib import Path

import pytest

from demo.data import DEMO_PASSWORD, build_demo
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRONE_TITLE = "2026年全市应急救援无人机操作职业技能竞赛"
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def screenshots(tmp_path) -> Path:
    return DOCS_SCREENSHOTS if os.environ.get("SCREENSHOTS") == "1" else tmp_path


@pytest.fixture
def demo(flushable_history, daphne_server):
    build_demo()
    return daphne_server


def _shoot(page, directory: Path, name: str) -> None:
    """Screenshots at both sizes; on the phone the page itself must not scroll sideways."""
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        assert page.evaluate("document.documentElement.scrollWidth") == viewport["width"]
        page.screenshot(path=directory / f"{name}-{label}.png", full_page=label == "desktop")
    page.set_viewport_size(DESKTOP)


def test_nav_touch_targets_are_at_least_48px(browse, demo):
    def scenario(page):
        page.set_viewport_size(PHONE)
        page.goto(demo.url + "/")
        heights = page.eval_on_selector_all(
            ".topbar a, .nav button, .nav select", "els => els.map(e => e.getBoundingClientRect().height)"
        )
        assert len(heights) == 4  # brand, competitions, language, log in
        assert min(heights) >= 48

    browse(scenario)


def test_public_pages_render_in_chinese_without_errors(browse, demo, screenshots):
    def scenario(page):
        page.goto(demo.url + "/")
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        assert page.get_by_role("link", name=DRONE_TITLE).is_visible() is True
        # The CJK font is really there: the text is not drawn as boxes from a fallback.
        assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '劳动和技能竞赛')") is True
        _shoot(page, screenshots, "home")

        page.get_by_role("link", name=DRONE_TITLE).click()
        page.wait_for_url(demo.url + "/competitions/DRONE/")
        assert page.locator("h1").inner_text() == DRONE_TITLE
        assert page.locator(".table tbody tr").count() == 11  # the 11 district unions
        _shoot(page, screenshots, "competition")

        page.get_by_role("link", name="个人赛：无人机应急救援操作").click()
        page.wait_for_url(demo.url + "/competitions/DRONE/events/individual/")
        assert page.locator("table.entries tbody tr").count() == 36
        _shoot(page, screenshots, "event")
        assert page.errors == []

    browse(scenario)


def test_language_switcher_shows_english(browse, demo):
    def scenario(page):
        page.goto(demo.url + "/competitions/DRONE/")
        with page.expect_navigation():
            page.get_by_label("语言").select_option("en")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.url == demo.url + "/competitions/DRONE/"
        assert page.locator("h2.section-title").all_inner_texts() == ["Events", "Participating organisations"]
        assert page.get_by_role("link", name="Log in").is_visible() is True
        assert page.errors == []

    browse(scenario)


def test_login_page_logs_in_a_demo_user(browse, demo):
    def scenario(page):
        page.goto(demo.url + "/accounts/login/")
        page.get_by_label("用户名").fill("organiser")
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        assert page.url == demo.url + "/"
        assert page.get_by_role("button", name="退出（周文斌）").is_visible() is True
        with page.expect_navigation():
            page.get_by_label("语言").select_option("en")
        assert page.get_by_role("button", name="Log out (周文斌)").is_visible() is True
        assert page.errors == []

    browse(scenario)


def test_login_page_rejects_a_wrong_password(browse, demo):
    def scenario(page):
        page.goto(demo.url + "/accounts/login/")
        page.get_by_label("用户名").fill("organiser")
        page.get_by_label("密码").fill("wrong-password")
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        assert page.get_by_role("alert").inner_text() == "用户名或密码不正确，请重试。"

    browse(scenario)


def test_overview_lists_each_events_leaders_with_a_link_to_its_board(browse, demo, screenshots):
    from competitions.models import Competition, Event  # the demo is built by the fixture

    # The drone team event is decoded and final in the demo: names show beside its leaders.
    drone = Competition.objects.get(slug="DRONE")
    event = Event.objects.get(competition=drone, code="team")

    def scenario(page):
        page.goto(f"{demo.url}/live/competitions/{drone.pk}/")
        card = page.locator(".event-card").first
        card.locator("tbody tr").first.wait_for()
        assert card.get_by_role("link", name=event.title).get_attribute("href") == f"/live/events/{event.pk}/"
        first = card.locator("tbody tr").first
        name, organisation = first.locator(".who .name"), first.locator(".who .org")
        # Name and unit on lines of their own, not run together.
        assert name.bounding_box()["y"] < organisation.bounding_box()["y"]
        assert first.locator(".award").inner_text() == "一等奖"
        _shoot(page, screenshots, "overview")
        with page.expect_navigation():
            card.get_by_role("link", name=event.title).click()
        assert page.url == f"{demo.url}/live/events/{event.pk}/"
        assert page.errors == []

    browse(scenario)
