"""The organiser console's competition pages: who may see them, forms, lists, deletion."""

import pytest
from django.contrib.auth.models import Group, Permission

from competitions.models import Competition, Contestant, Entry, Event, JudgeAssignment, Organisation, Team
from tests.factories import (
    CompetitionFactory,
    ContestantFactory,
    EntryFactory,
    EventFactory,
    JudgeAssignmentFactory,
    MarkFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
    valid_id_number,
)
from tests.helpers import organiser_of

pytestmark = pytest.mark.django_db

SECTIONS = ["events", "units", "teams", "contestants"]


@pytest.fixture
def competition():
    return CompetitionFactory(title="2026年区职工技能竞赛", slug="DIST")


@pytest.fixture
def organiser(competition):
    return organiser_of(competition)


@pytest.fixture
def console(client, organiser):
    client.force_login(organiser)
    return client


def _urls(competition):
    event = EventFactory(competition=competition)
    pk = competition.pk
    return [
        f"/console/{pk}/",
        f"/console/{pk}/edit/",
        *[f"/console/{pk}/{section}/" for section in SECTIONS],
        *[f"/console/{pk}/{section}/new/" for section in SECTIONS],
        f"/console/{pk}/events/{event.pk}/",
        f"/console/{pk}/events/{event.pk}/delete/",
        f"/console/{pk}/events/{event.pk}/scheme/",
        f"/console/{pk}/judges/",
    ]


def test_console_pages_open_for_the_organiser(console, competition):
    for url in _urls(competition):
        assert (url, console.get(url).status_code) == (url, 200)


def test_console_pages_refuse_another_competitions_organiser(client, competition):
    client.force_login(organiser_of(CompetitionFactory()))
    for url in _urls(competition):
        assert (url, client.get(url).status_code) == (url, 403)


def test_console_pages_refuse_a_judge_of_the_competition(client, competition):
    judge = JudgeAssignmentFactory(competition=competition, role=JudgeAssignment.Role.CHIEF_JUDGE).user
    client.force_login(judge)
    for url in _urls(competition):
        assert (url, client.get(url).status_code) == (url, 403)


def test_console_pages_send_anonymous_users_to_login(client, competition):
    for url in _urls(competition):
        response = client.get(url)
        assert (url, response.status_code, response["Location"].split("?")[0]) == (url, 302, "/accounts/login/")


def test_console_unknown_competition_is_404(console):
    assert console.get("/console/999999/").status_code == 404


def test_console_other_competitions_event_is_404(console, competition):
    other = EventFactory()
    assert console.get(f"/console/{competition.pk}/events/{other.pk}/").status_code == 404
    assert console.get(f"/console/{competition.pk}/events/{other.pk}/scheme/").status_code == 404


def test_console_home_refuses_a_plain_user(client):
    client.force_login(UserFactory())
    assert client.get("/console/").status_code == 403
    assert client.get("/console/new/").status_code == 403


def test_console_home_lists_only_my_competitions(console, competition):
    CompetitionFactory(title="别人的比赛")
    response = console.get("/console/")
    assert [c.title for c in response.context["competitions"]] == ["2026年区职工技能竞赛"]
    assert response.context["can_create"] is True


def test_console_competition_create_by_permission_holder_makes_them_organiser(client):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="add_competition"))
    client.force_login(user)
    assert client.get("/console/").context["competitions"].count() == 0
    response = client.post(
        "/console/new/",
        {
            "title": "2027年全市应急救援无人机竞赛",
            "slug": "DRONE27",
            "year": "2027",
            "new_host": "市总工会",
            "status": "draft",
            "publication": "live",
            "forbid_conflict_of_interest": "on",
        },
    )
    competition = Competition.objects.get(slug="DRONE27")
    assert response.status_code == 302
    assert response["Location"] == f"/console/{competition.pk}/"
    assert competition.host.name == "市总工会"
    assert JudgeAssignment.objects.filter(user=user, competition=competition, role="organiser").count() == 1


