"""The chief judge's desk: one row per entry, each judge's status in columns, filters, bulk lock, sorted alerts."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from competitions.models import Entry, JudgeAssignment
from config.errors import DomainError
from scoring.models import Sheet, SheetAudit
from scoring.services import sheets_lock
from tests.factories import (
    EntryFactory,
    JudgeAssignmentFactory,
    MarkFactory,
    QuickUserFactory,
    SheetFactory,
    judged_event_factory,
)

pytestmark = pytest.mark.django_db


def _desk(client, judged, **params):
    client.force_login(judged.chief)
    return client.get(reverse("tablet:chief", args=[judged.event.pk]), params)


def _mark_all(judged, judge, entry, values=("15", "30")):
    for criterion, value in zip(judged.criteria, values, strict=True):
        MarkFactory(entry=entry, criterion=criterion, judge=judge, value=Decimal(value))


def _statuses(response):
    return [(row.code, [cell.state for cell in row.cells]) for row in response.context["desk"].rows]


@pytest.fixture
def judged():
    """Three entries, three judges: A01 judge 0 submitted, judge 1 a draft, judge 2 nothing; A02 judge 0 locked."""
    judged = judged_event_factory(entries=3, judges=3)
    a01, a02, _a03 = judged.entries
    first, second, _third = judged.judges
    _mark_all(judged, first, a01)
    SheetFactory(entry=a01, judge=first, state=Sheet.State.SUBMITTED)
    MarkFactory(entry=a01, criterion=judged.criteria[0], judge=second, value=Decimal("14"))
    SheetFactory(entry=a01, judge=second, state=Sheet.State.DRAFT)
    _mark_all(judged, first, a02)
    SheetFactory(entry=a02, judge=first, state=Sheet.State.LOCKED)
    return judged


def test_desk_has_one_row_per_entry_and_a_column_per_judge(client, judged):
    response = _desk(client, judged)
    assert response.status_code == 200
    desk = response.context["desk"]
    assert [judge.pk for judge in desk.judges] == [judge.pk for judge in judged.judges]
    assert _statuses(response) == [
        ("A01", ["submitted", "draft", "missing"]),
        ("A02", ["locked", "missing", "missing"]),
        ("A03", ["missing", "missing", "missing"]),
    ]
    assert response.content.decode().count('class="desk-row') == 3


def test_desk_shows_a_recused_judge_as_not_expected(client, judged):
    second = judged.judges[1]
    JudgeAssignment.objects.filter(user=second).update(organisation=judged.entries[2].contestant.organisation)
    assert _statuses(_desk(client, judged))[2] == ("A03", ["missing", "none", "missing"])


def test_desk_shows_codes_only_until_decoded_then_names(client, judged):
    names = [entry.contestant.name for entry in judged.entries]
    html = _desk(client, judged).content.decode()
    assert [name in html for name in names] == [False, False, False]
    judged.event.decoded_at = timezone.now()
    judged.event.save()
    html = _desk(client, judged).content.decode()
    assert [name in html for name in names] == [True, True, True]
    assert [code in html for code in ("A01", "A02", "A03")] == [True, True, True]


@pytest.mark.parametrize(
    ("show", "codes"),
    [("", ["A01", "A02", "A03"]), ("missing", ["A01", "A02", "A03"]), ("submitted", []), ("alert", [])],
)
def test_desk_filters_rows(client, judged, show, codes):
    assert [row.code for row in _desk(client, judged, show=show).context["desk"].rows] == codes


def test_desk_filter_submitted_keeps_rows_every_judge_has_submitted(client, judged):
    a03 = judged.entries[2]
    for judge in judged.judges:
        _mark_all(judged, judge, a03)
        SheetFactory(entry=a03, judge=judge, state=Sheet.State.SUBMITTED)
    response = _desk(client, judged, show="submitted")
    assert [row.code for row in response.context["desk"].rows] == ["A03"]
    missing = _desk(client, judged, show="missing")
    assert [row.code for row in missing.context["desk"].rows] == ["A01", "A02"]


def test_desk_alerts_are_sorted_by_deviation_and_link_to_the_sheet(client):
    judged = judged_event_factory(entries=2, judges=3)
    look = judged.criteria[0]
    for entry, values in zip(judged.entries, [("10", "10", "14"), ("10", "10", "19")], strict=True):
        for judge, value in zip(judged.judges, values, strict=True):
            MarkFactory(entry=entry, criterion=look, judge=judge, value=Decimal(value))
    response = _desk(client, judged)
    alerts = response.context["alerts"]
    assert [(a["code"], a["deviation"]) for a in alerts] == [("A02", Decimal("9.000")), ("A01", Decimal("4.000"))]
    link = reverse("tablet:chief-sheet", args=[judged.event.pk, "A02", judged.judges[2].pk])
    assert f'href="{link}"' in response.content.decode()
    flagged = _desk(client, judged, show="alert").context["desk"].rows
    assert [(row.code, [cell.alert for cell in row.cells]) for row in flagged] == [
        ("A01", [False, False, True]),
        ("A02", [False, False, True]),
    ]


def test_desk_filters_by_round(client):
    judged = judged_event_factory(entries=0, judges=2)
    for station, order in [(1, 1), (2, 1), (1, 2)]:
        EntryFactory(event=judged.event, code=f"R{order}S{station}", station=station, start_order=order)
    rows = _desk(client, judged, round=2).context["desk"].rows
    assert [(row.code, row.round) for row in rows] == [("R2S1", 2)]


def _rounds(judged):
    """Round 1: B01, B02; round 2: B03. Every judge has submitted every entry; B02's first judge is already locked."""
    entries = [
        EntryFactory(event=judged.event, code=f"B0{i + 1}", station=station, start_order=order)
        for i, (station, order) in enumerate([(1, 1), (2, 1), (1, 2)])
    ]
    for entry in entries:
        for judge in judged.judges:
            _mark_all(judged, judge, entry)
            SheetFactory(entry=entry, judge=judge, state=Sheet.State.SUBMITTED)
    Sheet.objects.filter(entry=entries[1], judge=judged.judges[0]).update(state=Sheet.State.LOCKED)
    return entries


