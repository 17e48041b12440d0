"""The organiser console in headless chromium, as a user who is NOT staff, from an empty competition.

Journey at 1024×768 (a laptop or a tablet in landscape): create the competition → an event →
units → contestants → the marking scheme (validated as you type, a criterion added in the
page) → a judge account with its assignment → the login QR codes as one PDF. Every console
page is checked to fit the screen (no table wider than 1024 px). Then the same pages in
English. ``SCREENSHOTS=1`` writes docs/screenshots/console-*.png.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

from competitions.models import Competition, Contestant, Entry, JudgeAssignment
from scoring.models import MarkingScheme
from tests.browser.test_tablet_judge import PASSWORD, _with_password
from tests.factories import UserFactory, valid_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LAPTOP = {"width": 1024, "height": 768}


@pytest.fixture
def screenshots(tmp_path) -> Path:
    return DOCS_SCREENSHOTS if os.environ.get("SCREENSHOTS") == "1" else tmp_path


@pytest.fixture
def organiser(daphne_server):
    user = _with_password(UserFactory(username="organiser-wang", first_name="王组织"))
    user.user_permissions.add(Permission.objects.get(codename="add_competition"))
    assert not user.is_staff
    return user


def _login(page, server, user, next_url="/console/"):
    page.goto(f"{server.url}/accounts/login/?next={next_url}")
    page.locator('[name="username"]').fill(user.username)
    page.locator('[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        page.locator('form button[type="submit"]').click()


def _fits(page) -> bool:
    """Nothing wider than the viewport: the page does not scroll sideways."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _shot(page, path: Path) -> None:
    assert _fits(page), page.url
    page.screenshot(path=path, full_page=True)


def _real_errors(page) -> list[str]:
    # Refused forms and invalid scheme checks answer 400 on purpose; chromium logs each one.
    return [error for error in page.errors if "status of 400" not in error]


def _save(page):
    with page.expect_navigation():
        page.locator("form.console-form button.primary").first.click()


