"""The console's judge pages: accounts, assignments with their unit, and one PDF of login QR codes."""

import io

import pikepdf
import pytest
from django.contrib.auth import get_user_model

from competitions.models import JudgeAssignment
from judging.models import LoginCode
from tests.factories import CompetitionFactory, EventFactory, JudgeAssignmentFactory, UserFactory
from tests.helpers import organiser_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def competition():
    return CompetitionFactory(slug="DRONE")


@pytest.fixture
def console(client, competition):
    client.force_login(organiser_of(competition))
    return client


def judges_url(competition):
    return f"/console/{competition.pk}/judges/"


def test_console_judge_account_create_assigns_with_unit(console, competition):
    event = EventFactory(competition=competition)
    unit = competition.host
    response = console.post(
        judges_url(competition),
        {"username": "judge-li", "name": "李裁判", "role": "chief_judge", "event": event.pk, "organisation": unit.pk},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="judge-li")
    assert (user.first_name, user.has_usable_password(), user.is_staff) == ("李裁判", False, False)
    assignment = JudgeAssignment.objects.get(user=user)
    assert (assignment.competition, assignment.event, assignment.role, assignment.organisation) == (
        competition,
        event,
        "chief_judge",
        unit,
    )


def test_console_judge_account_form_errors(console, competition):
    UserFactory(username="taken")
    other_event = EventFactory()
    response = console.post(
        judges_url(competition),
        {"username": "Taken", "name": "", "role": "organiser", "event": other_event.pk},
    )
    assert response.status_code == 400
    assert sorted(response.context["account_form"].errors) == ["event", "name", "role", "username"]
    assert response.context["account_form"].errors["username"] == ["这个用户名已被使用。"]


def test_console_assignment_of_existing_judge_and_duplicate(console, competition):
    judge = JudgeAssignmentFactory(competition=competition).user
    event = EventFactory(competition=competition)
    data = {"user": judge.pk, "role": "judge", "event": event.pk, "organisation": ""}
    assert console.post(judges_url(competition), data).status_code == 302
    assert JudgeAssignment.objects.filter(user=judge, event=event, role="judge").count() == 1
    response = console.post(judges_url(competition), data)
    assert response.status_code == 400
    assert response.context["assignment_form"].errors["event"] == ["这位裁判已有这项分工。"]


def test_console_assignment_form_offers_only_this_competitions_judges(console, competition):
    outsider = JudgeAssignmentFactory().user
    response = console.post(judges_url(competition), {"user": outsider.pk, "role": "judge"})
    assert response.status_code == 400
    assert list(response.context["assignment_form"].errors) == ["user"]


def test_console_assignment_remove_needs_confirmation(console, competition):
    assignment = JudgeAssignmentFactory(competition=competition)
    url = f"/console/{competition.pk}/judges/{assignment.pk}/remove/"
    assert console.post(url, {}).status_code == 400
    assert console.post(url, {"confirm": "on"}).status_code == 302
    assert not JudgeAssignment.objects.filter(pk=assignment.pk).exists()


def test_console_assignment_remove_cannot_touch_organisers(console, competition):
    organiser = JudgeAssignment.objects.get(competition=competition, role="organiser")
    assert console.get(f"/console/{competition.pk}/judges/{organiser.pk}/remove/").status_code == 404


def test_console_login_codes_pdf_has_one_card_per_judge(console, competition):
    event = EventFactory(competition=competition)
    JudgeAssignmentFactory(competition=competition, event=event, user__username="judge-a", user__first_name="张")
    JudgeAssignmentFactory(competition=competition, role="chief_judge", user__username="judge-b")
    JudgeAssignmentFactory(user__username="elsewhere")
    response = console.post(f"/console/{competition.pk}/judges/login-codes.pdf", {"hours": "12"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="judge-login-codes-DRONE.pdf"'
    pdf = pikepdf.open(io.BytesIO(response.content))
    assert len(pdf.pages) == 1
    assert sorted(LoginCode.objects.values_list("user__username", flat=True)) == ["judge-a", "judge-b"]


def test_console_login_codes_pdf_without_judges_is_a_form_error(console, competition):
    response = console.post(f"/console/{competition.pk}/judges/login-codes.pdf", {"hours": "0"})
    assert response.status_code == 400
    assert list(response.context["codes_form"].errors) == ["hours"]
    response = console.post(f"/console/{competition.pk}/judges/login-codes.pdf", {"hours": "5"})
    assert response.status_code == 400
    assert response.context["codes_form"].non_field_errors() == ["还没有裁判：先创建裁判账号。"]


def test_console_judge_pages_refuse_judges_and_other_organisers(client, competition):
    JudgeAssignmentFactory(competition=competition, user__username="judge-a")
    client.force_login(JudgeAssignmentFactory(competition=competition, role="chief_judge").user)
    assert client.get(judges_url(competition)).status_code == 403
    client.force_login(organiser_of(CompetitionFactory()))
    assert client.post(f"/console/{competition.pk}/judges/login-codes.pdf", {"hours": "5"}).status_code == 403
    assert client.post(judges_url(competition), {"username": "x1", "name": "某", "role": "judge"}).status_code == 403
    assert LoginCode.objects.count() == 0
    assert not get_user_model().objects.filter(username="x1").exists()
