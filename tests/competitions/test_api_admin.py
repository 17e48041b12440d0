"""The Django admin: every model registered, pages render, staff organisers see only their competitions."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from competitions.models import (
    Competition,
    Contestant,
    Draw,
    Entry,
    Event,
    JudgeAssignment,
    Organisation,
    Team,
)
from tests.factories import (
    CompetitionFactory,
    DrawFactory,
    EntryFactory,
    EventFactory,
    JudgeAssignmentFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [Organisation, Competition, Event, Team, Contestant, Entry, JudgeAssignment, Draw]
Role = JudgeAssignment.Role


def staff_organiser_of(competition):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="competitions"))
    JudgeAssignmentFactory(user=user, competition=competition, role=Role.ORGANISER)
    return user


@pytest.fixture
def two_competitions():
    mine, theirs = CompetitionFactory(title="我的比赛"), CompetitionFactory(title="别人的比赛")
    for competition in (mine, theirs):
        entry = EntryFactory(event=EventFactory(competition=competition))
        TeamFactory(competition=competition)
        DrawFactory(event=entry.event)
        JudgeAssignmentFactory(competition=competition, event=entry.event)
    return mine, theirs


def test_admin_registers_every_competitions_model():
    assert sorted(model.__name__ for model in MODELS if admin.site.is_registered(model)) == sorted(
        model.__name__ for model in MODELS
    )


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_admin_changelist_and_change_page_render_for_superuser(client, two_competitions, model):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    obj = model.objects.first()
    opts = model._meta

    listing = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": "x"})
    change = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))

    assert (listing.status_code, change.status_code) == (200, 200)


@pytest.mark.parametrize(
    ("model", "path"),
    [
        (Competition, "pk"),
        (Event, "competition"),
        (Team, "competition"),
        (Contestant, "competition"),
        (Entry, "event__competition"),
        (JudgeAssignment, "competition"),
        (Draw, "event__competition"),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_admin_queryset_of_staff_organiser_is_own_competition(rf, two_competitions, model, path):
    mine, _theirs = two_competitions
    request = rf.get("/")
    request.user = staff_organiser_of(mine)

    queryset = admin.site.get_model_admin(model).get_queryset(request)

    assert sorted(set(queryset.values_list(path, flat=True))) == [mine.pk]
    assert queryset.count() == model.objects.filter(**{path: mine.pk}).count()


def test_admin_change_page_of_other_competition_is_refused(client, two_competitions):
    mine, theirs = two_competitions
    client.force_login(staff_organiser_of(mine))

    own = client.get(reverse("admin:competitions_competition_change", args=[mine.pk]))
    other = client.get(reverse("admin:competitions_competition_change", args=[theirs.pk]))

    assert own.status_code == 200
    assert other.status_code == 302  # the admin's "does not exist" redirect to the index


def test_admin_competition_choices_of_staff_organiser_are_own(client, two_competitions):
    mine, _theirs = two_competitions
    client.force_login(staff_organiser_of(mine))

    response = client.get(reverse("admin:competitions_team_add"))

    choices = list(response.context["adminform"].form.fields["competition"].queryset)
    assert choices == [mine]


def test_admin_add_competition_makes_creator_organiser(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="competitions"))
    client.force_login(staff)
    host = OrganisationFactory()
    form = {
        "title": "区职工技能大赛",
        "slug": "DISTRICT",
        "year": "2026",
        "host": host.pk,
        "status": "draft",
        "publication": "live",
        "forbid_conflict_of_interest": "on",
    }
    for prefix in ("events", "assignments"):
        form.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    response = client.post(reverse("admin:competitions_competition_add"), form)

    assert response.status_code == 302
    competition = Competition.objects.get(slug="DISTRICT")
    assert list(competition.assignments.values_list("user", "role", "event")) == [(staff.pk, Role.ORGANISER, None)]


def test_admin_entry_form_refuses_team_in_individual_event(client):
    event = EventFactory(kind=Event.Kind.INDIVIDUAL)
    team = TeamFactory(competition=event.competition)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:competitions_entry_add"), {"event": event.pk, "team": team.pk, "status": "registered"}
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["team"]
    assert Entry.objects.count() == 0


def test_admin_contestant_form_refuses_team_of_other_competition(client):
    competition = CompetitionFactory()
    foreign_team = TeamFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    form = {
        "competition": competition.pk,
        "organisation": OrganisationFactory().pk,
        "team": foreign_team.pk,
        "name": "张伟",
        "id_number": "110101199001011237",
    }

    response = client.post(reverse("admin:competitions_contestant_add"), form)

    assert list(response.context["adminform"].form.errors) == ["team"]
    assert Contestant.objects.count() == 0


def test_admin_judge_assignment_form_refuses_organiser_for_one_event(client):
    event = EventFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    form = {"user": UserFactory().pk, "competition": event.competition_id, "event": event.pk, "role": "organiser"}

    response = client.post(reverse("admin:competitions_judgeassignment_add"), form)

    assert list(response.context["adminform"].form.errors) == ["event"]


def test_admin_team_inline_member_joins_team_competition(client):
    team = TeamFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    form = {
        "competition": team.competition_id,
        "organisation": team.organisation_id,
        "name": team.name,
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-0-name": "李娜",
        "members-0-gender": "F",
        "members-0-id_number": "110101199202023453",
        "members-0-organisation": team.organisation_id,
    }

    response = client.post(reverse("admin:competitions_team_change", args=[team.pk]), form)

    assert response.status_code == 302
    member = Contestant.objects.get()
    assert (member.team_id, member.competition_id, member.name) == (team.pk, team.competition_id, "李娜")


def test_admin_draws_are_read_only(client, two_competitions):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:competitions_draw_add"))

    assert response.status_code == 403


@pytest.mark.parametrize("model", [Event, Team, Entry, JudgeAssignment, Draw], ids=lambda model: model.__name__)
def test_admin_changelist_never_names_another_competition(client, two_competitions, model):
    mine, theirs = two_competitions
    url = reverse(f"admin:competitions_{model._meta.model_name}_changelist")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    as_superuser = client.get(url).content.decode()
    client.force_login(staff_organiser_of(mine))

    as_organiser = client.get(url).content.decode()

    # The sidebar filters too: a plain related filter would list every competition.
    assert (theirs.title in as_superuser, theirs.title in as_organiser) == (True, False)
