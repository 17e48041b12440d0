"""Judge sign-in: one-time login QR codes, lockout after failed logins, idle session expiry."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from config.errors import DomainError
from scoring.login_codes import (
    IDLE_SESSION_KEY,
    is_locked_out,
    login_code_issue,
    login_code_redeem,
    login_code_revoke,
    login_failures,
)
from scoring.models import LoginCode
from tests.factories import (
    JudgeAssignmentFactory,
    LoginCodeFactory,
    QuickUserFactory,
    UserFactory,
    judged_event_factory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_cache(settings):
    # Failure counters live in the cache; a private local-memory one (never FLUSHDB on a shared Redis).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lockout"}}
    cache.clear()


def _code_url(token):
    return reverse("tablet:code-login", args=[token])


def test_login_code_stores_only_a_digest():
    judge = QuickUserFactory()
    code, token = login_code_issue(user=judge)
    assert LoginCode.objects.get().pk == code.pk
    assert token not in code.digest
    assert len(code.digest) == 64
    assert code.expires_at - code.created_at == pytest.approx(timedelta(hours=24), abs=timedelta(seconds=5))


def test_login_code_get_asks_for_a_tap_and_does_not_use_the_code(client):
    _code, token = login_code_issue(user=QuickUserFactory())
    response = client.get(_code_url(token))
    assert response.status_code == 200
    assert LoginCode.objects.get().used_at is None
    assert "_auth_user_id" not in client.session


def test_login_code_signs_in_once(client):
    judge = QuickUserFactory()
    _code, token = login_code_issue(user=judge)
    response = client.post(_code_url(token))
    assert response.status_code == 302
    assert response.url == "/judge/"
    assert client.session["_auth_user_id"] == str(judge.pk)
    assert client.get("/judge/").status_code == 200

    other = type(client)()
    again = other.post(_code_url(token))
    assert again.status_code == 400
    assert again.context["code"] == "login_code_used"
    assert "登录二维码已使用过，每个码只能使用一次。" in again.content.decode()
    assert "_auth_user_id" not in other.session


def test_login_code_expired_is_refused(client):
    code, token = login_code_issue(user=QuickUserFactory(), valid_for=timedelta(minutes=5))
    LoginCode.objects.filter(pk=code.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(_code_url(token))
    assert response.status_code == 400
    assert response.context["code"] == "login_code_expired"
    assert "_auth_user_id" not in client.session


def test_login_code_revoked_is_refused(client):
    code, token = login_code_issue(user=QuickUserFactory())
    login_code_revoke(code=code)
    response = client.post(_code_url(token))
    assert response.status_code == 400
    assert response.context["code"] == "login_code_revoked"


def test_login_code_unknown_token_is_refused():
    with pytest.raises(DomainError) as excinfo:
        login_code_redeem(token="not-a-real-token")
    assert excinfo.value.code == "login_code_invalid"


def test_login_code_of_an_inactive_user_is_refused():
    user = QuickUserFactory(is_active=False)
    _code, token = login_code_issue(user=user)
    with pytest.raises(DomainError) as excinfo:
        login_code_redeem(token=token)
    assert excinfo.value.code == "login_code_invalid"


def test_admin_issue_page_prints_one_qr_code_per_judge(client):
    judged = judged_event_factory(entries=1, judges=2)
    admin = UserFactory(is_staff=True, is_superuser=True, password="!")
    client.force_login(admin)
    url = reverse("admin:scoring_logincode_issue")
    assert client.get(url).status_code == 200
    response = client.post(url, {"competition": judged.competition.pk, "hours": 8})
    html = response.content.decode()
    expected = sorted([*(j.username for j in judged.judges), judged.chief.username])
    assert response.status_code == 200
    assert sorted(card["user"].username for card in response.context["cards"]) == expected
    assert html.count("<svg") == 3
    assert LoginCode.objects.filter(issued_by=admin).count() == 3
    token_url = response.context["cards"][0]["url"]
    assert token_url.startswith("http://testserver/judge/login/")
    # the printed URL really signs its judge in
    other = type(client)()
    assert other.post(token_url.removeprefix("http://testserver")).status_code == 302


def test_admin_revoke_action_revokes_codes(client):
    code, token = login_code_issue(user=QuickUserFactory())
    admin = UserFactory(is_staff=True, is_superuser=True, password="!")
    client.force_login(admin)
    changelist = reverse("admin:scoring_logincode_changelist")
    response = client.post(changelist, {"action": "revoke", "_selected_action": [code.pk]})
    assert response.status_code == 302
    code.refresh_from_db()
    assert code.revoked_at is not None
    with pytest.raises(DomainError) as excinfo:
        login_code_redeem(token=token)
    assert excinfo.value.code == "login_code_revoked"


def test_admin_codes_list_shows_only_managed_competitions_judges(client):
    judged = judged_event_factory(entries=1, judges=1)
    LoginCodeFactory(user=judged.judges[0])
    LoginCodeFactory()
    organiser = judged.organiser
    organiser.is_staff = True
    organiser.save()
    from django.contrib.auth.models import Permission

    organiser.user_permissions.add(Permission.objects.get(codename="view_logincode"))
    client.force_login(organiser)
    response = client.get(reverse("admin:scoring_logincode_changelist"))
    assert response.status_code == 200
    assert [c.user for c in response.context["cl"].result_list] == [judged.judges[0]]


def test_lockout_after_repeated_failed_logins(client, settings):
    settings.LOGIN_LOCKOUT_ATTEMPTS = 3
    UserFactory(username="judge-a")  # password "pass-for-tests"
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": "judge-a", "password": "wrong"})
        assert response.status_code == 200
    assert "用户名或密码不正确，请重试。" in response.content.decode()
    assert login_failures("judge-a") == 3
    assert is_locked_out("judge-a") is True
    # even the right password is refused while locked out, and the page says why
    response = client.post("/accounts/login/", {"username": "judge-a", "password": "pass-for-tests"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert ("该账号已暂时锁定，请 15 分钟后再试" in html, "用户名或密码不正确" in html) == (True, False)


def test_lockout_counter_resets_after_a_good_login(client, settings):
    settings.LOGIN_LOCKOUT_ATTEMPTS = 3
    UserFactory(username="judge-b")
    for _ in range(2):
        client.post("/accounts/login/", {"username": "judge-b", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "judge-b", "password": "pass-for-tests"})
    assert response.status_code == 302
    assert login_failures("judge-b") == 0


def test_lockout_is_per_username(client, settings):
    settings.LOGIN_LOCKOUT_ATTEMPTS = 2
    UserFactory(username="judge-c")
    for _ in range(2):
        client.post("/accounts/login/", {"username": "someone-else", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "judge-c", "password": "pass-for-tests"})
    assert response.status_code == 302


def test_idle_session_expires(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    judge = JudgeAssignmentFactory(user=QuickUserFactory()).user
    client.force_login(judge)
    assert client.get("/judge/").status_code == 200
    session = client.session
    session[IDLE_SESSION_KEY] = int(time.time()) - 601
    session.save()
    response = client.get("/judge/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/judge/"


def test_active_session_stays_signed_in(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    judge = JudgeAssignmentFactory(user=QuickUserFactory()).user
    client.force_login(judge)
    client.get("/judge/")
    session = client.session
    session[IDLE_SESSION_KEY] = int(time.time()) - 599
    session.save()
    assert client.get("/judge/").status_code == 200


def test_idle_expiry_can_be_switched_off(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 0
    judge = JudgeAssignmentFactory(user=QuickUserFactory()).user
    client.force_login(judge)
    session = client.session
    session[IDLE_SESSION_KEY] = int(time.time()) - 10**6
    session.save()
    assert client.get("/judge/").status_code == 200


def test_admin_reissue_action_revokes_and_prints_new_codes(client):
    judge = QuickUserFactory()
    old, old_token = login_code_issue(user=judge)
    admin = UserFactory(is_staff=True, is_superuser=True, password="!")
    client.force_login(admin)
    changelist = reverse("admin:scoring_logincode_changelist")
    response = client.post(changelist, {"action": "reissue", "_selected_action": [old.pk]})
    assert response.status_code == 200
    assert [card["user"] for card in response.context["cards"]] == [judge]
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert LoginCode.objects.filter(user=judge, revoked_at__isnull=True).count() == 1
    new_url = response.context["cards"][0]["url"].removeprefix("http://testserver")
    assert client.post(_code_url(old_token)).status_code == 400
    assert client.post(new_url).status_code == 302
