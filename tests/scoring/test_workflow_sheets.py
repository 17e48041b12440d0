"""Sheets (draft → submitted → locked → published), appeals, and scheme revisions, through the API."""

from decimal import Decimal

import pytest

from scoring.models import Appeal, Criterion, Mark, MarkHistory, MarkingScheme, SchemeRevision, Sheet, SheetAudit
from tests.factories import AppealFactory, SheetFactory, judged_event_factory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel():
    return judged_event_factory()


def post_marks(user, event, marks, key, **extra):
    return client_for(user).post(
        f"/api/v1/events/{event.pk}/marks/", {"marks": marks, **extra}, format="json", headers={"Idempotency-Key": key}
    )


def marked_sheet(panel, value="15"):
    judge, entry = panel.judges[0], panel.entries[0]
    post_marks(judge, panel.event, [{"entry": entry.code, "criterion": "look", "value": value}], "first")
    return Sheet.objects.get(entry=entry, judge=judge)


def test_sheet_submit_moves_draft_to_submitted_and_audits(panel):
    sheet = marked_sheet(panel)

    response = client_for(panel.judges[0]).post(
        f"/api/v1/events/{panel.event.pk}/sheets/submit/", {"entry": panel.entries[0].code}
    )

    assert response.status_code == 200
    assert response.json()["state"] == "submitted"
    assert list(SheetAudit.objects.filter(sheet=sheet).values_list("action", "from_state", "to_state")) == [
        ("submit", "draft", "submitted")
    ]


def test_sheet_lock_by_chief_judge_freezes_marks(panel):
    sheet = marked_sheet(panel)

    locked = client_for(panel.chief).post(f"/api/v1/sheets/{sheet.pk}/lock/", {"reason": "复核完毕"})
    change = post_marks(
        panel.judges[0],
        panel.event,
        [{"entry": panel.entries[0].code, "criterion": "look", "value": "16", "version": 1}],
        "second",
    )

    assert locked.status_code == 200
    assert locked.json()["state"] == "locked"
    assert locked.json()["locked_by"] == panel.chief.pk
    assert change.status_code == 409
    assert change.json()["code"] == "sheet_locked"
    assert Mark.objects.get().value == Decimal("15")


def test_sheet_lock_by_a_judge_is_403(panel):
    sheet = marked_sheet(panel)

    response = client_for(panel.judges[0]).post(f"/api/v1/sheets/{sheet.pk}/lock/", {})

    assert response.status_code == 403
    assert response.json()["code"] == "not_chief_judge"
    assert Sheet.objects.get(pk=sheet.pk).state == Sheet.State.DRAFT


def test_sheet_lock_twice_is_409(panel):
    sheet = SheetFactory(entry=panel.entries[0], judge=panel.judges[0], state=Sheet.State.LOCKED)

    response = client_for(panel.chief).post(f"/api/v1/sheets/{sheet.pk}/lock/", {})

    assert response.status_code == 409
    assert response.json()["code"] == "sheet_locked"


def test_sheet_unlock_needs_a_reason(panel):
    sheet = SheetFactory(entry=panel.entries[0], judge=panel.judges[0], state=Sheet.State.LOCKED)

    response = client_for(panel.chief).post(f"/api/v1/sheets/{sheet.pk}/unlock/", {"reason": "  "})

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("reason_required", "reason")
    assert Sheet.objects.get(pk=sheet.pk).state == Sheet.State.LOCKED


def test_sheet_unlock_with_reason_is_audited_and_allows_changes(panel):
    sheet = marked_sheet(panel)
    client_for(panel.chief).post(f"/api/v1/sheets/{sheet.pk}/lock/", {})

    unlocked = client_for(panel.chief).post(
        f"/api/v1/sheets/{sheet.pk}/unlock/", {"reason": "录入错误，裁判长签字更正"}
    )
    change = post_marks(
        panel.judges[0],
        panel.event,
        [{"entry": panel.entries[0].code, "criterion": "look", "value": "16", "version": 1}],
        "second",
    )

    assert unlocked.status_code == 200
    assert unlocked.json()["state"] == "submitted"
    audit = SheetAudit.objects.filter(sheet=sheet).order_by("id").last()
    assert (audit.action, audit.from_state, audit.to_state, audit.reason, audit.actor) == (
        "unlock",
        "locked",
        "submitted",
        "录入错误，裁判长签字更正",
        panel.chief,
    )
    assert change.status_code == 200
    assert Mark.objects.get().value == Decimal("16")