def _locked_codes(judged):
    sheets = Sheet.objects.filter(entry__event=judged.event, state=Sheet.State.LOCKED)
    return sorted({(sheet.entry.code, sheet.judge_id) for sheet in sheets.select_related("entry")})


def test_bulk_lock_of_a_round_locks_its_open_sheets_and_audits_each(client):
    judged = judged_event_factory(entries=0, judges=2)
    _rounds(judged)
    client.force_login(judged.chief)
    url = reverse("tablet:chief-lock", args=[judged.event.pk])
    response = client.post(url, {"round": "1", "reason": "第一场结束"})
    assert response.status_code == 302
    assert response.url == reverse("tablet:chief", args=[judged.event.pk]) + "?round=1"
    first, second = judged.judges
    assert _locked_codes(judged) == sorted(
        [("B01", first.pk), ("B01", second.pk), ("B02", first.pk), ("B02", second.pk)]
    )
    audits = SheetAudit.objects.filter(action=SheetAudit.Action.LOCK).order_by("sheet__entry__code", "sheet__judge_id")
    assert [(a.sheet.entry.code, a.actor, a.reason) for a in audits] == [
        ("B01", judged.chief, "第一场结束"),
        ("B01", judged.chief, "第一场结束"),
        ("B02", judged.chief, "第一场结束"),
    ]


def test_bulk_lock_of_the_filtered_rows_locks_only_those(client):
    judged = judged_event_factory(entries=0, judges=2)
    _rounds(judged)
    # Round 2 also holds B04, which the second judge has not marked: not among the submitted rows.
    late = EntryFactory(event=judged.event, code="B04", station=2, start_order=2)
    _mark_all(judged, judged.judges[0], late)
    SheetFactory(entry=late, judge=judged.judges[0], state=Sheet.State.SUBMITTED)
    client.force_login(judged.chief)
    client.post(reverse("tablet:chief-lock", args=[judged.event.pk]), {"round": "2", "show": "submitted"})
    locked = _locked_codes(judged)
    assert [code for code, _judge in locked if code in ("B03", "B04")] == ["B03", "B03"]


