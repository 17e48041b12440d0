"""API authentication for clients: tokens (django-rest-knox), /me/, judge accounts, and the rate limits."""

import base64

import pytest
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from competitions.models import JudgeAssignment
from tests.factories import CompetitionFactory, EventFactory, JudgeAssignmentFactory, OrganisationFactory, UserFactory
from tests.helpers import organiser_of

pytestmark = pytest.mark.django_db

PASSWORD = "pass-for-tests"
TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


@pytest.fixture(autouse=True)
def _private_cache():
    # Rate and failure counts live in the cache: a private local-memory one, never a shared Redis' FLUSHDB.
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-auth"}}
    ):
        cache.clear()
        AxesProxyHandler.get_implementation(force=True)
        yield
    AxesProxyHandler.get_implementation(force=True)


def _token(client, username, password=PASSWORD, **extra):
    return client.post(
        TOKEN_URL, {"username": username, "password": password}, content_type="application/json", **extra
    )


def _auth(token):
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


def _refused(token) -> tuple[int, str]:
    # Session authentication comes first, so a refusal is DRF's 403 (no WWW-Authenticate), as for anonymous.
    response = Client().get(ME_URL, **_auth(token))
    return response.status_code, response.json()["code"]


REFUSED = (403, "authentication_failed")


def test_token_from_password_works_on_the_api_and_is_stored_hashed(client):
    user = UserFactory()
    response = _token(client, user.username)
    assert response.status_code == 201
    token = response.json()["token"]
    stored = AuthToken.objects.get(user=user)
    assert token not in stored.digest
    assert stored.expiry > timezone.now()
    me = Client().get(ME_URL, **_auth(token))
    assert me.status_code == 200
    assert me.json()["username"] == user.username


def test_token_endpoint_needs_no_csrf_token():
    user = UserFactory()
    assert _token(Client(enforce_csrf_checks=True), user.username).status_code == 201


def test_token_with_a_wrong_password_is_a_registered_400(client):
    user = UserFactory()
    response = _token(client, user.username, "wrong")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert AuthToken.objects.count() == 0


def test_token_delete_revokes_the_token_it_carries(client):
    user = UserFactory()
    first, second = _token(client, user.username).json()["token"], _token(client, user.username).json()["token"]
    assert Client().delete(TOKEN_URL, **_auth(first)).status_code == 204
    assert _refused(first) == REFUSED
    assert Client().get(ME_URL, **_auth(second)).status_code == 200


def test_an_expired_token_is_refused(client):
    user = UserFactory()
    token = _token(client, user.username).json()["token"]
    AuthToken.objects.filter(user=user).update(expiry=timezone.now())
    assert _refused(token) == REFUSED


def test_tokens_per_user_are_capped_oldest_revoked_first(client, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 2}
    user = UserFactory()
    tokens = [_token(client, user.username).json()["token"] for _ in range(3)]
    assert AuthToken.objects.filter(user=user).count() == 2
    assert _refused(tokens[0]) == REFUSED
    assert [Client().get(ME_URL, **_auth(token)).status_code for token in tokens[1:]] == [200, 200]