def test_sheet_unlock_by_a_judge_is_403(panel):
    sheet = SheetFactory(entry=panel.entries[0], judge=panel.judges[0], state=Sheet.State.LOCKED)

    response = client_for(panel.judges[0]).post(f"/api/v1/sheets/{sheet.pk}/unlock/", {"reason": "想改分"})

    assert response.status_code == 403
    assert response.json()["code"] == "not_chief_judge"


def test_sheet_publish_needs_a_locked_sheet(panel):
    sheet = marked_sheet(panel)

    refused = client_for(panel.chief).post(f"/api/v1/sheets/{sheet.pk}/publish/")
    client_for(panel.chief).post(f"/api/v1/sheets/{sheet.pk}/lock/", {})
    published = client_for(panel.chief).post(f"/api/v1/sheets/{sheet.pk}/publish/")

    assert (refused.status_code, refused.json()["code"]) == (409, "sheet_not_locked")
    assert (published.status_code, published.json()["state"]) == (200, "published")
    assert list(SheetAudit.objects.filter(sheet=sheet).order_by("id").values_list("action", flat=True)) == [
        "lock",
        "publish",
    ]


def test_sheet_list_judge_sees_own_chief_sees_all(panel):
    marked_sheet(panel)
    post_marks(panel.judges[1], panel.event, [{"entry": panel.entries[0].code, "criterion": "look", "value": "9"}], "x")

    own = client_for(panel.judges[0]).get(f"/api/v1/events/{panel.event.pk}/sheets/").json()["results"]
    every = client_for(panel.chief).get(f"/api/v1/events/{panel.event.pk}/sheets/").json()["results"]

    assert [s["judge"] for s in own] == [panel.judges[0].pk]
    assert sorted(s["judge"] for s in every) == sorted([panel.judges[0].pk, panel.judges[1].pk])


# --- appeals -----------------------------------------------------------------------------------------


def test_appeal_file_and_linked_mark_change(panel):
    marked_sheet(panel)
    filed = client_for(panel.chief).post(
        f"/api/v1/events/{panel.event.pk}/appeals/", {"entry": panel.entries[0].pk, "reason": "观感分计算有误"}
    )
    appeal_id = filed.json()["id"]

    change = post_marks(
        panel.judges[0],
        panel.event,
        [{"entry": panel.entries[0].code, "criterion": "look", "value": "17", "version": 1}],
        "appeal-fix",
        appeal=appeal_id,
        reason="申诉复核",
    )

    assert (filed.status_code, filed.json()["status"]) == (201, "open")
    assert change.status_code == 200
    linked = MarkHistory.objects.filter(appeal_id=appeal_id)
    assert list(linked.values_list("old_value", "new_value", "reason")) == [(Decimal("15"), Decimal("17"), "申诉复核")]


def test_appeal_decide_by_organiser_closes_it(panel):
    appeal = AppealFactory(entry=panel.entries[0], filed_by=panel.chief)

    response = client_for(panel.organiser).post(
        f"/api/v1/appeals/{appeal.pk}/decide/", {"status": "dismissed", "decision": "经复核，原评分无误。"}
    )

    assert response.status_code == 200
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decided_by, appeal.decision) == ("dismissed", panel.organiser, "经复核，原评分无误。")


def test_appeal_decide_by_chief_judge_is_403(panel):
    appeal = AppealFactory(entry=panel.entries[0], filed_by=panel.chief)

    response = client_for(panel.chief).post(
        f"/api/v1/appeals/{appeal.pk}/decide/", {"status": "upheld", "decision": "成立"}
    )

    assert (response.status_code, response.json()["code"]) == (403, "not_arbitrator")


def test_appeal_decided_twice_is_409(panel):
    appeal = AppealFactory(entry=panel.entries[0], filed_by=panel.chief, status=Appeal.Status.UPHELD)

    response = client_for(panel.organiser).post(
        f"/api/v1/appeals/{appeal.pk}/decide/", {"status": "dismissed", "decision": "再议"}
    )

    assert (response.status_code, response.json()["code"]) == (409, "appeal_not_open")