def test_bulk_lock_refuses_a_plain_judge_and_the_chief_of_another_event(client):
    judged = judged_event_factory(entries=0, judges=2)
    _rounds(judged)
    other = judged_event_factory(entries=1, judges=1)
    before = _locked_codes(judged)
    url = reverse("tablet:chief-lock", args=[judged.event.pk])
    for user in (judged.judges[0], other.chief):
        client.force_login(user)
        assert client.post(url, {"round": "1"}).status_code == 403
    assert _locked_codes(judged) == before


def test_sheets_lock_service_checks_the_chief_and_the_event():
    judged = judged_event_factory(entries=0, judges=2)
    b01, *_rest = _rounds(judged)
    other = judged_event_factory(entries=1, judges=1)
    with pytest.raises(DomainError) as excinfo:
        sheets_lock(actor=judged.judges[0], event=judged.event, entries=[b01])
    assert excinfo.value.code == "not_chief_judge"
    # An entry of another event is not locked through this event, even by its chief.
    SheetFactory(entry=other.entries[0], judge=other.judges[0], state=Sheet.State.SUBMITTED)
    locked = sheets_lock(actor=judged.chief, event=judged.event, entries=[b01, other.entries[0]])
    assert sorted(sheet.entry.code for sheet in locked) == ["B01", "B01"]
    assert Sheet.objects.get(entry=other.entries[0]).state == Sheet.State.SUBMITTED


def test_chief_sheet_page_shows_one_judges_marks_and_lock(client, judged):
    first = judged.judges[0]
    client.force_login(judged.chief)
    response = client.get(reverse("tablet:chief-sheet", args=[judged.event.pk, "A01", first.pk]))
    assert response.status_code == 200
    assert [(row["criterion"].code, row["value"]) for row in response.context["marks"]] == [
        ("look", Decimal("15.000")),
        ("taste", Decimal("30.000")),
    ]
    html = response.content.decode()
    assert 'data-action="lock"' in html
    assert judged.entries[0].contestant.name not in html


def test_chief_sheet_page_refuses_a_plain_judge(client, judged):
    client.force_login(judged.judges[1])
    url = reverse("tablet:chief-sheet", args=[judged.event.pk, "A01", judged.judges[0].pk])
    assert client.get(url).status_code == 403


def test_home_of_a_chief_who_marks_nothing_shows_the_desk_and_no_tiles(client, judged):
    client.force_login(judged.chief)
    html = client.get(reverse("tablet:home")).content.decode()
    assert "data-entry=" not in html
    assert reverse("tablet:chief", args=[judged.event.pk]) in html
    client.force_login(judged.judges[0])
    assert client.get(reverse("tablet:home")).content.decode().count("data-entry=") == 3


def test_desk_query_count_does_not_grow_with_entries(client, django_assert_max_num_queries):
    small = judged_event_factory(entries=1, judges=3)
    client.force_login(small.chief)
    url = reverse("tablet:chief", args=[small.event.pk])
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for i in range(2, 12):
        entry = EntryFactory(event=small.event, code=f"A{i:02d}", station=i, start_order=1)
        for judge in small.judges:
            _mark_all(small, judge, entry)
            SheetFactory(entry=entry, judge=judge, state=Sheet.State.SUBMITTED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
    assert Entry.objects.filter(event=small.event).count() == 11


def test_desk_refuses_a_competition_wide_judge_who_is_not_chief(client, judged):
    user = JudgeAssignmentFactory(competition=judged.competition, user=QuickUserFactory()).user
    client.force_login(user)
    assert client.get(reverse("tablet:chief", args=[judged.event.pk])).status_code == 403


def test_bulk_lock_with_a_reason_over_its_limit_is_a_clear_400_page_and_locks_nothing(client):
    judged = judged_event_factory(entries=0, judges=2)
    _rounds(judged)
    client.force_login(judged.chief)
    locked_before = _locked_codes(judged)

    response = client.post(reverse("tablet:chief-lock", args=[judged.event.pk]), {"round": "1", "reason": "长" * 201})

    assert response.status_code == 400
    assert "内容过长：最多 200 个字符。" in response.content.decode()
    assert (_locked_codes(judged), SheetAudit.objects.filter(action=SheetAudit.Action.LOCK).count()) == (
        locked_before,
        0,
    )
