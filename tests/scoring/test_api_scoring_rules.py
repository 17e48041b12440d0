"""Scoring rules of real contests through the REST API (issue #11, defects 2, 3, 5, 6, 7b, 8).

- A criterion assigned to judges accepts only their marks (403 ``criterion_not_assigned``);
  progress expects only them, and the tablet shows each judge only their criteria.
- A chief judge's own marks never join a panel (403 ``not_on_panel``); corrections still work.
- A panel size keeps a row provisional until every mark is in; provisional rows rank after.
- Time criteria convert to points by the scheme's stated rule.
- Per-entry declared attempts (API and Excel), frozen once marking starts.
- Values and penalties beyond their criterion or the database column are a 400 with the field.
"""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from scoring.models import Criterion, DeclaredAttempt, Mark
from tests.factories import JudgeAssignmentFactory, QuickUserFactory, judged_event_factory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def post_marks(user, event, marks, key, **extra):
    return client_for(user).post(
        f"/api/v1/events/{event.pk}/marks/", {"marks": marks, **extra}, format="json", headers={"Idempotency-Key": key}
    )


def theory_event(judges=2):
    """A quiz marked by one assigned judge beside a panel-marked practical task."""
    judged = judged_event_factory(
        entries=1,
        judges=judges,
        criteria=[
            {
                "code": "quiz",
                "title": "理论",
                "kind": Criterion.Kind.MEASUREMENT,
                "max_value": Decimal(100),
                "aggregation": Criterion.Aggregation.SINGLE,
                "step": None,
            },
            {"code": "task", "title": "实操", "max_value": Decimal(20)},
        ],
    )
    judged.criteria[0].judges.set([judged.judges[0]])
    return judged


def test_assigned_criterion_refuses_a_judge_not_assigned_and_keeps_the_total():
    judged = theory_event()
    entry = judged.entries[0].code  # judges name entries by code (blind marking)
    first, second = judged.judges
    assert (
        post_marks(first, judged.event, [{"entry": entry, "criterion": "quiz", "value": "88.1"}], "a").status_code
        == 200
    )
    response = post_marks(second, judged.event, [{"entry": entry, "criterion": "quiz", "value": "40"}], "b")
    assert response.status_code == 403
    assert (response.json()["code"], response.json()["field"]) == ("criterion_not_assigned", "marks[0].criterion")
    assert list(Mark.objects.filter(criterion__code="quiz").values_list("judge_id", "value")) == [
        (first.pk, Decimal("88.100"))
    ]


def test_progress_expects_an_assigned_criterion_only_from_its_judges():
    judged = theory_event()
    response = client_for(judged.chief).get(f"/api/v1/events/{judged.event.pk}/progress/")
    body = response.json()
    # quiz: 1 judge; task: both panel judges.
    assert body["expected"] == 3
    cells = {(row["judge"], cell["criterion"]) for row in body["by_judge"] for cell in row["cells"]}
    first, second = judged.judges
    assert cells == {(first.pk, "quiz"), (first.pk, "task"), (second.pk, "task")}


def test_tablet_sheet_and_home_show_each_judge_only_their_criteria(client):
    judged = theory_event()
    first, second = judged.judges
    url = f"/judge/events/{judged.event.pk}/entries/{judged.entries[0].code}/"
    client.force_login(second)
    assert [c["code"] for c in client.get(url).context["data"]["criteria"]] == ["task"]
    assert [row.expected for row in client.get("/judge/").context["cards"][0].rows] == [1]
    client.force_login(first)
    assert [c["code"] for c in client.get(url).context["data"]["criteria"]] == ["quiz", "task"]
    assert [row.expected for row in client.get("/judge/").context["cards"][0].rows] == [2]