def test_organiser_journey_from_an_empty_competition(browse, daphne_server, organiser, screenshots, tmp_path):
    def scenario(page):
        page.set_viewport_size(LAPTOP)
        _login(page, daphne_server, organiser)
        assert page.url == f"{daphne_server.url}/console/"
        assert page.locator("#nav-console").inner_text() == "管理后台"
        assert page.locator("#nav-admin").count() == 0
        _shot(page, screenshots / "console-home-zh.png")

        # The competition, with a new host unit; a bad year first gives a field error.
        page.locator("#new-competition").click()
        page.locator('[name="title"]').fill("2026年区职工技能竞赛")
        page.locator('[name="slug"]').fill("DIST26")
        page.locator('[name="year"]').fill("1999")
        page.locator('[name="new_host"]').fill("区总工会")
        _save(page)
        assert page.locator('[data-field="year"] .field-errors').inner_text() == "年度应在 2000 到 2100 之间。"
        _shot(page, screenshots / "console-competition-form-error-zh.png")
        page.locator('[name="year"]').fill("2026")
        _save(page)
        # The browser thread runs an event loop: no ORM here; ids come from the pages.
        assert re.fullmatch(rf"{daphne_server.url}/console/\d+/", page.url), page.url
        pk = int(page.url.rstrip("/").rsplit("/", 1)[1])

        # An event.
        page.locator(".console-tabs a", has_text="项目").click()
        assert page.locator(".empty-title").inner_text() == "还没有项目。"
        page.locator("#add-events").click()
        page.locator('[name="code"]').fill("car")
        page.locator('[name="title"]').fill("汽车维修")
        page.locator('[name="stations"]').fill("12")
        _save(page)
        _shot(page, screenshots / "console-events-zh.png")

        # Two units.
        for name in ("江北区总工会", "渝中区总工会"):
            page.goto(f"{daphne_server.url}/console/{pk}/units/new/")
            page.locator('[name="name"]').fill(name)
            page.locator('[name="kind"]').select_option("district")
            _save(page)
        _shot(page, screenshots / "console-units-zh.png")

        # Two contestants entering the event.
        people = [("张伟", "江北区总工会", "11010119900101123"), ("李娜", "渝中区总工会", "11010119920202124")]
        for name, unit, first17 in people:
            page.goto(f"{daphne_server.url}/console/{pk}/contestants/new/")
            page.locator('[name="name"]').fill(name)
            page.locator('[name="organisation"]').select_option(label=unit)
            page.locator('[name="id_number"]').fill(first17 + "0")  # a wrong check digit first
            page.get_by_label("汽车维修").check()
            _save(page)
            assert page.locator('[data-field="id_number"] .field-errors').inner_text().startswith("身份证号")
            if name == "张伟":
                _shot(page, screenshots / "console-contestant-form-error-zh.png")
            page.locator('[name="id_number"]').fill(valid_id_number(first17))
            _save(page)
        page.locator("#q").fill("张")
        with page.expect_navigation():
            page.locator(".console-search button").click()
        assert page.locator(".console-table tbody tr").count() == 1
        page.goto(f"{daphne_server.url}/console/{pk}/contestants/")
        _shot(page, screenshots / "console-contestants-zh.png")

        # The marking scheme, validated as you type.
        page.goto(f"{daphne_server.url}/console/{pk}/events/")
        scheme_url = page.locator('.console-table a[href$="/scheme/"]').get_attribute("href")
        page.goto(daphne_server.url + scheme_url)
        page.locator('[name="criteria-0-code"]').fill("taste")
        page.locator('[name="criteria-0-title"]').fill("味感")
        page.locator('[name="criteria-0-max_value"]').fill("40")
        page.locator('[name="criteria-0-aggregation"]').select_option("trimmed_mean")
        page.locator('[name="criteria-0-trim"]').fill("1")
        page.locator('[name="criteria-0-panel_size"]').fill("2")
        page.wait_for_function(
            "document.querySelector('[data-field=\"criteria-0-panel_size\"] .field-errors').textContent.length > 0"
        )
        _shot(page, screenshots / "console-scheme-live-error-zh.png")
        page.locator('[name="criteria-0-panel_size"]').fill("5")
        page.wait_for_function("document.querySelector('[data-check-status]').classList.contains('ok')")
        assert page.locator('[data-field="criteria-0-panel_size"] .field-errors').inner_text() == ""
        page.locator("[data-add-criterion]").click()
        page.locator('[name="criteria-1-code"]').fill("look")
        page.locator('[name="criteria-1-title"]').fill("观感")
        page.locator('[name="criteria-1-max_value"]').fill("20")
        page.wait_for_function("document.querySelectorAll('[data-preview-columns] li').length === 7")
        assert page.locator("[data-preview-columns] li").nth(4).inner_text().startswith("观感")
        _shot(page, screenshots / "console-scheme-zh.png")
        with page.expect_navigation():
            page.locator("#scheme-save").click()
        assert page.locator(".messages").inner_text() == "评分方案已保存。"

        # A judge account assigned as chief judge with their unit, then the QR codes as one PDF.
        page.goto(f"{daphne_server.url}/console/{pk}/judges/")
        form = page.locator("#judge-account-form")
        form.locator('[name="username"]').fill("judge-zhao")
        form.locator('[name="name"]').fill("赵裁判")
        form.locator('[name="role"]').select_option("chief_judge")
        form.locator('[name="event"]').select_option(label="汽车维修")
        form.locator('[name="organisation"]').select_option(label="江北区总工会")
        with page.expect_navigation():
            form.locator("button").click()
        assert page.locator("#assignments tbody tr").count() == 1
        _shot(page, screenshots / "console-judges-zh.png")
        with page.expect_download() as download:
            page.locator("#print-codes").click()
        pdf = tmp_path / "codes.pdf"
        download.value.save_as(pdf)
        assert pdf.read_bytes()[:5] == b"%PDF-"
        page.goto(f"{daphne_server.url}/console/{pk}/teams/")
        assert page.locator(".empty-title").inner_text() == "还没有参赛队。"
        _shot(page, screenshots / "console-teams-empty-zh.png")
        page.goto(f"{daphne_server.url}/console/{pk}/")
        _shot(page, screenshots / "console-competition-zh.png")
        assert _real_errors(page) == []
        return pdf, scheme_url

    pdf, scheme_url = browse(scenario)
    competition = Competition.objects.get(slug="DIST26")
    event = competition.events.get()
    assert scheme_url == f"/console/{competition.pk}/events/{event.pk}/scheme/"
    assert [c.code for c in MarkingScheme.objects.get(event=event).criteria.all()] == ["taste", "look"]
    assert JudgeAssignment.objects.get(user__username="judge-zhao").organisation.name == "江北区总工会"
    assert Contestant.objects.filter(competition=competition).count() == 2
    assert Entry.objects.filter(event__competition=competition).count() == 2
    pdftoppm = shutil.which("pdftoppm")
    if os.environ.get("SCREENSHOTS") == "1" and pdftoppm:
        # The PDF's first page as a picture, to look at beside the page screenshots (our own file, our own path).
        target = str(screenshots / "console-login-codes-pdf")
        subprocess.run([pdftoppm, "-png", "-r", "60", "-singlefile", str(pdf), target], check=True)  # noqa: S603

    pk = competition.pk

    def english(page):
        page.set_viewport_size(LAPTOP)
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": daphne_server.url}])
        _login(page, daphne_server, organiser, next_url=f"/console/{pk}/")
        for name, url in [
            ("home", "/console/"),
            ("competition", f"/console/{pk}/"),
            ("events", f"/console/{pk}/events/"),
            ("units", f"/console/{pk}/units/"),
            ("contestants", f"/console/{pk}/contestants/"),
            ("contestant-form", f"/console/{pk}/contestants/new/"),
            ("scheme", scheme_url),
            ("judges", f"/console/{pk}/judges/"),
        ]:
            page.goto(daphne_server.url + url)
            assert page.locator("html").get_attribute("lang") == "en"
            _shot(page, screenshots / f"console-{name}-en.png")
        assert _real_errors(page) == []

    browse(english)
