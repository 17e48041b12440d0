"""The results chain end to end in headless chromium: mark → lock → review sample → decode → announce → final
→ certificates, with screenshots in docs/screenshots/ (results-review, results-announcement, certificate-verify-final).
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from certificates.models import Certificate
from scoring.models import EventResults, ReviewItem
from tests.browser.test_tablet_judge import PASSWORD, _enter, _with_password
from tests.factories import judged_event_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TOTAL = [{"code": "total", "title": "实操成绩", "max_value": Decimal("100"), "aggregation": "single"}]


@pytest.fixture
def contest(flushable_history, daphne_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    judged = judged_event_factory(entries=4, judges=1, criteria=TOTAL, is_public=True)
    judged.event.title = "中式热菜"
    judged.event.save()
    for user in (judged.judges[0], judged.chief, judged.organiser):
        _with_password(user)
    return judged


def _sign_in(page, server, user, next_url):
    page.context.clear_cookies()
    page.goto(f"{server.url}/accounts/login/?next={next_url}")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def _click(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_results_chain_end_to_end_in_the_browser(browse, daphne_server, contest):
    server, event = daphne_server, contest.event
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def mark_lock_review_decode_announce(page):
        # The judge marks every entry on the tablet.
        _sign_in(page, server, contest.judges[0], "/judge/")
        for index, entry in enumerate(contest.entries):
            page.goto(f"{server.url}/judge/events/{event.pk}/entries/{entry.code}/")
            _enter(page, "total", 80 + index * 2.5)
            page.wait_for_selector('.attempt[data-key="total:1"].saved')
        # The chief judge: close marking (locks every sheet), draw the review sample, review, decode, announce.
        _sign_in(page, server, contest.chief, f"/judge/events/{event.pk}/chief/")
        page.set_viewport_size({"width": 1024, "height": 1366})  # a tablet
        _click(page, "#step-close")
        _click(page, "#step-draw")
        items = page.locator(".review-item").count()
        page.evaluate("window.scrollTo(0, 0)")  # the sticky header would cover the section otherwise
        page.screenshot(path=SCREENSHOTS / "results-review.png", full_page=True)
        for _ in range(items):
            _click(page, ".review-item.status-pending [data-confirm]")
        page.fill("#decode-reason", "监督员在场")
        _click(page, "#step-decode")
        page.fill("#announce-contact", "竞赛组委会办公室 023-63891234")
        _click(page, "#step-announce")
        stage = page.get_attribute("#results", "data-stage")
        # The public notice: names decoded, the period's end, the objections form.
        page.context.clear_cookies()
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(f"{server.url}/competitions/{contest.competition.slug}/events/{event.code}/notice/")
        names = page.locator("#notice-rows tbody tr").all_inner_texts()
        page.screenshot(path=SCREENSHOTS / "results-announcement.png", full_page=True)
        return items, stage, names, page.errors

    items, stage, names, errors = browse(mark_lock_review_decode_announce)
    assert (items, stage, errors) == (4, "announced", [])
    assert all(any(e.contestant.name in row for row in names) for e in contest.entries)
    assert set(ReviewItem.objects.filter(event=event).values_list("status", flat=True)) == {"confirmed"}

    # Three days pass with no objection.
    EventResults.objects.filter(event=event).update(announcement_ends_at=timezone.now() - timedelta(minutes=1))

    def finalise_and_issue(page):
        _sign_in(page, server, contest.organiser, f"/manage/events/{event.pk}/results/")
        _click(page, "#finalise")
        stage = page.get_attribute("#results-state", "data-stage")
        page.goto(f"{server.url}/manage/competitions/{contest.competition.pk}/certificates/")
        final = page.get_attribute(f'#results-status tr[data-event="{event.pk}"]', "data-final")
        page.select_option("#issue-event", str(event.pk))
        page.uncheck("input[name=include_participation]")
        _click(page, "#issue-form button[type=submit]")
        return stage, final, page.errors

    stage, final, errors = browse(finalise_and_issue)
    assert (stage, final, errors) == ("final", "1", [])
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    certificate = Certificate.objects.filter(event=event).order_by("award_level", "sequence").first()
    assert certificate is not None
    assert certificate.results_override_reason == ""

    def verify(page):
        page.context.clear_cookies()
        page.goto(f"{server.url}/verify/{certificate.verification_code}/")
        verdict = page.inner_text(".verdict")
        page.screenshot(path=SCREENSHOTS / "certificate-verify-final.png", full_page=True)
        return verdict, page.errors

    verdict, errors = browse(verify)
    assert (verdict, errors) == ("✔ 有效证书", [])
    assert Certificate.objects.filter(event=event).count() == 4  # 1 first, 2 second, 1 third of 4 entries