def test_scheme_api_takes_judges_panel_size_time_rule_and_provisional_rows():
    judged = judged_event_factory(entries=1, judges=2, criteria=[])
    judged.scheme.delete()
    outsider = QuickUserFactory()
    body = {
        "event": judged.event.pk,
        "provisional_rows": "hidden",
        "criteria": [
            {
                "code": "relay",
                "title": "接力",
                "kind": "time",
                "max_value": "900",
                "aggregation": "single",
                "time_conversion": "linear_band",
                "time_points": "50",
                "par_time": "300",
                "limit_time": "600",
                "judges": [judged.judges[0].pk],
                "panel_size": 1,
            },
        ],
    }
    refused = client_for(judged.organiser).post(
        "/api/v1/schemes/", {**body, "criteria": [{**body["criteria"][0], "judges": [outsider.pk]}]}, format="json"
    )
    assert (refused.status_code, refused.json()["code"], refused.json()["field"]) == (
        400,
        "criterion_judge_not_in_event",
        "criteria[0].judges",
    )
    response = client_for(judged.organiser).post("/api/v1/schemes/", body, format="json")
    assert response.status_code == 201, response.json()
    criterion = response.json()["criteria"][0]
    assert response.json()["provisional_rows"] == "hidden"
    assert {k: criterion[k] for k in ("judges", "panel_size", "time_conversion", "time_points", "par_time")} == {
        "judges": [judged.judges[0].pk],
        "panel_size": 1,
        "time_conversion": "linear_band",
        "time_points": "50.000",
        "par_time": "300.000",
    }
    bad = {**body, "criteria": [{**body["criteria"][0], "par_time": "700"}]}
    response = client_for(judged.organiser).post("/api/v1/schemes/validate/", bad, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "time_band_invalid")


def test_timed_relay_scores_points_through_the_api():
    judged = judged_event_factory(
        entries=2,
        judges=1,
        criteria=[
            {
                "code": "relay",
                "title": "接力",
                "kind": Criterion.Kind.TIME,
                "max_value": Decimal(900),
                "step": None,
                "aggregation": Criterion.Aggregation.SINGLE,
                "time_conversion": "relative_to_best",
                "time_points": Decimal(50),
            },
        ],
    )
    clock = judged.judges[0]
    fast, slow = judged.entries
    marks = [
        {"entry": fast.code, "criterion": "relay", "value": "305"},
        {"entry": slow.code, "criterion": "relay", "value": "459"},
    ]
    assert post_marks(clock, judged.event, marks, "t").status_code == 200
    rows = client_for(judged.organiser).get(f"/api/v1/events/{judged.event.pk}/standings/").json()["rows"]
    assert [(row["entry"], row["total"], row["rank"]) for row in rows] == [(fast.pk, "50.00", 1), (slow.pk, "33.22", 2)]


def test_panel_size_keeps_five_of_seven_provisional_and_ranked_after():
    judged = judged_event_factory(
        entries=2,
        judges=7,
        criteria=[
            {
                "code": "look",
                "title": "观感",
                "max_value": Decimal(10),
                "panel_size": 7,
                "aggregation": Criterion.Aggregation.TRIMMED_MEAN,
                "trim": 1,
            }
        ],
    )
    partial, full = judged.entries
    for index, judge in enumerate(judged.judges):
        marks = [{"entry": full.code, "criterion": "look", "value": "7"}]
        if index < 5:
            marks.append({"entry": partial.code, "criterion": "look", "value": "9"})
        assert post_marks(judge, judged.event, marks, f"k{index}").status_code == 200
    body = client_for(judged.organiser).get(f"/api/v1/events/{judged.event.pk}/standings/").json()
    assert [(r["entry"], r["total"], r["complete"], r["rank"], r["award"]) for r in body["rows"]] == [
        (full.pk, "7.00", True, 1, 1),
        (partial.pk, "9.00", False, 2, None),
    ]
    assert body["complete"] is False