def test_appeal_closed_cannot_carry_mark_changes(panel):
    marked_sheet(panel)
    appeal = AppealFactory(entry=panel.entries[0], filed_by=panel.chief, status=Appeal.Status.DISMISSED)

    response = post_marks(
        panel.judges[0],
        panel.event,
        [{"entry": panel.entries[0].code, "criterion": "look", "value": "17", "version": 1}],
        "late",
        appeal=appeal.pk,
    )

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        409,
        "appeal_not_open",
        "appeal",
    )


def test_appeal_filed_by_a_judge_is_403(panel):
    response = client_for(panel.judges[0]).post(
        f"/api/v1/events/{panel.event.pk}/appeals/", {"entry": panel.entries[0].pk, "reason": "不服"}
    )

    assert (response.status_code, response.json()["code"]) == (403, "not_chief_judge")


# --- schemes -----------------------------------------------------------------------------------------

DISH = {
    "criteria": [
        {"code": "look", "title": "观感", "kind": "judgement", "max_value": "20", "step": "0.5"},
        {"code": "taste", "title": "味感", "kind": "judgement", "max_value": "40", "step": "0.5"},
    ]
}


def test_scheme_create_with_nested_criteria(panel):
    panel.scheme.delete()

    response = client_for(panel.organiser).post("/api/v1/schemes/", {"event": panel.event.pk, **DISH}, format="json")

    assert response.status_code == 201
    assert [c["code"] for c in response.json()["criteria"]] == ["look", "taste"]
    assert list(Criterion.objects.filter(scheme__event=panel.event).values_list("max_value", flat=True)) == [
        Decimal("20"),
        Decimal("40"),
    ]


def test_scheme_create_by_a_judge_is_403(panel):
    panel.scheme.delete()

    response = client_for(panel.chief).post("/api/v1/schemes/", {"event": panel.event.pk, **DISH}, format="json")

    assert (response.status_code, response.json()["code"]) == (403, "not_organiser")


