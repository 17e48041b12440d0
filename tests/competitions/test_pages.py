import pytest
from django.urls import reverse

from tests.factories import (
    CompetitionFactory,
    ContestantFactory,
    EntryFactory,
    EventFactory,
    JudgeAssignmentFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _competition_with_data(**kwargs):
    competition = CompetitionFactory(**kwargs)
    event = EventFactory(competition=competition)
    team = TeamFactory(competition=competition)
    ContestantFactory(competition=competition, organisation=team.organisation, team=team)
    EntryFactory(event=event)
    return competition


def test_home_lists_public_competitions_with_counts(client):
    competition = _competition_with_data(title="2026年全市应急救援无人机操作职业技能竞赛", venue="训练基地")
    CompetitionFactory(title="内部筹备的比赛", is_public=False)
    response = client.get("/")
    assert response.status_code == 200
    listed = list(response.context["competitions"])
    assert [c.title for c in listed] == ["2026年全市应急救援无人机操作职业技能竞赛"]
    assert (listed[0].event_count, listed[0].team_count, listed[0].contestant_count) == (1, 1, 2)
    html = response.content.decode()
    assert "内部筹备的比赛" not in html
    assert reverse("competition-detail", args=[competition.slug]) in html
    assert "训练基地" in html


def test_home_shows_an_empty_state(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "还没有公开的比赛。" in response.content.decode()


@pytest.mark.parametrize("n", [1, 3])
def test_home_query_count_does_not_grow(client, django_assert_num_queries, n):
    for _ in range(n):
        _competition_with_data()
    with django_assert_num_queries(1):
        response = client.get("/")
    assert len(response.context["competitions"]) == n


def test_competition_detail_shows_events_and_units(client):
    competition = CompetitionFactory(slug="DRONE")
    EventFactory(competition=competition, code="team", title="团体赛", kind="team", position=1)
    EventFactory(competition=competition, code="individual", title="个人赛", position=2)
    team = TeamFactory(competition=competition, name="渝中区一队", organisation__name="渝中区总工会")
    TeamFactory(competition=competition, name="渝中区二队", organisation=team.organisation)
    ContestantFactory(competition=competition, organisation=team.organisation, team=team)
    response = client.get("/competitions/DRONE/")
    assert response.status_code == 200
    assert [e.title for e in response.context["events"]] == ["团体赛", "个人赛"]
    units = list(response.context["units"])
    assert [(u.name, [t.name for t in u.unit_teams], u.contestant_count) for u in units] == [
        ("渝中区总工会", ["渝中区一队", "渝中区二队"], 1)
    ]
    assert reverse("event-detail", args=["DRONE", "team"]) in response.content.decode()


@pytest.mark.parametrize("n", [1, 3])
def test_competition_detail_query_count_does_not_grow(client, django_assert_num_queries, n):
    competition = CompetitionFactory()
    for _ in range(n):
        event = EventFactory(competition=competition)
        team = TeamFactory(competition=competition)
        EntryFactory(event=event, contestant__organisation=team.organisation)
    # competition, events, units, their teams
    with django_assert_num_queries(4):
        response = client.get(f"/competitions/{competition.slug}/")
    assert len(response.context["units"]) == n


def test_competition_detail_hides_non_public_competitions(client):
    competition = CompetitionFactory(is_public=False)
    assert client.get(f"/competitions/{competition.slug}/").status_code == 404
    assert client.get(f"/competitions/{competition.slug}/events/x/").status_code == 404
    judge = JudgeAssignmentFactory(competition=competition).user
    client.force_login(judge)
    assert client.get(f"/competitions/{competition.slug}/").status_code == 200


def test_competition_detail_unknown_slug_is_404(client):
    assert client.get("/competitions/NOPE/").status_code == 404


def test_login_page_logs_a_user_in(client):
    UserFactory(username="organiser", password="demo12345")
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()
    response = client.post("/accounts/login/", {"username": "organiser", "password": "demo12345"})
    assert (response.status_code, response.url) == (302, "/")
    wrong = client.post("/accounts/login/", {"username": "organiser", "password": "nope"})
    assert "用户名或密码不正确，请重试。" in wrong.content.decode()


def test_competition_detail_links_organisers_to_import_and_export(client):
    competition = _competition_with_data()
    import_url = reverse("manage-import", args=[competition.pk])
    assert import_url not in client.get(f"/competitions/{competition.slug}/").content.decode()

    client.force_login(JudgeAssignmentFactory(competition=competition, role="organiser").user)
    html = client.get(f"/competitions/{competition.slug}/").content.decode()
    assert (import_url in html, reverse("manage-export", args=[competition.pk]) in html) == (True, True)


def test_draw_page_asks_to_confirm_a_full_redraw_offers_a_late_draw_and_says_what_it_did(client):
    from competitions.models import Draw, Entry
    from tests.factories import EntryFactory, EventFactory
    from tests.helpers import organiser_of

    event = EventFactory(stations=0)
    EntryFactory.create_batch(4, event=event)
    client.force_login(organiser_of(event.competition))
    url = f"/manage/events/{event.pk}/draw/"
    first = client.post(url, {"kind": "code"}, follow=True)
    assert "抽签完成" in first.content.decode()
    redraw = client.post(url, {"kind": "code", "reason": "录入有误"})
    assert (
        redraw.status_code,
        "redraw_not_confirmed" in redraw.content.decode() or "请确认" in redraw.content.decode(),
    ) == (
        409,
        True,
    )
    late = EntryFactory(event=event)
    page = client.get(url).content.decode()
    assert 'id="late-code"' in page
    done = client.post(url, {"kind": "code", "late": "1"}, follow=True)
    assert "补抽" in done.content.decode()
    assert Entry.objects.get(pk=late.pk).code != ""
    assert Draw.objects.filter(event=event).count() == 2
    confirmed = client.post(url, {"kind": "code", "reason": "录入有误", "confirm": "on"})
    assert confirmed.status_code == 302