def test_chief_own_marks_are_refused_but_corrections_of_a_judge_work():
    judged = judged_event_factory(entries=1, judges=1)
    chief, judge, event = judged.chief, judged.judges[0], judged.event
    entry = judged.entries[0].code  # judges name entries by code (blind marking)
    own = post_marks(chief, event, [{"entry": entry, "criterion": "look", "value": "15"}], "c1")
    assert (own.status_code, own.json()["code"]) == (403, "not_on_panel")
    assert post_marks(judge, event, [{"entry": entry, "criterion": "look", "value": "15"}], "j1").status_code == 200
    correction = post_marks(
        chief,
        event,
        [{"entry": entry, "criterion": "look", "value": "16", "version": 1}],
        "c2",
        judge=judge.pk,
        reason="录入错误",
    )
    assert correction.status_code == 200
    assert list(Mark.objects.values_list("judge_id", "value")) == [(judge.pk, Decimal("16.000"))]


def test_chief_assigned_to_a_criterion_may_mark_it():
    judged = judged_event_factory(entries=1, judges=1)
    judged.criteria[0].judges.set([judged.chief])
    entry = judged.entries[0].code  # judges name entries by code (blind marking)
    response = post_marks(judged.chief, judged.event, [{"entry": entry, "criterion": "look", "value": "15"}], "c")
    assert response.status_code == 200


def bounded_event():
    return judged_event_factory(
        entries=1,
        judges=1,
        criteria=[
            {"code": "look", "title": "观感", "max_value": Decimal(20)},
            {"code": "lap", "title": "计时", "kind": Criterion.Kind.TIME, "max_value": Decimal(600), "step": None},
        ],
    )


@pytest.mark.parametrize(
    ("criterion", "field", "raw", "status", "code"),
    [
        ("look", "value", 1e8, 400, "out_of_range"),
        ("look", "value", "1E+999999999", 400, "out_of_range"),
        ("look", "value", "-0", 200, None),
        ("look", "value", "NaN", 400, "not_a_number"),
        ("lap", "penalty", 1e8, 400, "penalty_out_of_range"),
        ("lap", "penalty", "1E+999999999", 400, "penalty_out_of_range"),
        ("lap", "penalty", "-0", 200, None),
        ("lap", "penalty", "NaN", 400, "not_a_number"),
        ("lap", "penalty", "0.0001", 400, "too_precise"),
    ],
)
def test_values_and_penalties_out_of_bounds_are_400_with_the_field_never_500(
    client, criterion, field, raw, status, code
):
    judged = bounded_event()
    judge, entry = judged.judges[0], judged.entries[0]
    mark = {"entry": entry.code, "criterion": criterion, "value": "12", field: raw}
    response = post_marks(judge, judged.event, [mark], "bounds")
    assert response.status_code == status, response.content
    if code:
        assert (response.json()["code"], response.json()["field"]) == (code, f"marks[0].{field}")
    else:
        stored = Mark.objects.get()
        # "-0" is stored as plain 0.
        assert (stored.value, stored.penalty) == ((0 if field == "value" else 12), 0)
        assert not stored.value.is_signed()
        assert not stored.penalty.is_signed()
    assert client_for(judge).get(f"/api/v1/events/{judged.event.pk}/marks/").status_code == 200
    client.force_login(judge)
    assert client.get(f"/judge/events/{judged.event.pk}/entries/{entry.code}/").status_code == 200


def dive_event():
    return judged_event_factory(
        entries=2,
        judges=1,
        criteria=[{"code": "dives", "title": "跳水", "max_value": Decimal(10), "attempts": 2}],
    )


