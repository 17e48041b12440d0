"""Login lands where the role works: judges on /judge/, chief judges on their desk, organisers on their competitions."""

import pytest
from axes.handlers.proxy import AxesProxyHandler
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from competitions.models import JudgeAssignment
from judging.login_codes import login_code_issue
from tests.factories import CompetitionFactory, EventFactory, JudgeAssignmentFactory, UserFactory, judged_event_factory

pytestmark = pytest.mark.django_db

Role = JudgeAssignment.Role


@pytest.fixture(autouse=True)
def _private_cache():
    # Login failures and the login rate count in the cache: a private one, as in test_tablet_login.
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "landing"}}
    ):
        cache.clear()
        AxesProxyHandler.get_implementation(force=True)
        yield
    AxesProxyHandler.get_implementation(force=True)


def _password_login(client, user, next_url=""):
    data = {"username": user.username, "password": "pass-for-tests"}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def _assign(role, *, competition=None, event=None):
    competition = competition or (event.competition if event else CompetitionFactory())
    return JudgeAssignmentFactory(user=UserFactory(), competition=competition, event=event, role=role).user


def test_password_login_lands_a_judge_on_the_tablet(client):
    judge = _assign(Role.JUDGE, event=EventFactory())
    response = _password_login(client, judge)
    assert (response.status_code, response.url) == (302, "/judge/")


def test_password_login_lands_a_chief_judge_on_their_desk(client):
    event = EventFactory()
    chief = _assign(Role.CHIEF_JUDGE, event=event)
    response = _password_login(client, chief)
    assert (response.status_code, response.url) == (302, reverse("tablet:chief", args=[event.pk]))


def test_password_login_lands_a_chief_of_several_events_on_the_tablet_home(client):
    event = EventFactory()
    chief = _assign(Role.CHIEF_JUDGE, event=event)
    JudgeAssignmentFactory(user=chief, competition=event.competition, role=Role.CHIEF_JUDGE, event=None)
    EventFactory(competition=event.competition)
    response = _password_login(client, chief)
    assert response.url == "/judge/"


def test_password_login_lands_an_organiser_on_their_competition(client):
    competition = CompetitionFactory()
    organiser = _assign(Role.ORGANISER, competition=competition)
    response = _password_login(client, organiser)
    assert response.url == reverse("competition-detail", args=[competition.slug])


def test_password_login_lands_an_organiser_of_several_competitions_on_the_list(client):
    organiser = _assign(Role.ORGANISER)
    JudgeAssignmentFactory(user=organiser, competition=CompetitionFactory(), role=Role.ORGANISER)
    response = _password_login(client, organiser)
    assert response.url == reverse("home")


def test_password_login_of_a_user_without_a_role_lands_on_the_home_page(client):
    response = _password_login(client, UserFactory())
    assert response.url == reverse("home")


def test_password_login_honours_a_safe_next(client):
    judged = judged_event_factory(entries=1, judges=1)
    judge = judged.judges[0]
    judge.set_password("pass-for-tests")
    judge.save()
    monitor = f"/live/events/{judged.event.pk}/"
    assert _password_login(client, judge, monitor).url == monitor


def test_password_login_ignores_a_next_on_another_host(client):
    judge = _assign(Role.JUDGE, event=EventFactory())
    assert _password_login(client, judge, "https://evil.example/judge/").url == "/judge/"


def test_qr_login_lands_a_chief_judge_on_their_desk(client):
    event = EventFactory()
    chief = _assign(Role.CHIEF_JUDGE, event=event)
    _code, token = login_code_issue(user=chief)
    response = client.post(reverse("tablet:code-login", args=[token]))
    assert (response.status_code, response.url) == (302, reverse("tablet:chief", args=[event.pk]))


def test_qr_login_lands_a_judge_on_the_tablet(client):
    judge = _assign(Role.JUDGE, event=EventFactory())
    _code, token = login_code_issue(user=judge)
    assert client.post(reverse("tablet:code-login", args=[token])).url == "/judge/"


def test_qr_login_page_says_whose_account_it_is_without_using_the_code(client):
    judge = _assign(Role.JUDGE, event=EventFactory())
    judge.first_name, judge.last_name = "李", "明"
    judge.save()
    _code, token = login_code_issue(user=judge)
    response = client.get(reverse("tablet:code-login", args=[token]))
    assert response.status_code == 200
    assert response.context["holder"] == judge
    html = response.content.decode()
    assert f"李 明（{judge.username}）" in html
    assert "_auth_user_id" not in client.session


def test_qr_login_page_of_an_unknown_code_names_nobody(client):
    response = client.get(reverse("tablet:code-login", args=["not-a-code"]))
    assert response.status_code == 200
    assert response.context["holder"] is None
