import pytest
from django.urls import reverse

from competitions import draw_services
from competitions.models import Draw, Entry, JudgeAssignment
from tests.factories import (
    CompetitionFactory,
    EntryFactory,
    EventFactory,
    JudgeAssignmentFactory,
    MarkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Role = JudgeAssignment.Role


@pytest.fixture
def event():
    event = EventFactory(competition=CompetitionFactory(), title="无人机组装与飞行", stations=0)
    EntryFactory.create_batch(4, event=event)
    return event


@pytest.fixture
def organiser(event):
    return JudgeAssignmentFactory(competition=event.competition, role=Role.ORGANISER).user


def draw_url(event):
    return reverse("api-event-draw", args=[event.pk])


def test_draw_api_creates_code_draw(client, event, organiser):
    client.force_login(organiser)
    response = client.post(draw_url(event), {"kind": "code", "seed": "abc"}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    draw = Draw.objects.get()
    assert (body["id"], body["kind"], body["seed"], body["drawn_by"]) == (draw.id, "code", "abc", organiser.username)
    assert sorted(value["code"] for value in body["result"]["entries"].values()) == ["A01", "A02", "A03", "A04"]
    assert sorted(Entry.objects.filter(event=event).values_list("code", flat=True)) == ["A01", "A02", "A03", "A04"]


def test_draw_api_creates_station_draw_with_generated_seed(client, event, organiser):
    client.force_login(organiser)
    response = client.post(draw_url(event), {"kind": "station"}, content_type="application/json")
    assert response.status_code == 201
    assert len(response.json()["seed"]) == 32
    assert sorted(Entry.objects.filter(event=event).values_list("station", flat=True)) == [1, 2, 3, 4]


def test_draw_api_redraw_without_reason_is_400(client, event, organiser):
    client.force_login(organiser)
    client.post(draw_url(event), {"kind": "code"}, content_type="application/json")
    response = client.post(draw_url(event), {"kind": "code"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "redraw_needs_reason"
    assert response.json()["field"] == "reason"
    response = client.post(draw_url(event), {"kind": "code", "reason": "重抽"}, content_type="application/json")
    assert response.status_code == 201


def test_draw_api_redraw_after_mark_is_409(client, event, organiser):
    client.force_login(organiser)
    client.post(draw_url(event), {"kind": "code"}, content_type="application/json")
    MarkFactory(entry=event.entries.first())
    response = client.post(draw_url(event), {"kind": "code", "reason": "重抽"}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "scoring_started"


def test_draw_api_bad_kind_is_400(client, event, organiser):
    client.force_login(organiser)
    response = client.post(draw_url(event), {"kind": "lottery"}, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["kind"]


@pytest.mark.parametrize("role", [Role.CHIEF_JUDGE, Role.JUDGE])
def test_draw_api_refuses_judges(client, event, role):
    client.force_login(JudgeAssignmentFactory(competition=event.competition, role=role).user)
    response = client.post(draw_url(event), {"kind": "code"}, content_type="application/json")
    assert response.status_code == 403
    assert Draw.objects.count() == 0


def test_draw_api_refuses_anonymous(client, event):
    response = client.post(draw_url(event), {"kind": "code"}, content_type="application/json")
    assert response.status_code == 403


def test_draw_api_unknown_event_is_404(client, organiser):
    client.force_login(organiser)
    assert client.post("/api/v1/events/999999/draw/", {"kind": "code"}).status_code == 404


def test_draw_list_for_organiser_newest_first(client, event, organiser):
    first = draw_services.draw_codes(event=event, drawn_by=organiser, seed="one")
    second = draw_services.draw_stations(event=event, drawn_by=organiser, seed="two")
    client.force_login(organiser)
    response = client.get(reverse("api-event-draws", args=[event.pk]))
    assert response.status_code == 200
    assert [draw["id"] for draw in response.json()["results"]] == [second.id, first.id]
    assert response.json()["results"][1]["seed"] == "one"


def test_draw_list_for_chief_judge(client, event):
    draw_services.draw_codes(event=event, drawn_by=None, seed="one")
    chief = JudgeAssignmentFactory(competition=event.competition, event=event, role=Role.CHIEF_JUDGE).user
    client.force_login(chief)
    response = client.get(reverse("api-event-draws", args=[event.pk]))
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_draw_list_refuses_judge_and_anonymous(client, event):
    url = reverse("api-event-draws", args=[event.pk])
    assert client.get(url).status_code == 403
    client.force_login(JudgeAssignmentFactory(competition=event.competition, role=Role.JUDGE).user)
    response = client.get(url)
    assert response.status_code == 403
    assert response.json()["code"] == "not_chief_judge"


@pytest.mark.parametrize("count", [1, 3])
def test_draw_list_query_count_does_not_grow(client, event, organiser, django_assert_num_queries, count):
    for n in range(count):
        draw_services.draw_codes(event=event, drawn_by=organiser, seed=f"s{n}", reason="复核" if n else "")
    client.force_login(organiser)
    # session, user, event, organiser check, count, page of draws with their drawn_by
    with django_assert_num_queries(6):
        response = client.get(reverse("api-event-draws", args=[event.pk]))
    assert response.json()["count"] == count


def test_draw_replay_api(client, event, organiser):
    # Fixed seeds: with 4 entries a random redraw gives the same codes one time in 24.
    draw = draw_services.draw_codes(event=event, drawn_by=organiser, seed="first")
    client.force_login(organiser)
    url = reverse("api-draw-replay", args=[draw.pk])
    response = client.post(url)
    assert response.status_code == 200
    assert response.json() == {"matches": True, "result_matches": True, "entries_match": True}
    redraw = draw_services.draw_codes(event=event, drawn_by=organiser, seed="second", reason="重抽")
    assert redraw.result != draw.result
    assert client.post(url).json()["matches"] is False


def test_draw_replay_api_refuses_judge(client, event):
    draw = draw_services.draw_codes(event=event, drawn_by=None)
    client.force_login(JudgeAssignmentFactory(competition=event.competition, role=Role.JUDGE).user)
    assert client.post(reverse("api-draw-replay", args=[draw.pk])).status_code == 403


# Page


def test_draw_page_shows_entries_and_history(client, event, organiser):
    draw_services.draw_codes(event=event, drawn_by=organiser, seed="seed-on-page")
    client.force_login(organiser)
    response = client.get(reverse("manage-event-draw", args=[event.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "抽签：无人机组装与飞行" in html
    assert "抽签记录" in html
    assert "<code>seed-on-page</code>" in html
    assert "参赛号抽签" in html
    assert html.count("<td>A0") == 4


def test_draw_page_history_shows_replay_check(client, event, organiser):
    draw_services.draw_codes(event=event, drawn_by=organiser, seed="one")
    draw_services.draw_codes(event=event, drawn_by=organiser, seed="two", reason="抽签箱故障")
    client.force_login(organiser)
    html = client.get(reverse("manage-event-draw", args=[event.pk])).content.decode()
    assert html.count('<td class="replay">与当前结果一致</td>') == 1
    assert html.count('<td class="replay">与当前登记不一致（已重抽或登记有变）</td>') == 1
    assert "<td>抽签箱故障</td>" in html


def test_draw_page_post_draws_and_redirects(client, event, organiser):
    client.force_login(organiser)
    url = reverse("manage-event-draw", args=[event.pk])
    response = client.post(url, {"kind": "station", "reason": ""})
    assert response.status_code == 302
    assert response["Location"] == url
    assert Draw.objects.get().kind == Draw.Kind.STATION


def test_draw_page_post_code_draw_with_prefix(client, event, organiser):
    client.force_login(organiser)
    client.post(reverse("manage-event-draw", args=[event.pk]), {"kind": "code", "reason": "", "prefix": "UA"})
    assert sorted(Entry.objects.filter(event=event).values_list("code", flat=True)) == ["UA01", "UA02", "UA03", "UA04"]


def test_draw_page_redraw_without_reason_shows_error(client, event, organiser):
    draw_services.draw_codes(event=event, drawn_by=organiser)
    client.force_login(organiser)
    response = client.post(
        reverse("manage-event-draw", args=[event.pk]), {"kind": "code", "reason": "", "confirm": "on"}
    )
    assert response.status_code == 400
    assert "重新抽签必须填写原因。" in response.content.decode()
    assert Draw.objects.count() == 1


def test_draw_page_redraw_after_mark_shows_409(client, event, organiser):
    draw_services.draw_codes(event=event, drawn_by=organiser)
    MarkFactory(entry=event.entries.first())
    client.force_login(organiser)
    response = client.post(
        reverse("manage-event-draw", args=[event.pk]), {"kind": "code", "reason": "重抽", "confirm": "on"}
    )
    assert response.status_code == 409
    assert "该项目已开始评分，不能重新抽签。" in response.content.decode()


def test_draw_page_refuses_non_organiser(client, event):
    client.force_login(JudgeAssignmentFactory(competition=event.competition, role=Role.CHIEF_JUDGE).user)
    url = reverse("manage-event-draw", args=[event.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"kind": "code"}).status_code == 403
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


def test_draw_page_redirects_anonymous_to_login(client, event):
    response = client.get(reverse("manage-event-draw", args=[event.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_draw_api_late_draws_only_the_new_entry(client, event, organiser):
    client.force_login(organiser)
    early = client.post(draw_url(event), {"kind": "code", "late": True}, content_type="application/json")
    assert (early.status_code, early.json()["code"]) == (409, "no_draw_yet")
    client.post(draw_url(event), {"kind": "code", "seed": "abc"}, content_type="application/json")
    before = dict(Entry.objects.filter(event=event).values_list("id", "code"))
    late = EntryFactory(event=event)
    response = client.post(draw_url(event), {"kind": "code", "late": True}, content_type="application/json")
    assert response.status_code == 201
    assert list(response.json()["result"]["entries"]) == [str(late.pk)]
    assert Entry.objects.get(pk=late.pk).code == "A05"
    assert dict(Entry.objects.filter(pk__in=before).values_list("id", "code")) == before