def test_declared_attempts_are_saved_then_frozen_once_marking_starts():
    judged = dive_event()
    first, second = judged.entries
    url = f"/api/v1/events/{judged.event.pk}/declared-attempts/"
    organiser = client_for(judged.organiser)
    dives = [
        {"entry": first.pk, "criterion": "dives", "attempt": 1, "label": "107B", "difficulty": "3.0"},
        {"entry": first.pk, "criterion": "dives", "attempt": 2, "label": "5253B", "difficulty": "3.4"},
    ]
    response = organiser.post(url, {"attempts": dives}, format="json")
    assert response.status_code == 200, response.json()
    assert [(row["code"], row["attempt"], row["label"], row["difficulty"]) for row in response.json()] == [
        (first.code, 1, "107B", "3.000"),
        (first.code, 2, "5253B", "3.400"),
    ]
    bad = organiser.post(url, {"attempts": [{**dives[0], "difficulty": "-1"}]}, format="json")
    assert (bad.status_code, bad.json()["code"], bad.json()["field"]) == (
        400,
        "difficulty_invalid",
        "attempts[0].difficulty",
    )
    judge = judged.judges[0]
    assert (
        post_marks(judge, judged.event, [{"entry": first.code, "criterion": "dives", "value": "8"}], "m").status_code
        == 200
    )
    frozen = organiser.post(url, {"attempts": [{**dives[1], "difficulty": "3.9"}]}, format="json")
    assert (frozen.status_code, frozen.json()["code"]) == (409, "declared_attempts_frozen")
    # Another entry, not marked yet, can still declare.
    other = {**dives[0], "entry": second.pk}
    assert organiser.post(url, {"attempts": [other]}, format="json").status_code == 200
    assert client_for(judge).post(url, {"attempts": [other]}, format="json").status_code == 403
    # The declared difficulty multiplies the first entry's dive: 8 × 3.0.
    rows = client_for(judged.organiser).get(f"/api/v1/events/{judged.event.pk}/standings/").json()["rows"]
    assert rows[0]["criterion_scores"] == {"dives": "24.00"}


def xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "dives.xlsx"
    return out


def test_declared_attempts_excel_import_previews_row_errors_then_imports():
    judged = dive_event()
    first, second = judged.entries
    url = f"/api/v1/events/{judged.event.pk}/declared-attempts/import/"
    organiser = client_for(judged.organiser)
    header = ["参赛号", "轮次", "动作", "难度"]
    bad = xlsx([header, [first.code, 1, "107B", "3.0"], ["Z99", 1, "107B", "3.0"], [second.code, 3, "109C", "abc"]])
    preview = organiser.post(url + "?dry_run=1", {"file": bad}, format="multipart")
    assert preview.status_code == 200
    assert [(e["row"], e["column"], e["code"]) for e in preview.json()["errors"]] == [
        (3, "参赛号", "entry_not_in_event"),
        (4, "轮次", "attempt_out_of_range"),
    ]
    refused = organiser.post(url, {"file": xlsx([header, ["Z99", 1, "107B", "3.0"]])}, format="multipart")
    assert (refused.status_code, refused.json()["code"]) == (400, "import_has_errors")
    good = xlsx([header, [first.code, 1, "107B", 3.0], [first.code, 2, "5253B", "3.4"], [second.code, 1, "109C", 3.7]])
    response = organiser.post(url, {"file": good}, format="multipart")
    assert response.status_code == 201, response.json()
    assert sorted(DeclaredAttempt.objects.values_list("entry__code", "attempt", "label", "difficulty")) == [
        (first.code, 1, "107B", Decimal("3.000")),
        (first.code, 2, "5253B", Decimal("3.400")),
        (second.code, 1, "109C", Decimal("3.700")),
    ]
    missing = organiser.post(url, {"file": xlsx([["参赛号", "轮次"], [first.code, 1]])}, format="multipart")
    assert (missing.status_code, missing.json()["code"]) == (400, "missing_columns")


def test_judge_assignment_factory_judge_of_competition_is_on_every_panel():
    judged = judged_event_factory(entries=1, judges=0)
    wide = JudgeAssignmentFactory(competition=judged.competition, event=None, role="judge").user
    entry = judged.entries[0].code  # judges name entries by code (blind marking)
    assert (
        post_marks(wide, judged.event, [{"entry": entry, "criterion": "look", "value": "15"}], "w").status_code == 200
    )