def test_console_competition_create_shows_field_errors(console):
    response = console.post(
        "/console/new/",
        {
            "title": "",
            "slug": "bad slug",
            "year": "1800",
            "status": "draft",
            "publication": "live",
            "starts_on": "2026-05-02",
            "ends_on": "2026-05-01",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert sorted(errors) == ["ends_on", "host", "slug", "title", "year"]
    assert "请选择主办单位，或填写新建主办单位的名称。" in response.content.decode()


def test_console_competition_edit_saves(console, competition):
    response = console.post(
        f"/console/{competition.pk}/edit/",
        {
            "title": "改名后的竞赛",
            "slug": "DIST",
            "year": "2026",
            "host": competition.host_id,
            "status": "registration",
            "publication": "live",
        },
    )
    assert response.status_code == 302
    competition.refresh_from_db()
    assert (competition.title, competition.status, competition.is_public) == ("改名后的竞赛", "registration", False)


def test_console_event_create_and_duplicate_code(console, competition):
    data = {"code": "car", "title": "汽车维修", "kind": "individual", "stations": "10", "position": "1", "blind": "on"}
    assert console.post(f"/console/{competition.pk}/events/new/", data).status_code == 302
    event = Event.objects.get(competition=competition, code="car")
    assert (event.title, event.stations, event.blind) == ("汽车维修", 10, True)
    response = console.post(f"/console/{competition.pk}/events/new/", data)
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == ["本比赛已有这个代号的项目。"]


def test_console_event_kind_cannot_change_with_entries(console, competition):
    event = EventFactory(competition=competition, kind="individual")
    EntryFactory(event=event)
    data = {"code": event.code, "title": event.title, "kind": "team", "stations": "0", "position": "0"}
    response = console.post(f"/console/{competition.pk}/events/{event.pk}/", data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["kind"]
    event.refresh_from_db()
    assert event.kind == "individual"


def test_console_contestant_create_enters_events(console, competition):
    unit = OrganisationFactory(name="渝中区总工会")
    event = EventFactory(competition=competition, kind="individual")
    EventFactory(competition=competition, kind="team")
    response = console.post(
        f"/console/{competition.pk}/contestants/new/",
        {
            "name": "王小明",
            "gender": "M",
            "organisation": unit.pk,
            "id_number": valid_id_number("11010119900101123"),
            "phone": "",
            "job_title": "汽修工",
            "events": [event.pk],
        },
    )
    assert response.status_code == 302
    contestant = Contestant.objects.get(competition=competition, name="王小明")
    assert list(Entry.objects.filter(contestant=contestant).values_list("event_id", flat=True)) == [event.pk]


def test_console_contestant_form_shows_field_errors(console, competition):
    response = console.post(
        f"/console/{competition.pk}/contestants/new/",
        {"name": "", "organisation": "999999", "id_number": "123", "events": ["x"]},
    )
    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == ["events", "id_number", "name", "organisation"]
    assert Contestant.objects.filter(competition=competition).count() == 0


def test_console_team_create_and_entries(console, competition):
    unit = OrganisationFactory()
    team_event = EventFactory(competition=competition, kind="team")
    response = console.post(
        f"/console/{competition.pk}/teams/new/", {"name": "一队", "organisation": unit.pk, "events": [team_event.pk]}
    )
    assert response.status_code == 302
    team = Team.objects.get(competition=competition, name="一队")
    assert list(team.entries.values_list("event_id", flat=True)) == [team_event.pk]
    response = console.post(
        f"/console/{competition.pk}/teams/{team.pk}/", {"name": "一队", "organisation": unit.pk, "events": []}
    )
    assert response.status_code == 302
    assert team.entries.count() == 0


def test_console_unit_create_then_listed(console, competition, organiser):
    response = console.post(f"/console/{competition.pk}/units/new/", {"name": "江北区总工会", "kind": "district"})
    assert response.status_code == 302
    names = [row[1][0] for row in console.get(f"/console/{competition.pk}/units/").context["table"]]
    organiser_unit = organiser.assignments.get().organisation.name
    assert sorted(names) == sorted([competition.host.name, organiser_unit, "江北区总工会"])


def test_console_unit_used_by_another_competition_is_read_only(console, competition):
    shared = OrganisationFactory(name="共用单位")
    TeamFactory(competition=competition, organisation=shared)
    TeamFactory(organisation=shared)
    response = console.get(f"/console/{competition.pk}/units/?q=共用")
    assert [(row[1][0], row[2]) for row in response.context["table"]] == [("共用单位", False)]
    assert console.get(f"/console/{competition.pk}/units/{shared.pk}/").status_code == 403


def test_console_list_search_and_empty_state(console, competition):
    ContestantFactory(competition=competition, name="张三")
    ContestantFactory(competition=competition, name="李四")
    response = console.get(f"/console/{competition.pk}/contestants/?q=张")
    assert [row[1][0] for row in response.context["table"]] == ["张三"]
    response = console.get(f"/console/{competition.pk}/contestants/?q=赵")
    assert "没有与“赵”匹配的结果。" in response.content.decode()
    assert "还没有项目。" in console.get(f"/console/{competition.pk}/events/").content.decode()


@pytest.mark.parametrize("n", [1, 3])
def test_console_contestant_list_query_count_does_not_grow(console, competition, django_assert_max_num_queries, n):
    for _ in range(n):
        ContestantFactory(competition=competition, team=TeamFactory(competition=competition))
    with django_assert_max_num_queries(10):
        response = console.get(f"/console/{competition.pk}/contestants/")
    assert len(response.context["table"]) == n


def test_console_delete_needs_confirmation(console, competition):
    event = EventFactory(competition=competition)
    response = console.post(f"/console/{competition.pk}/events/{event.pk}/delete/", {})
    assert response.status_code == 400
    assert Event.objects.filter(pk=event.pk).exists()
    response = console.post(f"/console/{competition.pk}/events/{event.pk}/delete/", {"confirm": "on"})
    assert response.status_code == 302
    assert not Event.objects.filter(pk=event.pk).exists()


def test_console_delete_refused_when_marks_exist(console, competition):
    mark = MarkFactory(entry__event__competition=competition)
    contestant = mark.entry.contestant
    response = console.post(f"/console/{competition.pk}/contestants/{contestant.pk}/delete/", {"confirm": "on"})
    assert response.status_code == 409
    assert response.context["refusal"] == "已有评分，不能删除：删除会抹掉评分记录。"
    assert Contestant.objects.filter(pk=contestant.pk).exists()


def test_console_unit_delete_refused_when_in_use(console, competition):
    unit = OrganisationFactory()
    TeamFactory(competition=competition, organisation=unit)
    response = console.post(f"/console/{competition.pk}/units/{unit.pk}/delete/", {"confirm": "on"})
    assert response.status_code == 409
    assert "参赛队" in response.context["refusal"]
    assert Organisation.objects.filter(pk=unit.pk).exists()


def test_console_nav_links_organiser_to_console_and_staff_to_admin(client, competition, organiser):
    client.force_login(organiser)
    html = client.get("/").content.decode()
    assert 'href="/console/" id="nav-console"' in html
    assert 'id="nav-admin"' not in html
    detail = client.get(f"/competitions/{competition.slug}/").content.decode()
    assert f'href="/console/{competition.pk}/"' in detail
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    html = client.get("/").content.decode()
    assert 'href="/admin/" id="nav-admin"' in html


def test_console_nav_hidden_for_judges(client, competition):
    client.force_login(JudgeAssignmentFactory(competition=competition).user)
    assert 'id="nav-console"' not in client.get("/").content.decode()


def test_console_team_form_refuses_dropping_a_marked_entry(console, competition):
    team_event = EventFactory(competition=competition, kind="team")
    team = TeamFactory(competition=competition)
    entry = Entry.objects.create(event=team_event, team=team)
    MarkFactory(entry=entry)
    response = console.post(
        f"/console/{competition.pk}/teams/{team.pk}/",
        {"name": team.name, "organisation": team.organisation_id, "events": []},
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["已有评分，不能删除：删除会抹掉评分记录。"]
    assert team.entries.count() == 1


def test_console_contestant_may_pick_a_unit_of_another_competition(console, competition):
    shared = OrganisationFactory(name="渝北区总工会")
    TeamFactory(organisation=shared)  # a district union serves many competitions
    response = console.post(
        f"/console/{competition.pk}/contestants/new/",
        {"name": "刘洋", "organisation": shared.pk, "id_number": valid_id_number("11010119900101123")},
    )
    assert response.status_code == 302
    assert Contestant.objects.get(competition=competition).organisation == shared


def test_console_unit_with_a_taken_name_says_to_pick_it(console, competition):
    OrganisationFactory(name="渝北区总工会")
    response = console.post(f"/console/{competition.pk}/units/new/", {"name": "渝北区总工会", "kind": "district"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["已有同名单位：添加选手、参赛队或裁判时可以直接选择它。"]


def test_console_nav_costs_one_query_for_a_signed_in_user(client, django_assert_num_queries):
    group = Group.objects.create(name="组织者")
    group.permissions.add(Permission.objects.get(codename="add_competition"))
    user = UserFactory()
    user.groups.add(group)
    client.force_login(user)
    client.get("/")  # the session's first read
    with django_assert_num_queries(4):  # session, user, the console check, the competitions list
        html = client.get("/").content.decode()
    assert 'id="nav-console"' in html


def test_console_search_with_hostile_text_is_not_an_error(console, competition):
    ContestantFactory(competition=competition, name="张三")
    for query in ["\x00", "%", "_", "' OR 1=1 --", "张" * 500]:
        response = console.get(f"/console/{competition.pk}/contestants/", {"q": query, "page": "-1"})
        assert (query[:5], response.status_code) == (query[:5], 200)


HOSTILE = ["\x00", "1E+999999999", "9" * 80, "<script>alert(1)</script>", "-1", "\u202e", " "]


@pytest.mark.parametrize("value", HOSTILE)
def test_console_forms_answer_hostile_input_with_field_errors(console, competition, value):
    event = EventFactory(competition=competition)
    pk = competition.pk
    forms = {
        "/console/new/": ["title", "slug", "year", "host", "new_host", "venue", "starts_on", "status"],
        f"/console/{pk}/edit/": ["title", "slug", "year", "host", "new_host", "venue", "ends_on", "status"],
        f"/console/{pk}/events/new/": ["code", "title", "kind", "description", "stations", "position"],
        f"/console/{pk}/units/new/": ["name", "short_name", "kind", "parent"],
        f"/console/{pk}/teams/new/": ["name", "organisation", "events"],
        f"/console/{pk}/contestants/new/": ["name", "gender", "organisation", "team", "id_number", "phone", "events"],
        f"/console/{pk}/judges/": ["username", "name", "role", "event", "organisation"],
        f"/console/{pk}/judges/?assign": ["user", "role", "event", "organisation"],
        f"/console/{pk}/judges/login-codes.pdf": ["hours", "event"],
        f"/console/{pk}/events/{event.pk}/": ["code", "title", "kind", "stations"],
        f"/console/{pk}/events/{event.pk}/scheme/": [
            "criteria-TOTAL_FORMS",
            "criteria-0-code",
            "criteria-0-max_value",
            "criteria-0-kind",
            "decimals",
            "first_percent",
            "reason",
        ],
    }
    for url, fields in forms.items():
        response = console.post(url, dict.fromkeys(fields, value))
        assert (url, response.status_code) == (url, 400)