def test_scheme_invalid_step_is_400_with_field(panel):
    panel.scheme.delete()
    bad = {"criteria": [{"code": "look", "title": "观感", "kind": "judgement", "max_value": "20", "step": "3"}]}

    response = client_for(panel.organiser).post("/api/v1/schemes/", {"event": panel.event.pk, **bad}, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("step_not_divisor", "criteria[0].step")
    assert MarkingScheme.objects.filter(event=panel.event).count() == 0


def test_scheme_validate_reports_weights(panel):
    body = {"event": panel.event.pk, "theory_weight": "0.5", "practical_weight": "0.5", **DISH}

    response = client_for(panel.organiser).post("/api/v1/schemes/validate/", body, format="json")

    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["theory_weight"]


def test_scheme_validate_accepts_a_sound_scheme(panel):
    response = client_for(panel.organiser).post(
        "/api/v1/schemes/validate/", {"event": panel.event.pk, **DISH}, format="json"
    )

    assert (response.status_code, response.json()) == (200, {"valid": True})


def test_scheme_change_after_marks_is_409(panel):
    marked_sheet(panel)

    response = client_for(panel.organiser).patch(f"/api/v1/schemes/{panel.scheme.pk}/", {"decimals": 1}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "scheme_has_marks")


def test_scheme_change_before_marks_is_allowed(panel):
    response = client_for(panel.organiser).patch(
        f"/api/v1/schemes/{panel.scheme.pk}/", {"first_count": 2}, format="json"
    )

    assert response.status_code == 200
    assert MarkingScheme.objects.get(pk=panel.scheme.pk).first_count == 2


def test_scheme_revise_after_marks_keeps_an_audited_snapshot(panel):
    marked_sheet(panel)

    response = client_for(panel.organiser).post(
        f"/api/v1/schemes/{panel.scheme.pk}/revise/",
        {"reason": "按仲裁组决定调整名额", "first_count": 2},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["revision"] == 2
    revision = SchemeRevision.objects.get(scheme=panel.scheme)
    assert (revision.revision, revision.reason, revision.revised_by) == (1, "按仲裁组决定调整名额", panel.organiser)
    assert (revision.snapshot["first_count"], [c["code"] for c in revision.snapshot["criteria"]]) == (
        1,
        ["look", "taste"],
    )


def test_scheme_revise_without_reason_is_400(panel):
    response = client_for(panel.organiser).post(
        f"/api/v1/schemes/{panel.scheme.pk}/revise/", {"first_count": 2}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["reason"]


def test_scheme_revise_cannot_drop_a_marked_criterion(panel):
    marked_sheet(panel)
    only_taste = {"criteria": [DISH["criteria"][1]], "reason": "删去观感"}

    response = client_for(panel.organiser).post(f"/api/v1/schemes/{panel.scheme.pk}/revise/", only_taste, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "criterion_has_marks")
    assert SchemeRevision.objects.count() == 0


def test_scheme_admin_is_read_only_once_marks_exist(panel, admin_client):
    before = admin_client.get(f"/admin/scoring/markingscheme/{panel.scheme.pk}/change/")
    marked_sheet(panel)
    after = admin_client.get(f"/admin/scoring/markingscheme/{panel.scheme.pk}/change/")

    assert (before.status_code, after.status_code) == (200, 200)
    assert (before.context["has_change_permission"], after.context["has_change_permission"]) == (True, False)


def test_mark_history_admin_refuses_changes(panel, admin_client):
    marked_sheet(panel)
    row = MarkHistory.objects.get()

    response = admin_client.post(f"/admin/scoring/markhistory/{row.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert MarkHistory.objects.filter(pk=row.pk).count() == 1


def test_appeal_list_for_chief_judge(panel):
    appeal = AppealFactory(entry=panel.entries[0], filed_by=panel.chief)

    response = client_for(panel.chief).get(f"/api/v1/events/{panel.event.pk}/appeals/")

    assert [(a["id"], a["status"]) for a in response.json()] == [(appeal.pk, "open")]


def test_scheme_delete_before_marks_and_refused_after(panel):
    other = judged_event_factory(competition=panel.competition)
    marked_sheet(panel)

    refused = client_for(panel.organiser).delete(f"/api/v1/schemes/{panel.scheme.pk}/")
    deleted = client_for(panel.organiser).delete(f"/api/v1/schemes/{other.scheme.pk}/")

    assert (refused.status_code, refused.json()["code"]) == (409, "scheme_has_marks")
    assert deleted.status_code == 204
    assert sorted(MarkingScheme.objects.values_list("pk", flat=True)) == [panel.scheme.pk]


# --- corrections by the chief judge --------------------------------------------------------------------


def test_chief_judge_corrects_a_judges_mark_and_signs_the_history(panel):
    marked_sheet(panel)
    correction = {"entry": panel.entries[0].code, "criterion": "look", "value": "14", "version": 1}

    response = post_marks(
        panel.chief, panel.event, [correction], "fix", judge=panel.judges[0].pk, reason="录入错误，裁判长更正"
    )

    assert response.status_code == 200
    latest = MarkHistory.objects.order_by("-id").first()
    assert (latest.mark.judge, latest.actor, latest.new_value, latest.reason) == (
        panel.judges[0],
        panel.chief,
        Decimal("14"),
        "录入错误，裁判长更正",
    )


def test_chief_judge_of_the_entrys_unit_cannot_correct_its_mark(panel):
    marked_sheet(panel)
    chief_assignment = panel.chief.assignments.get(event=panel.event)
    chief_assignment.organisation = panel.entries[0].contestant.organisation
    chief_assignment.save()
    correction = {"entry": panel.entries[0].code, "criterion": "look", "value": "14", "version": 1}

    response = post_marks(panel.chief, panel.event, [correction], "fix", judge=panel.judges[0].pk, reason="更正")

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        403,
        "conflict_of_interest",
        "marks[0].entry",
    )
    assert Mark.objects.get().value == Decimal("15")


def test_correction_without_reason_is_400(panel):
    marked_sheet(panel)
    correction = {"entry": panel.entries[0].code, "criterion": "look", "value": "14", "version": 1}

    response = post_marks(panel.chief, panel.event, [correction], "fix", judge=panel.judges[0].pk)

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "reason_required",
        "reason",
    )


def test_judge_cannot_write_another_judges_marks(panel):
    marked_sheet(panel)
    correction = {"entry": panel.entries[0].code, "criterion": "look", "value": "1", "version": 1}

    response = post_marks(panel.judges[1], panel.event, [correction], "sneak", judge=panel.judges[0].pk, reason="x")

    assert (response.status_code, response.json()["code"]) == (403, "not_chief_judge")
    assert Mark.objects.get().value == Decimal("15")