# ---- marks from an import (measured and timed criteria assigned to one judge)


def test_marks_import_writes_the_assigned_judges_marks_audited_and_once():
    from scoring.models import MarkHistory

    judged = theory_event()
    judged_more = judged.entries[0]
    url = f"/api/v1/events/{judged.event.pk}/marks/import/"
    chief = client_for(judged.chief)
    header = ["参赛号", "评分项", "轮次", "成绩"]
    # A panel criterion cannot be imported; an unknown code and a value out of range are row errors.
    bad = xlsx(
        [header, [judged_more.code, "task", 1, "15"], ["Z99", "quiz", 1, "80"], [judged_more.code, "quiz", 1, "180"]]
    )
    preview = chief.post(url + "?dry_run=1", {"file": bad}, format="multipart")
    assert preview.status_code == 200
    assert [(e["row"], e["column"], e["code"]) for e in preview.json()["errors"]] == [
        (2, "评分项", "criterion_not_importable"),
        (3, "参赛号", "entry_not_in_event"),
        (4, "成绩", "out_of_range"),
    ]
    bad.seek(0)
    refused = chief.post(url, {"file": bad}, format="multipart")
    assert (refused.status_code, refused.json()["code"]) == (400, "import_has_errors")
    assert not Mark.objects.exists()
    # A judge cannot import, even the assigned one.
    judge = client_for(judged.judges[0]).post(
        url, {"file": xlsx([header, [judged_more.code, "quiz", 1, "88.5"]])}, format="multipart"
    )
    assert judge.status_code == 403

    good = xlsx([header, [judged_more.code, "quiz", "", 88.5]])
    done = chief.post(url, {"file": good}, format="multipart")
    assert (done.status_code, done.json()["counts"]["written"]) == (201, 1), done.json()
    mark = Mark.objects.get(criterion__code="quiz")
    assert (mark.judge_id, mark.value) == (judged.judges[0].pk, Decimal("88.500"))
    history = MarkHistory.objects.get(mark=mark)
    assert history.actor_id == judged.chief.pk
    assert "dives.xlsx" in history.reason
    # The same file again changes nothing; a corrected file overwrites the stored mark.
    good.seek(0)
    again = chief.post(url, {"file": good}, format="multipart")
    assert (again.status_code, again.json()["counts"]["written"]) == (201, 0)
    assert MarkHistory.objects.filter(mark=mark).count() == 1
    fixed = chief.post(url, {"file": xlsx([header, [judged_more.code, "quiz", 1, "90"]])}, format="multipart")
    assert fixed.status_code == 201
    assert Mark.objects.get(pk=mark.pk).value == Decimal("90.000")
    assert MarkHistory.objects.filter(mark=mark).count() == 2
    # The standings count the imported value as the assigned judge's single mark.
    standings = client_for(judged.organiser).get(f"/api/v1/events/{judged.event.pk}/standings/").json()
    assert standings["rows"][0]["criterion_scores"]["quiz"] == "90.00"


def test_marks_import_matches_theory_scores_by_id_number():
    judged = theory_event()
    entry = judged.entries[0]
    url = f"/api/v1/events/{judged.event.pk}/marks/import/"
    header = ["身份证号", "评分项", "成绩"]
    unknown = client_for(judged.chief).post(
        url + "?dry_run=1", {"file": xlsx([header, ["110101199003070000", "quiz", "70"]])}, format="multipart"
    )
    assert [(e["column"], e["code"]) for e in unknown.json()["errors"]] == [("身份证号", "entry_not_in_event")]
    done = client_for(judged.chief).post(
        url, {"file": xlsx([header, [entry.contestant.id_number.lower(), "quiz", "76.5"]])}, format="multipart"
    )
    assert done.status_code == 201, done.json()
    assert Mark.objects.get(entry=entry, criterion__code="quiz").value == Decimal("76.500")