def test_http_basic_is_not_accepted():
    user = UserFactory()
    basic = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
    response = Client().get(ME_URL, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_me_lists_roles_per_competition(client):
    user = UserFactory(first_name="李娜")
    first, second = CompetitionFactory(title="无人机"), CompetitionFactory(title="汽修")
    event = EventFactory(competition=first)
    JudgeAssignmentFactory(user=user, competition=first, event=event, role=JudgeAssignment.Role.JUDGE)
    JudgeAssignmentFactory(user=user, competition=second, event=None, role=JudgeAssignment.Role.ORGANISER)
    client.force_login(user)
    assert client.get(ME_URL).json() == {
        "id": user.pk,
        "username": user.username,
        "name": "李娜",
        "is_staff": False,
        "competitions": [
            {"id": first.pk, "title": "无人机", "roles": [{"role": "judge", "event": event.pk}]},
            {"id": second.pk, "title": "汽修", "roles": [{"role": "organiser", "event": None}]},
        ],
    }


def test_me_refuses_anonymous(client):
    assert client.get(ME_URL).status_code == 403


@pytest.fixture
def competition():
    return CompetitionFactory()


def _judges_url(competition):
    return reverse("api-competition-judges", args=[competition.pk])


def test_organiser_creates_a_judge_account_with_a_one_time_login_code(client, competition):
    event = EventFactory(competition=competition)
    unit = OrganisationFactory()
    client.force_login(organiser_of(competition))
    body = {"username": "judge-wang", "name": "王强", "role": "judge", "event": event.pk, "organisation": unit.pk}
    response = client.post(_judges_url(competition), body, content_type="application/json")
    assert response.status_code == 201
    data = response.json()
    judge = get_user_model().objects.get(username="judge-wang")
    assert judge.first_name == "王强"
    assert not judge.has_usable_password()
    assert data["assignment"] == {
        "id": JudgeAssignment.objects.get(user=judge).pk,
        "user": judge.pk,
        "username": "judge-wang",
        "competition": competition.pk,
        "event": event.pk,
        "role": "judge",
        "organisation": unit.pk,
    }
    assert data["login_qr_svg"].startswith("<svg")
    assert data["login_url"].startswith("http://testserver/judge/login/")
    # The URL in the QR code signs the tablet in, once.
    tablet = Client()
    assert tablet.post(data["login_url"]).status_code == 302
    assert tablet.get(ME_URL).json()["username"] == "judge-wang"
    assert Client().post(data["login_url"]).status_code == 400


@pytest.mark.parametrize("role", [None, JudgeAssignment.Role.JUDGE, JudgeAssignment.Role.CHIEF_JUDGE])
def test_only_the_competitions_organiser_creates_judges(client, competition, role):
    user = UserFactory()
    if role:
        JudgeAssignmentFactory(user=user, competition=competition, event=None, role=role)
    client.force_login(user)
    body = {"username": "judge-x", "name": "某", "role": "judge"}
    response = client.post(_judges_url(competition), body, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_organiser"
    assert not get_user_model().objects.filter(username="judge-x").exists()


def test_judge_account_cannot_take_over_an_existing_username(client, competition):
    existing = UserFactory(username="Admin")
    client.force_login(organiser_of(competition))
    body = {"username": "admin", "name": "某", "role": "judge"}
    response = client.post(_judges_url(competition), body, content_type="application/json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("username_taken", "username")
    assert not existing.login_codes.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"role": "organiser"}, "role"), ({"event": "other"}, "event"), ({"username": "bad name!"}, "username")],
)
def test_judge_account_input_is_checked(client, competition, change, field):
    other_event = EventFactory()  # another competition's event
    client.force_login(organiser_of(competition))
    body = {"username": "judge-y", "name": "某", "role": "judge", **change}
    if body.get("event") == "other":
        body["event"] = other_event.pk
    response = client.post(_judges_url(competition), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == field


# ---- rate limits


def test_api_writes_are_throttled_per_user_with_retry_after(client, competition, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "write": "2/min"}
    client.force_login(organiser_of(competition))
    statuses = [client.post(_judges_url(competition), {}, content_type="application/json") for _ in range(3)]
    assert [response.status_code for response in statuses] == [400, 400, 429]
    refused = statuses[-1]
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "throttled"
    assert refused.json()["retry_after"] == int(refused["Retry-After"])
    # Reads are not counted, and another user has their own budget.
    assert client.get(ME_URL).status_code == 200
    client.force_login(organiser_of(competition))
    assert client.post(_judges_url(competition), {}, content_type="application/json").status_code == 400


def test_token_creation_is_throttled_per_client_address(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login": "3/min"}
    users = [UserFactory() for _ in range(4)]
    statuses = [_token(client, user.username, "wrong").status_code for user in users]
    assert statuses == [400, 400, 400, 429]
    # Even the right password waits; another address does not.
    refused = _token(client, users[0].username)
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    assert _token(client, users[0].username, REMOTE_ADDR="10.0.0.9").status_code == 201


def test_login_form_shares_the_per_address_rate(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login": "2/min"}
    user = UserFactory()
    assert _token(client, user.username, "wrong").status_code == 400
    assert client.post(reverse("login"), {"username": user.username, "password": "wrong"}).status_code == 200
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "请求过于频繁" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_locked_out_username_gets_the_api_lockout_as_json(client, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _token(client, user.username, "wrong")
    response = _token(client, user.username)
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert int(response["Retry-After"]) > 0
    assert AuthToken.objects.count() == 0


def test_writes_go_through_when_the_rate_cache_is_unreachable(client, competition, settings):
    # A judge's write must not fail because Redis is down: the limit is skipped, not the request.
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "write": "1/min"}
    client.force_login(organiser_of(competition))
    dead = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}}
    with override_settings(CACHES=dead):
        statuses = [client.post(_judges_url(competition), {}, content_type="application/json") for _ in range(2)]
    assert [response.status_code for response in statuses] == [400, 400]
