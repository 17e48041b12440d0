"""The results chain: close marking → review sample (复核) → decode (解密) → announce (公示) → final; appeals."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from competitions.models import JudgeAssignment
from config.errors import DomainError
from scoring import results, results_selectors, services, signals
from scoring.models import EventResults, Mark, MarkHistory, Objection, ResultsAudit, ReviewItem, Sheet
from scoring.review_draw import needs_full_review, review_sample, sample_size
from scoring.services import MarkInput, marks_submit
from tests.factories import JudgeAssignmentFactory, OrganisationFactory, QuickUserFactory, judged_event_factory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

Stage = EventResults.Stage


def marked_event(entries=12, *, marked=None):
    """An event with one single-judge criterion; every entry (or the first ``marked``) marked."""
    panel = judged_event_factory(
        entries=entries,
        judges=1,
        criteria=[{"code": "total", "title": "总分", "max_value": Decimal("100"), "aggregation": "single"}],
    )
    todo = panel.entries[: entries if marked is None else marked]
    if todo:
        marks = [MarkInput(entry=e.pk, criterion="total", value=str(60 + i)) for i, e in enumerate(todo)]
        marks_submit(judge=panel.judges[0], event=panel.event, marks=marks, idempotency_key="all")
    return panel


def reviewed(panel):
    """Close marking, draw, confirm every item."""
    results.results_close_marking(actor=panel.chief, event=panel.event)
    results.results_draw_review(actor=panel.chief, event=panel.event, seed="fixed")
    for item in ReviewItem.objects.filter(event=panel.event):
        results.review_item_confirm(actor=panel.chief, item=item)
    return panel


# ---- the draw, pure


def test_review_sample_is_top_ten_plus_fifteen_percent_of_the_rest_rounded_up():
    ranked = list(range(100, 141))  # 41 entries, best first
    top, sampled = review_sample("seed-1", ranked)
    assert top == list(range(100, 110))
    assert (sample_size(31), len(sampled)) == (5, 5)
    assert set(sampled) <= set(range(110, 141))


def test_review_sample_replays_from_its_seed_whatever_order_the_rest_came_in():
    ranked = list(range(1, 41))
    again = ranked[:10] + list(reversed(ranked[10:]))
    assert review_sample("abc", ranked) == review_sample("abc", again)
    assert review_sample("abc", ranked)[1] != review_sample("abd", ranked)[1]


def test_full_review_needed_only_above_five_percent():
    assert (needs_full_review(reviewed=20, corrected=1), needs_full_review(reviewed=19, corrected=1)) == (False, True)


# ---- close marking and the review


def test_close_marking_refused_while_entries_are_unmarked():
    panel = marked_event(entries=5, marked=3)
    with pytest.raises(DomainError) as excinfo:
        results.results_close_marking(actor=panel.chief, event=panel.event)
    assert (excinfo.value.code, excinfo.value.status) == ("results_incomplete", 409)
    assert excinfo.value.extra["entries"] == [panel.entries[3].pk, panel.entries[4].pk]


def test_close_marking_does_not_wait_for_an_entry_that_did_not_start():
    panel = marked_event(entries=3, marked=2)
    panel.entries[2].status = "dns"
    panel.entries[2].save()
    assert results.results_close_marking(actor=panel.chief, event=panel.event).marking_closed_at is not None


def test_close_marking_locks_every_sheet_and_is_audited():
    panel = marked_event(entries=4)
    state = results.results_close_marking(actor=panel.chief, event=panel.event, reason="比赛结束")
    assert state.marking_closed_by == panel.chief
    assert set(Sheet.objects.filter(entry__event=panel.event).values_list("state", flat=True)) == {"locked"}
    audit = ResultsAudit.objects.get(event=panel.event)
    assert (audit.action, audit.actor, audit.reason, audit.data) == (
        "close_marking",
        panel.chief,
        "比赛结束",
        {"sheets_locked": 4},
    )


def test_review_draw_needs_marking_closed_and_records_a_replayable_seed():
    panel = marked_event(entries=14)
    with pytest.raises(DomainError) as excinfo:
        results.results_draw_review(actor=panel.chief, event=panel.event)
    assert excinfo.value.code == "sheets_not_locked"
    results.results_close_marking(actor=panel.chief, event=panel.event)
    state = results.results_draw_review(actor=panel.chief, event=panel.event)
    audit = ResultsAudit.objects.get(event=panel.event, action="draw_review")
    top, sampled = review_sample(state.review_seed, audit.data["ranked"])
    items = dict(ReviewItem.objects.filter(event=panel.event).values_list("entry_id", "reason"))
    assert items == {**dict.fromkeys(top, "top"), **dict.fromkeys(sampled, "sample")}
    assert (len(top), len(sampled), state.stage) == (10, 1, Stage.REVIEW)  # 15% of 4 is 0.6 → 1


def test_a_judge_cannot_draw_or_review():
    panel = marked_event(entries=3)
    results.results_close_marking(actor=panel.chief, event=panel.event)
    with pytest.raises(DomainError) as excinfo:
        results.results_draw_review(actor=panel.judges[0], event=panel.event)
    assert excinfo.value.code == "not_chief_judge"
    results.results_draw_review(actor=panel.chief, event=panel.event)
    item = ReviewItem.objects.filter(event=panel.event).first()
    with pytest.raises(DomainError) as excinfo:
        results.review_item_confirm(actor=panel.judges[0], item=item)
    assert excinfo.value.code == "not_reviewer"
    reviewer = JudgeAssignmentFactory(
        competition=panel.competition, event=panel.event, role=JudgeAssignment.Role.REVIEWER, user=QuickUserFactory()
    ).user
    assert results.review_item_confirm(actor=reviewer, item=item, note="核对无误").status == "confirmed"


def test_review_correction_goes_through_marks_submit_with_reason_and_relocks_the_sheet():
    panel = marked_event(entries=3)
    results.results_close_marking(actor=panel.chief, event=panel.event)
    results.results_draw_review(actor=panel.chief, event=panel.event)
    entry = panel.entries[0]
    item = ReviewItem.objects.get(event=panel.event, entry=entry)
    results.review_item_correct(
        actor=panel.chief,
        item=item,
        judge=panel.judges[0],
        marks=[MarkInput(entry=entry.pk, criterion="total", value="70", version=1)],
        reason="登分错误，原始记录为70",
    )
    item.refresh_from_db()
    change = item.corrections.get()
    assert (change.actor, change.old_value, change.new_value, change.reason) == (
        panel.chief,
        Decimal("60"),
        Decimal("70"),
        "登分错误，原始记录为70",
    )
    assert MarkHistory.objects.filter(mark__entry=entry).count() == 2
    sheet = Sheet.objects.get(entry=entry, judge=panel.judges[0])
    assert sheet.state == "locked"
    assert list(sheet.audits.values_list("action", flat=True)) == ["lock", "unlock", "lock"]
    assert item.status == "corrected"


def test_more_than_five_percent_corrected_turns_the_review_into_a_full_review():
    panel = marked_event(entries=30)  # 10 + ceil(15% of 20) = 13 sampled
    results.results_close_marking(actor=panel.chief, event=panel.event)
    results.results_draw_review(actor=panel.chief, event=panel.event)
    assert ReviewItem.objects.filter(event=panel.event).count() == 13
    item = ReviewItem.objects.filter(event=panel.event).first()
    results.review_item_correct(
        actor=panel.chief,
        item=item,
        judge=panel.judges[0],
        marks=[MarkInput(entry=item.entry_id, criterion="total", value="99", version=1)],
        reason="复核发现漏计",
    )
    state = EventResults.objects.get(event=panel.event)
    assert state.full_review is True
    assert ReviewItem.objects.filter(event=panel.event).count() == 30
    assert ReviewItem.objects.filter(event=panel.event, reason="full").count() == 17
    assert ResultsAudit.objects.filter(event=panel.event, action="full_review").count() == 1


# ---- decoding, announcement, objections, final


def test_decode_and_announce_refused_until_review_is_complete():
    panel = marked_event(entries=3)
    results.results_close_marking(actor=panel.chief, event=panel.event)
    results.results_draw_review(actor=panel.chief, event=panel.event)
    for step in (results.results_decode, results.results_announce):
        with pytest.raises(DomainError) as excinfo:
            step(actor=panel.chief, event=panel.event)
        assert (excinfo.value.code, excinfo.value.status) == ("review_not_complete", 409)


def test_announce_refused_before_decoding():
    panel = reviewed(marked_event(entries=3))
    with pytest.raises(DomainError) as excinfo:
        results.results_announce(actor=panel.chief, event=panel.event)
    assert excinfo.value.code == "results_not_decoded"


def test_decode_sets_event_fields_and_signals_after_commit(django_capture_on_commit_callbacks):
    panel = reviewed(marked_event(entries=3))
    heard = []

    def receiver(sender, event_id, **kwargs):
        heard.append(event_id)

    signals.event_decoded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            results.results_decode(actor=panel.chief, event=panel.event, reason="监督员在场")
        assert heard == []
        for callback in callbacks:
            callback()
    finally:
        signals.event_decoded.disconnect(receiver)
    panel.event.refresh_from_db()
    assert (panel.event.decoded_by, heard) == (panel.chief, [panel.event.pk])
    assert EventResults.objects.get(event=panel.event).stage == Stage.DECODED


def announced(entries=3, days=3):
    panel = reviewed(marked_event(entries=entries))
    results.results_decode(actor=panel.chief, event=panel.event)
    results.results_announce(actor=panel.organiser, event=panel.event, days=days, contact="赛事办 010-12345678")
    return panel


def test_results_become_final_when_the_period_ends_with_no_open_objection():
    panel = announced()
    state = EventResults.objects.get(event=panel.event)
    assert results_selectors.results_stage(state) == Stage.ANNOUNCED
    later = state.announcement_ends_at + timedelta(seconds=1)
    assert results_selectors.results_stage(state, now=later) == Stage.FINAL
    assert results_selectors.event_results_final(panel.event, now=later) is True


def test_an_open_or_upheld_objection_keeps_results_from_being_final():
    panel = announced()
    objection = results.objection_file(event=panel.event, name="张三", contact="13800000000", text="第3名分数有误")
    state = EventResults.objects.get(event=panel.event)
    later = state.announcement_ends_at + timedelta(seconds=1)
    assert results_selectors.results_stage(state, now=later) == Stage.ANNOUNCED
    results.objection_decide(actor=panel.organiser, objection=objection, status="upheld", decision="经核实成立")
    assert results_selectors.results_stage(state, now=later) == Stage.ANNOUNCED
    # Corrected and announced again: a new period, the old upheld objection no longer blocks.
    results.results_announce(actor=panel.organiser, event=panel.event, days=3)
    state.refresh_from_db()
    assert results_selectors.results_stage(state, now=state.announcement_ends_at) == Stage.FINAL


def test_dismissed_objection_does_not_block_and_finalise_records_it():
    panel = announced()
    objection = results.objection_file(event=panel.event, name="李四", contact="13900000000", text="有异议")
    results.objection_decide(actor=panel.organiser, objection=objection, status="dismissed", decision="不成立")
    with pytest.raises(DomainError) as excinfo:
        results.results_finalise(actor=panel.organiser, event=panel.event)
    assert excinfo.value.code == "announcement_not_over"
    EventResults.objects.filter(event=panel.event).update(announcement_ends_at=timezone.now() - timedelta(minutes=1))
    state = results.results_finalise(actor=panel.organiser, event=panel.event)
    assert (state.stage, state.finalised_by) == (Stage.FINAL, panel.organiser)


def test_objection_after_the_period_is_refused():
    panel = announced()
    EventResults.objects.filter(event=panel.event).update(announcement_ends_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DomainError) as excinfo:
        results.objection_file(event=panel.event, name="王五", contact="1", text="晚了")
    assert excinfo.value.code == "announcement_over"
    assert Objection.objects.count() == 0


# ---- appeals


def test_late_appeal_gets_400_appeal_window_closed(client):
    panel = marked_event(entries=2)
    results.results_close_marking(actor=panel.chief, event=panel.event)
    url = f"/api/v1/events/{panel.event.pk}/appeals/"
    entry = panel.entries[0]
    body = {"entry": entry.pk, "reason": "计时有误", "appellant": "team_leader", "appellant_name": "赵领队"}
    inside = client_for(panel.chief).post(url, body, format="json")
    assert (inside.status_code, inside.json()["appellant"], inside.json()["unit"]) == (
        201,
        "team_leader",
        entry.contestant.organisation_id,
    )
    EventResults.objects.filter(event=panel.event).update(
        marking_closed_at=timezone.now() - timedelta(hours=2, minutes=1)
    )
    late = client_for(panel.chief).post(url, body, format="json")
    assert (late.status_code, late.json()["code"]) == (400, "appeal_window_closed")


def test_appeal_from_another_unit_is_refused_and_arbitrator_decides(client):
    panel = marked_event(entries=2)
    url = f"/api/v1/events/{panel.event.pk}/appeals/"
    other = OrganisationFactory()
    wrong = client_for(panel.organiser).post(
        url, {"entry": panel.entries[0].pk, "reason": "x", "unit": other.pk}, format="json"
    )
    assert (wrong.status_code, wrong.json()["code"]) == (400, "appeal_unit_mismatch")
    appeal = client_for(panel.organiser).post(url, {"entry": panel.entries[0].pk, "reason": "评分有误"}, format="json")
    arbitrator = JudgeAssignmentFactory(
        competition=panel.competition, role=JudgeAssignment.Role.ARBITRATOR, user=QuickUserFactory()
    ).user
    decided = client_for(arbitrator).post(
        f"/api/v1/appeals/{appeal.json()['id']}/decide/", {"status": "dismissed", "decision": "维持原判"}, format="json"
    )
    assert (decided.status_code, decided.json()["status"]) == (200, "dismissed")
    assert list(ResultsAudit.objects.filter(event=panel.event).values_list("action", flat=True)) == [
        "appeal_filed",
        "appeal_decided",
    ]


# ---- the REST API end to end


def test_results_chain_through_the_api():
    panel = marked_event(entries=3)
    chief, base = client_for(panel.chief), f"/api/v1/events/{panel.event.pk}/results/"
    early = chief.post(base + "decode/", {}, format="json")
    assert (early.status_code, early.json()["code"]) == (409, "review_not_complete")
    assert chief.post(base + "close-marking/", {"reason": "结束"}, format="json").status_code == 200
    drawn = chief.post(base + "review-sample/", format="json")
    assert (drawn.status_code, drawn.json()["stage"]) == (201, "review")
    items = chief.get(base + "review-items/").json()
    assert len(items) == 3
    for item in items[1:]:
        assert chief.post(base + f"review-items/{item['id']}/confirm/", {"note": ""}, format="json").status_code == 200
    corrected = chief.post(
        base + f"review-items/{items[0]['id']}/correct/",
        {
            "judge": panel.judges[0].pk,
            "marks": [{"entry": items[0]["entry"], "criterion": "total", "value": "88", "version": 1}],
            "reason": "复核更正",
        },
        format="json",
    )
    assert (corrected.status_code, corrected.json()["status"], len(corrected.json()["corrections"])) == (
        200,
        "corrected",
        1,
    )
    # One of three corrected is over 5%: a full review, but every entry is already an item.
    state = chief.get(base).json()
    assert (state["full_review"], state["review_completed_at"] is not None) == (True, True)
    assert chief.post(base + "decode/", {"reason": "监督员在场"}, format="json").json()["stage"] == "decoded"
    notice_before = client_for().get(base + "notice/")
    assert notice_before.status_code == 404
    announced_state = chief.post(base + "announce/", {"days": 5, "contact": "赛事办"}, format="json").json()
    assert announced_state["effective_stage"] == "announced"
    panel.competition.is_public = True
    panel.competition.save()
    notice = client_for().get(base + "notice/").json()
    assert notice["rows"][0]["code"] == items[0]["code"]  # corrected to 88: now first
    assert (notice["rows"][0]["total"], notice["rows"][0]["name"], notice["contact"]) == (
        "88",
        next(e for e in panel.entries if e.pk == items[0]["entry"]).contestant.name,
        "赛事办",
    )
    objection = client_for().post(
        base + "objections/", {"name": "张三", "contact": "138", "text": "有异议"}, format="json"
    )
    assert objection.status_code == 201
    listed = client_for(panel.organiser).get(base + "objections/").json()
    assert [o["status"] for o in listed] == ["open"]
    decided = client_for(panel.organiser).post(
        f"/api/v1/objections/{objection.json()['id']}/decide/",
        {"status": "dismissed", "decision": "不成立"},
        format="json",
    )
    assert decided.json()["status"] == "dismissed"
    actions = [a["action"] for a in chief.get(base + "audit/").json()]
    assert actions[:3] == ["close_marking", "draw_review", "review_confirm"]
    assert actions[-4:] == ["decode", "announce", "objection_filed", "objection_decided"]


@pytest.mark.parametrize("entries", [1, 3])
def test_review_items_and_objections_lists_do_not_grow_queries(entries, django_assert_num_queries):
    panel = marked_event(entries=entries)
    results.results_close_marking(actor=panel.chief, event=panel.event)
    results.results_draw_review(actor=panel.chief, event=panel.event)
    client = client_for(panel.chief)
    # the event, the reviewer check, the items, their corrections
    with django_assert_num_queries(4):
        assert len(client.get(f"/api/v1/events/{panel.event.pk}/results/review-items/").json()) == entries
    EventResults.objects.filter(event=panel.event).update(
        stage=Stage.ANNOUNCED, announced_at=timezone.now(), announcement_ends_at=timezone.now() + timedelta(days=3)
    )
    for n in range(entries):
        results.objection_file(event=panel.event, name=f"甲{n}", contact="1", text="异议")
    organiser = client_for(panel.organiser)
    with django_assert_num_queries(3):  # event, the organiser check, the objections
        assert len(organiser.get(f"/api/v1/events/{panel.event.pk}/results/objections/").json()) == entries


def test_sheets_cannot_be_unlocked_once_the_event_is_decoded():
    """Before: a chief judge could unlock a sheet and change marks after decoding or announcement."""
    panel = reviewed(marked_event(entries=3))
    results.results_decode(actor=panel.chief, event=panel.event)
    sheet = Sheet.objects.filter(entry__event=panel.event).first()
    with pytest.raises(DomainError) as excinfo:
        services.sheet_unlock(actor=panel.chief, sheet=sheet, reason="改分")
    assert (excinfo.value.code, excinfo.value.status) == ("results_stage_invalid", 409)
    sheet.refresh_from_db()
    assert sheet.is_locked is True


# ---- open appeals hold the chain; an upheld objection reopens the review


def _open_appeal(panel):
    return services.appeal_file(user=panel.chief, entry=panel.entries[0], reason="计时有误")


def test_an_open_appeal_blocks_decoding_and_announcing_until_it_is_decided():
    panel = reviewed(marked_event(entries=3))
    appeal = _open_appeal(panel)
    with pytest.raises(DomainError) as excinfo:
        results.results_decode(actor=panel.chief, event=panel.event)
    assert (excinfo.value.code, excinfo.value.status) == ("appeals_open", 409)
    panel.event.refresh_from_db()
    assert panel.event.decoded_at is None
    services.appeal_decide(user=panel.organiser, appeal=appeal, status="dismissed", decision="维持原判")
    results.results_decode(actor=panel.chief, event=panel.event)
    second = _open_appeal(panel)  # still inside the window
    with pytest.raises(DomainError) as excinfo:
        results.results_announce(actor=panel.chief, event=panel.event)
    assert excinfo.value.code == "appeals_open"
    services.appeal_decide(user=panel.organiser, appeal=second, status="dismissed", decision="维持原判")
    assert results.results_announce(actor=panel.chief, event=panel.event).stage == Stage.ANNOUNCED


def test_an_open_appeal_keeps_announced_results_from_being_final():
    panel = announced()
    appeal = _open_appeal(panel)
    state = EventResults.objects.get(event=panel.event)
    later = state.announcement_ends_at + timedelta(seconds=1)
    assert results_selectors.results_stage(state, now=later) == Stage.ANNOUNCED
    EventResults.objects.filter(event=panel.event).update(announcement_ends_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DomainError) as excinfo:
        results.results_finalise(actor=panel.organiser, event=panel.event)
    assert excinfo.value.code == "appeals_open"
    services.appeal_decide(user=panel.organiser, appeal=appeal, status="dismissed", decision="维持原判")
    assert results.results_finalise(actor=panel.organiser, event=panel.event).stage == Stage.FINAL


def _upheld(panel):
    objection = results.objection_file(event=panel.event, name="张三", contact="138", text="第一名分数录错")
    results.objection_decide(actor=panel.organiser, objection=objection, status="upheld", decision="经核实成立")
    return objection


def test_reopen_needs_an_upheld_objection_and_the_chief_judge():
    panel = announced()
    with pytest.raises(DomainError) as excinfo:
        results.results_reopen(actor=panel.chief, event=panel.event, codes=[panel.entries[0].code], reason="更正")
    assert (excinfo.value.code, excinfo.value.status) == ("results_stage_invalid", 409)
    _upheld(panel)
    with pytest.raises(DomainError) as excinfo:
        results.results_reopen(actor=panel.judges[0], event=panel.event, codes=[panel.entries[0].code], reason="更正")
    assert excinfo.value.status == 403
    for codes, reason, field in (
        ([], "更正", "entries"),
        (["NOPE"], "更正", "entries"),
        ([panel.entries[0].code], "", "reason"),
    ):
        with pytest.raises(DomainError) as excinfo:
            results.results_reopen(actor=panel.chief, event=panel.event, codes=codes, reason=reason)
        assert (excinfo.value.status, excinfo.value.field) == (400, field)
    assert EventResults.objects.get(event=panel.event).stage == Stage.ANNOUNCED


def test_upheld_objection_reopens_the_review_the_correction_is_audited_and_results_are_announced_again():
    panel = announced()
    _upheld(panel)
    target = panel.entries[0]
    state = results.results_reopen(actor=panel.chief, event=panel.event, codes=[target.code], reason="异议成立，复查")
    assert (state.stage, state.review_completed_at) == (Stage.REVIEW, None)
    item = ReviewItem.objects.get(event=panel.event, entry=target, round=2)
    assert (item.reason, item.status) == ("objection", "pending")
    # The first round's decision on that entry is kept as it was.
    assert ReviewItem.objects.get(event=panel.event, entry=target, round=1).status == "confirmed"
    # Marks may change again (the judge's sheet is unlocked and relocked around the correction).
    stored = Mark.objects.get(entry=target)
    results.review_item_correct(
        actor=panel.chief,
        item=item,
        judge=panel.judges[0],
        marks=[MarkInput(entry=target.pk, criterion="total", value="99", version=stored.version)],
        reason="异议成立：原始记录为99分",
    )
    state.refresh_from_db()
    # Decoded already: a completed re-review goes straight back to decoded, ready to announce again.
    assert state.stage == Stage.DECODED
    assert state.review_completed_at is not None
    assert state.full_review is False  # an objection's entries are not a random sample
    results.results_announce(actor=panel.chief, event=panel.event, days=3)
    state.refresh_from_db()
    assert results_selectors.results_stage(state, now=state.announcement_ends_at) == Stage.FINAL
    assert Mark.objects.get(entry=target).value == Decimal("99")
    actions = list(ResultsAudit.objects.filter(event=panel.event).values_list("action", flat=True))
    assert actions[-4:] == ["reopen", "review_correct", "review_complete", "announce"]
    assert Sheet.objects.get(entry=target).state == Sheet.State.LOCKED


def test_close_marking_without_a_reason_writes_no_made_up_reason():
    """The judge's tablet then says "locked by the chief judge" in the judge's language, not a stored Chinese text."""
    panel = marked_event(entries=2)
    results.results_close_marking(actor=panel.chief, event=panel.event)
    assert list(Sheet.objects.filter(entry__event=panel.event).values_list("reason", flat=True)) == ["", ""]


def test_review_correction_reasons_are_written_in_the_chief_judges_language():
    panel = marked_event(entries=3)
    results.results_close_marking(actor=panel.chief, event=panel.event)
    results.results_draw_review(actor=panel.chief, event=panel.event)
    entry = panel.entries[0]
    with translation.override("en"):
        results.review_item_correct(
            actor=panel.chief,
            item=ReviewItem.objects.get(event=panel.event, entry=entry),
            judge=panel.judges[0],
            marks=[MarkInput(entry=entry.pk, criterion="total", value="70", version=1)],
            reason="typo",
        )
    sheet = Sheet.objects.get(entry=entry, judge=panel.judges[0])
    assert list(sheet.audits.values_list("reason", flat=True)) == [
        "",
        "Review correction: typo",
        "Locked again after the review correction: typo",
    ]
