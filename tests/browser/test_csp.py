"""The Content-Security-Policy in a real browser: the main pages break none of it.

Chromium reports each refused script, style, connection or image as a
``securitypolicyviolation`` event (and a console error): both are collected on every page,
for a spectator (home, competition, live board and phone board, certificate verification
and lookup, login) and for a judge (tablet home and a marking sheet, with its script).
"""

import pytest

from tests.factories import CertificateFactory, judged_event_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "csp-pass-1"
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def contest(flushable_history, daphne_server):
    judged = judged_event_factory(entries=3, judges=1)
    judge = judged.judges[0]
    judge.set_password(PASSWORD)
    judge.save()
    certificate = CertificateFactory(competition=judged.competition, event=judged.event)
    return judged, certificate


def _visit(page, url: str) -> dict:
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    return {
        "url": url,
        "status": response.status,
        "policy": response.headers.get("content-security-policy", ""),
        "violations": page.evaluate("window.__cspViolations"),
    }


def test_main_pages_send_a_policy_and_break_none_of_it(browse, daphne_server, contest):
    judged, certificate = contest
    base = daphne_server.url
    public = [
        "/",
        f"/competitions/{judged.competition.slug}/",
        f"/live/events/{judged.event.pk}/",
        f"/live/events/{judged.event.pk}/phone/",
        f"/verify/{certificate.verification_code}/",
        "/certificates/find/",
        "/accounts/login/",
    ]
    tablet = ["/judge/", f"/judge/events/{judged.event.pk}/entries/{judged.entries[0].code}/"]

    def scenario(page):
        page.add_init_script(COLLECT_VIOLATIONS)
        visits = [_visit(page, base + path) for path in public]
        page.get_by_label("用户名").fill(judged.judges[0].username)
        page.get_by_label("密码").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        visits += [_visit(page, base + path) for path in tablet]
        # The sheet's script ran (it draws the criteria), under the policy.
        page.wait_for_selector('.attempt[data-key="look:1"]')
        return visits, page.errors

    visits, errors = browse(scenario)
    assert [(visit["url"], visit["status"]) for visit in visits] == [(base + path, 200) for path in public + tablet]
    for visit in visits:
        script_src = next(part for part in visit["policy"].split(";") if part.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src, visit
        assert visit["violations"] == [], visit
    assert errors == []
