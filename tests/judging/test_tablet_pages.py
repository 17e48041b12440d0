"""The judge tablet pages (Django test client): home, sheet, chief judge page, PWA files."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from competitions.models import JudgeAssignment
from scoring.models import Criterion, Sheet
from tests.factories import (
    CriterionFactory,
    EntryFactory,
    JudgeAssignmentFactory,
    MarkFactory,
    QuickUserFactory,
    SheetFactory,
    judged_event_factory,
)

pytestmark = pytest.mark.django_db


def _sheet_url(judged, index=0):
    return reverse("tablet:sheet", args=[judged.event.pk, judged.entries[index].code])


def test_home_requires_login(client):
    response = client.get(reverse("tablet:home"))
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/judge/"


def test_home_lists_assigned_events_blind_with_progress(client):
    judged = judged_event_factory(entries=3, judges=1)
    judge = judged.judges[0]
    for criterion in judged.criteria:
        MarkFactory(entry=judged.entries[0], criterion=criterion, judge=judge)
    MarkFactory(entry=judged.entries[1], criterion=judged.criteria[0], judge=judge)
    other = judged_event_factory(entries=1, judges=1)
    client.force_login(judge)
    response = client.get(reverse("tablet:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert [card.event for card in response.context["cards"]] == [judged.event]
    card = response.context["cards"][0]
    assert (card.done, card.total) == (1, 3)
    assert "1 / 3 已评" in html
    assert [row.entry.code for row in card.rows] == ["A01", "A02", "A03"]
    assert judged.entries[0].contestant.name not in html  # blind: codes and stations only
    assert other.event.title not in html


def test_home_query_count_does_not_grow_with_entries(client, django_assert_max_num_queries):
    judged = judged_event_factory(entries=1, judges=1)
    client.force_login(judged.judges[0])
    with django_assert_max_num_queries(14) as small:
        client.get(reverse("tablet:home"))
    for index in range(2, 6):
        EntryFactory(event=judged.event, code=f"B{index}", station=index, start_order=1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("tablet:home"))


def test_home_query_count_does_not_grow_with_events(client, django_assert_max_num_queries):
    judged = judged_event_factory(entries=1, judges=1)
    judge = judged.judges[0]
    client.force_login(judge)
    with django_assert_max_num_queries(14) as small:
        client.get(reverse("tablet:home"))
    for _ in range(3):
        more = judged_event_factory(entries=1, judges=1)
        JudgeAssignmentFactory(user=judge, competition=more.event.competition, event=more.event)
    JudgeAssignmentFactory(
        user=judge, competition=more.event.competition, event=more.event, role=JudgeAssignment.Role.CHIEF_JUDGE
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("tablet:home"))
    assert len(response.context["cards"]) == 4
    assert [card.chief for card in response.context["cards"]] == [False, False, False, True]


def test_sheet_embeds_criteria_and_own_marks_only(client):
    judged = judged_event_factory(entries=2, judges=2)
    mine, theirs = judged.judges
    MarkFactory(entry=judged.entries[0], criterion=judged.criteria[0], judge=mine, value=Decimal("17.5"))
    MarkFactory(entry=judged.entries[0], criterion=judged.criteria[1], judge=theirs, value=Decimal("30"))
    client.force_login(mine)
    response = client.get(_sheet_url(judged))
    data = response.context["data"]
    assert response.status_code == 200
    assert data["marks"] == {"look:1": {"value": "17.5", "penalty": "0", "status": "ok", "version": 1}}
    assert [c["code"] for c in data["criteria"]] == ["look", "taste"]
    assert data["criteria"][0] | {} == {
        "code": "look",
        "title": "观感",
        "description": "",
        "kind": "judgement",
        "min": "0",
        "max": "20",
        "step": "0.5",
        "decimals": 2,
        "attempts": 1,
        "penalty_per_unit": "0",
    }
    assert data["messages"]["off_step"] == "不符合评分步长"
    html = response.content.decode()
    assert 'inputmode="decimal"' in html
    assert "提交评分表" in html
    assert judged.entries[0].contestant.name not in html


def test_sheet_of_a_time_criterion_offers_dnf_dns_dsq(client):
    judged = judged_event_factory(
        entries=1,
        judges=1,
        criteria=[
            {"code": "lap", "title": "计时赛", "kind": Criterion.Kind.TIME, "max_value": Decimal("300"), "step": None}
        ],
    )
    client.force_login(judged.judges[0])
    html = client.get(_sheet_url(judged)).content.decode()
    assert 'data-status="dnf"' in html
    assert 'data-status="dns"' in html
    assert 'data-status="dsq"' in html
    assert "上限 5:00" in html  # a time limit reads like a stopwatch (m:ss)


def test_sheet_shows_description_and_maximum(client):
    judged = judged_event_factory(entries=1, judges=1, criteria=[])
    CriterionFactory(scheme=judged.scheme, code="shape", title="造型", description="刀工、色泽、装盘", max_value=20)
    client.force_login(judged.judges[0])
    html = client.get(_sheet_url(judged)).content.decode()
    assert "刀工、色泽、装盘" in html
    assert "满分 20" in html


def test_sheet_locked_is_read_only_with_reason(client):
    judged = judged_event_factory(entries=1, judges=1)
    judge = judged.judges[0]
    SheetFactory(entry=judged.entries[0], judge=judge, state=Sheet.State.LOCKED, reason="成绩复核完毕")
    client.force_login(judge)
    response = client.get(_sheet_url(judged))
    html = response.content.decode()
    assert response.context["locked"] is True
    assert "评分表已锁定，只能查看，不能修改。" in html
    assert "成绩复核完毕" in html
    assert 'id="submit-sheet" class="button primary" disabled' in html


def test_sheet_refuses_a_judge_of_the_entrys_own_unit(client):
    judged = judged_event_factory(entries=1, judges=0)
    entry = judged.entries[0]
    judge = JudgeAssignmentFactory(
        competition=judged.competition,
        event=judged.event,
        user=QuickUserFactory(),
        organisation=entry.contestant.organisation,
    ).user
    client.force_login(judge)
    response = client.get(_sheet_url(judged))
    assert response.status_code == 403
    assert "您与该参赛者属于同一单位，须回避，不能为其评分。" in response.content.decode()
    home = client.get(reverse("tablet:home"))
    assert [row.recused for row in home.context["cards"][0].rows] == [True]


def test_sheet_refuses_a_user_who_is_not_a_judge_of_the_event(client):
    judged = judged_event_factory(entries=1, judges=1)
    client.force_login(QuickUserFactory())
    response = client.get(_sheet_url(judged))
    assert response.status_code == 403
    assert "您不是本项目的裁判，不能打开该评分表。" in response.content.decode()


def test_sheet_of_an_entry_of_another_event_is_404(client):
    judged = judged_event_factory(entries=1, judges=1)
    stranger = EntryFactory(code="Z99")
    client.force_login(judged.judges[0])
    response = client.get(reverse("tablet:sheet", args=[judged.event.pk, stranger.code]))
    assert response.status_code == 404


def test_sheet_addresses_entries_by_code_and_carries_no_entry_id(client):
    judged = judged_event_factory(entries=3, judges=1)
    client.force_login(judged.judges[0])
    entry = judged.entries[1]

    response = client.get(_sheet_url(judged, 1))

    html = response.content.decode()
    assert response.context["data"]["entry"] == entry.code
    assert f'data-entry="{entry.code}"' in html
    assert reverse("tablet:sheet", args=[judged.event.pk, judged.entries[2].code]) in html
    assert f"/entries/{entry.pk}/" not in html
    home = client.get(reverse("tablet:home")).content.decode()
    assert [f"/entries/{e.code}/" in home for e in judged.entries] == [True, True, True]
    assert not any(f'data-entry="{e.pk}"' in home for e in judged.entries)


def test_chief_page_lists_each_judges_sheet_and_variance_alerts(client):
    judged = judged_event_factory(entries=1, judges=3)
    look = judged.criteria[0]
    for judge, value in zip(judged.judges, ["10", "10.5", "18"], strict=True):
        MarkFactory(entry=judged.entries[0], criterion=look, judge=judge, value=Decimal(value))
        SheetFactory(entry=judged.entries[0], judge=judge, state=Sheet.State.SUBMITTED)
    client.force_login(judged.chief)
    response = client.get(reverse("tablet:chief", args=[judged.event.pk]))
    assert response.status_code == 200
    assert [(a["criterion"], a["value"]) for a in response.context["alerts"]] == [("look", Decimal("18.000"))]
    assert [[cell.state for cell in row.cells] for row in response.context["desk"].rows] == [["submitted"] * 3]
    assert response.content.decode().count('class="status"') == 3


def test_chief_page_refuses_a_plain_judge(client):
    judged = judged_event_factory(entries=1, judges=1)
    client.force_login(judged.judges[0])
    response = client.get(reverse("tablet:chief", args=[judged.event.pk]))
    assert response.status_code == 403
    assert "只有裁判长可以打开此页面。" in response.content.decode()


def test_home_links_the_chief_page_for_chief_judges_only(client):
    judged = judged_event_factory(entries=1, judges=1)
    chief_url = reverse("tablet:chief", args=[judged.event.pk])
    client.force_login(judged.chief)
    assert chief_url in client.get(reverse("tablet:home")).content.decode()
    client.force_login(judged.judges[0])
    assert chief_url not in client.get(reverse("tablet:home")).content.decode()


def test_competition_wide_chief_judge_sees_the_events(client):
    judged = judged_event_factory(entries=1, judges=1)
    chief = JudgeAssignmentFactory(
        competition=judged.competition, role=JudgeAssignment.Role.CHIEF_JUDGE, user=QuickUserFactory()
    ).user
    client.force_login(chief)
    cards = client.get(reverse("tablet:home")).context["cards"]
    assert [(card.event, card.chief) for card in cards] == [(judged.event, True)]


def test_service_worker_is_served_with_judge_scope(client):
    response = client.get("/judge/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    assert response["Service-Worker-Allowed"] == "/judge/"
    assert b"caches.open" in response.content


def test_manifest_describes_an_installable_app(client):
    response = client.get("/judge/manifest.webmanifest")
    data = json.loads(response.content)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert (data["start_url"], data["scope"], data["display"]) == ("/judge/", "/judge/", "standalone")
    assert data["name"] == "裁判评分"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [("252.5", "4:12.5"), ("600", "10:00"), ("59.25", "0:59.25"), ("0", "0:00"), ("3600.000", "60:00")],
)
def test_minutes_seconds_reads_like_a_stopwatch(seconds, shown):
    from judging.templatetags.tablet import minutes_seconds

    assert minutes_seconds(Decimal(seconds)) == shown
