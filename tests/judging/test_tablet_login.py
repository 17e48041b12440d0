"""Judge sign-in: one-time login QR codes, lockout after failed logins (django-axes), idle session expiry."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from axes.handlers.proxy import AxesProxyHandler
from django.core.cache import cache, caches
from django.db import connections
from django.test import AsyncClient, override_settings
from django.urls import reverse
from django.utils import timezone

from config.errors import DomainError
from judging.login_codes import login_code_issue, login_code_redeem, login_code_revoke
from judging.middleware import IDLE_SESSION_KEY
from judging.models import LoginCode
from tests.factories import (
    JudgeAssignmentFactory,
    LoginCodeFactory,
    QuickUserFactory,
    UserFactory,
    judged_event_factory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_cache():
    # Failure counts live in the cache; a private local-memory one (never FLUSHDB on a shared Redis).
    # Axes' handler holds the cache it was built with, so it is rebuilt on the way in and out.
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lockout"}}
    ):
        cache.clear()
        AxesProxyHandler.get_implementation(force=True)
        yield
    AxesProxyHandler.get_implementation(force=True)


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
    url = reverse("admin:judging_logincode_issue")
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
    changelist = reverse("admin:judging_logincode_changelist")
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
    response = client.get(reverse("admin:judging_logincode_changelist"))
    assert response.status_code == 200
    assert [c.user for c in response.context["cl"].result_list] == [judged.judges[0]]


LOGIN = "/accounts/login/"
WRONG_LOGIN = "用户名或密码不正确，请重试。"
LOCKED_OUT = "登录失败次数过多，该账号已暂时锁定，请 15 分钟后再试。"


def _login(client, username, password, address="127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_lockout_after_repeated_failed_logins(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="judge-a")  # password "pass-for-tests"
    first, second, third = (_login(client, "judge-a", "wrong") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
    assert WRONG_LOGIN in second.content.decode()
    # even the right password is refused while locked out, and the login page says why
    response = _login(client, "judge-a", "pass-for-tests")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert (LOCKED_OUT in html, WRONG_LOGIN in html) == (True, False)
    assert 'name="password"' in html
    assert 'value="judge-a"' in html


def test_lockout_locks_a_username_at_one_address_only(client, settings):
    """The acceptance case: nobody can lock a judge out from another machine."""
    settings.AXES_FAILURE_LIMIT = 5
    judge1 = UserFactory(username="judge1")
    UserFactory(username="judge2")
    failures = [_login(client, "judge1", "wrong", "10.0.0.1").status_code for _ in range(5)]
    assert failures == [200, 200, 200, 200, 429]

    refused = _login(client, "judge1", "pass-for-tests", "10.0.0.1")
    assert refused.status_code == 429
    assert LOCKED_OUT in refused.content.decode()
    assert "_auth_user_id" not in client.session

    other_judge = type(client)()
    assert _login(other_judge, "judge2", "pass-for-tests", "10.0.0.1").status_code == 302
    other_machine = type(client)()
    assert _login(other_machine, "judge1", "pass-for-tests", "10.0.0.2").status_code == 302
    assert other_machine.session["_auth_user_id"] == str(judge1.pk)


def test_lockout_counter_resets_after_a_good_login(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="judge-b")
    for _ in range(2):
        _login(client, "judge-b", "wrong")
    assert _login(client, "judge-b", "pass-for-tests").status_code == 302
    client.logout()
    # two more failures: without the reset this would be the fourth and locked
    assert [_login(client, "judge-b", "wrong").status_code for _ in range(2)] == [200, 200]
    assert _login(client, "judge-b", "pass-for-tests").status_code == 302


def test_lockout_is_per_username(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="judge-c")
    for _ in range(2):
        _login(client, "someone-else", "wrong")
    assert _login(client, "judge-c", "pass-for-tests").status_code == 302


def test_lockout_ends_after_the_cool_off(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    UserFactory(username="judge-d")
    assert [_login(client, "judge-d", "wrong").status_code for _ in range(2)] == [200, 429]
    assert _login(client, "judge-d", "pass-for-tests").status_code == 429
    time.sleep(1.2)
    assert _login(client, "judge-d", "pass-for-tests").status_code == 302


@pytest.mark.django_db(transaction=True)
async def test_lockout_page_under_asgi(settings):
    """Under Daphne the middleware chain is async, and axes calls the lockout page another way."""
    settings.AXES_FAILURE_LIMIT = 2
    client = AsyncClient()
    statuses = []
    for _ in range(2):
        response = await client.post(LOGIN, {"username": "nobody", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
        statuses.append(response.status_code)
    # The views ran in asgiref's one thread for sync code; the test client keeps that thread's
    # connection open, which would keep the test database from being dropped.
    await sync_to_async(connections.close_all)()
    assert statuses == [200, 429]
    assert LOCKED_OUT in response.content.decode()


SHOW_LOCKOUT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()), s.AXES_LOCKOUT_PARAMETERS, "
    "s.AXES_HANDLER, s.CACHES[s.AXES_CACHE]['BACKEND'])"
)


def test_lockout_limits_come_from_the_environment_and_counts_from_the_shared_cache():
    """Limits from the environment; with REDIS_URL the counts are in Redis, shared by every process."""
    env = {
        **os.environ,
        "LOGIN_LOCKOUT_ATTEMPTS": "7",
        "LOGIN_LOCKOUT_SECONDS": "60",
        "REDIS_URL": "redis://127.0.0.1:6379/12",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(  # noqa: S603 - this interpreter running a constant script
        [sys.executable, "-c", SHOW_LOCKOUT_SETTINGS],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == [
        "7",
        "60",
        "[['username',",
        "'ip_address']]",
        "axes.handlers.cache.AxesCacheHandler",
        "django.core.cache.backends.redis.RedisCache",
    ]


def test_lockout_counts_in_the_default_cache():
    assert AxesProxyHandler.get_implementation().cache is caches["default"]


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
    changelist = reverse("admin:judging_logincode_changelist")
    response = client.post(changelist, {"action": "reissue", "_selected_action": [old.pk]})
    assert response.status_code == 200
    assert [card["user"] for card in response.context["cards"]] == [judge]
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert LoginCode.objects.filter(user=judge, revoked_at__isnull=True).count() == 1
    new_url = response.context["cards"][0]["url"].removeprefix("http://testserver")
    assert client.post(_code_url(old_token)).status_code == 400
    assert client.post(new_url).status_code == 302
