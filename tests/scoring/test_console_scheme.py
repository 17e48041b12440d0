"""The console's marking-scheme builder: field errors from the scoring rules, save, revise, live check."""

import json
from decimal import Decimal

import pytest

from scoring.models import MarkingScheme, SchemeRevision
from tests.factories import (
    CompetitionFactory,
    CriterionFactory,
    EventFactory,
    JudgeAssignmentFactory,
    MarkFactory,
    MarkingSchemeFactory,
)
from tests.helpers import organiser_of

pytestmark = pytest.mark.django_db

SCHEME = {
    "award_mode": "counts",
    "first_count": "1",
    "second_count": "2",
    "third_count": "3",
    "first_percent": "10",
    "second_percent": "20",
    "third_percent": "30",
    "percent_rounding": "round_half_up",
    "ranking": "score_desc",
    "tie_break": "shared",
    "rank_style": "standard",
    "decimals": "2",
    "theory_weight": "0",
    "practical_weight": "1",
    "min_entrants": "0",
}


def criterion(index, **values):
    row = {
        "code": "taste",
        "title": "味感",
        "title_en": "Taste",
        "kind": "judgement",
        "part": "practical",
        "min_value": "0",
        "max_value": "40",
        "step": "0.5",
        "weight": "1",
        "aggregation": "trimmed_mean",
        "trim": "1",
        "panel_size": "5",
        "attempts": "1",
        "attempts_combine": "sum",
        "penalty_per_unit": "0",
        "time_conversion": "none",
        **values,
    }
    return {f"criteria-{index}-{name}": value for name, value in row.items()}


def payload(*criteria, **scheme):
    data = {**SCHEME, **scheme, "criteria-TOTAL_FORMS": str(len(criteria)), "criteria-INITIAL_FORMS": "0"}
    for index, values in enumerate(criteria):
        data.update(criterion(index, **values))
    return data


@pytest.fixture
def event():
    return EventFactory(competition=CompetitionFactory(), title="中式热菜")


@pytest.fixture
def console(client, event):
    client.force_login(organiser_of(event.competition))
    return client


def url(event):
    return f"/console/{event.competition_id}/events/{event.pk}/scheme/"


def test_scheme_builder_saves_a_new_scheme(console, event):
    data = payload({}, {"code": "look", "title": "观感", "title_en": "Appearance", "max_value": "20"})
    response = console.post(url(event), data)
    assert response.status_code == 302
    scheme = MarkingScheme.objects.get(event=event)
    assert [(c.code, c.max_value, c.trim) for c in scheme.criteria.all()] == [
        ("taste", Decimal("40.000"), 1),
        ("look", Decimal("20.000"), 1),
    ]


def test_scheme_builder_puts_rule_errors_on_their_fields(console, event):
    data = payload({"trim": "2", "panel_size": "3", "step": "0.7"}, theory_weight="0.5", practical_weight="0.6")
    response = console.post(url(event), data)
    assert response.status_code == 400
    builder = response.context["builder"]
    assert sorted(builder.criteria_forms.forms[0].errors) == ["panel_size", "step"]
    assert sorted(builder.scheme_form.errors) == ["practical_weight", "theory_weight"]
    assert not MarkingScheme.objects.filter(event=event).exists()


def test_scheme_builder_bad_input_is_a_field_error_not_a_500(console, event):
    data = payload({"max_value": "abc", "kind": "nonsense", "code": "bad code"}, first_count="-1", decimals="x")
    response = console.post(url(event), data)
    assert response.status_code == 400
    builder = response.context["builder"]
    assert sorted(builder.criteria_forms.forms[0].errors) == ["code", "kind", "max_value"]
    assert sorted(builder.scheme_form.errors) == ["decimals", "first_count"]


def test_scheme_builder_refuses_duplicate_codes(console, event):
    response = console.post(url(event), payload({}, {}))
    assert response.status_code == 400
    assert response.context["builder"].criteria_forms.forms[1].errors["code"] == ["评分项代号不能重复。"]


def test_scheme_builder_empty_scheme_is_refused(console, event):
    response = console.post(url(event), payload())
    assert response.status_code == 400
    assert response.context["builder"].scheme_form.non_field_errors() == ["评分方案至少需要一个评分项。"]


def test_scheme_builder_check_returns_json_errors_and_columns(console, event):
    data = payload({"max_value": "0"}, check="1")
    response = console.post(url(event), data, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["valid"] is False
    assert body["errors"] == {
        "criteria-0-max_value": ["满分必须大于0。"],
        "criteria-0-min_value": ["最低分必须小于满分。"],
    }
    response = console.post(url(event), payload({}, check="1"), HTTP_ACCEPT="application/json")
    body = json.loads(response.content)
    assert (response.status_code, body["valid"], body["errors"]) == (200, True, {})
    assert [c["title"] for c in body["columns"]] == ["名次", "参赛号", "姓名/队名、单位", "味感", "总分", "奖项"]
    assert not MarkingScheme.objects.filter(event=event).exists()


def test_scheme_builder_preview_shows_theory_and_percent_awards(console, event):
    data = payload(
        {
            "code": "theory",
            "title": "理论",
            "kind": "measurement",
            "part": "theory",
            "aggregation": "single",
            "trim": "0",
            "panel_size": "",
            "max_value": "100",
            "step": "",
        },
        {"code": "practice", "title": "实操", "max_value": "100", "step": ""},
        theory_weight="0.3",
        practical_weight="0.7",
        award_mode="percent",
        check="1",
    )
    response = console.post(url(event), data, HTTP_ACCEPT="application/json")
    body = json.loads(response.content)
    assert body["errors"] == {}
    assert body["columns"][-1] == {"title": "奖项", "detail": "一等 10%、二等 20%、三等 30%"}


def test_scheme_builder_after_marks_needs_a_reason_and_revises(console, event):
    scheme = MarkingSchemeFactory(event=event)
    taste = CriterionFactory(scheme=scheme, code="taste", max_value=Decimal("40"), step=Decimal("0.5"))
    MarkFactory(entry__event=event, criterion=taste)
    data = payload({"max_value": "50"})
    data["criteria-INITIAL_FORMS"] = "1"
    page = console.get(url(event))
    assert "本项目已有评分" in page.content.decode()
    response = console.post(url(event), data)
    assert response.status_code == 400
    assert list(response.context["builder"].reason_form.errors) == ["reason"]
    data["reason"] = "裁判长会议决定满分改为50"
    response = console.post(url(event), data)
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert (scheme.revision, scheme.criteria.get().max_value) == (2, Decimal("50.000"))
    assert SchemeRevision.objects.get(scheme=scheme).reason == "裁判长会议决定满分改为50"


def test_scheme_builder_cannot_remove_a_marked_criterion(console, event):
    scheme = MarkingSchemeFactory(event=event)
    taste = CriterionFactory(scheme=scheme, code="taste", max_value=Decimal("40"), step=Decimal("0.5"))
    MarkFactory(entry__event=event, criterion=taste)
    data = payload({"code": "look"}, reason="调整")
    response = console.post(url(event), data)
    assert response.status_code == 409
    assert response.context["builder"].scheme_form.non_field_errors() == ["已有评分的评分项不能删除。"]
    assert list(scheme.criteria.values_list("code", flat=True)) == ["taste"]


def test_scheme_builder_refuses_judges_and_other_organisers(client, event):
    client.force_login(JudgeAssignmentFactory(competition=event.competition, role="chief_judge").user)
    assert client.get(url(event)).status_code == 403
    assert client.post(url(event), payload({})).status_code == 403
    client.force_login(organiser_of(CompetitionFactory()))
    assert client.post(url(event), payload({}, check="1"), HTTP_ACCEPT="application/json").status_code == 403
    assert not MarkingScheme.objects.filter(event=event).exists()


def test_scheme_builder_time_criterion_with_linear_band(console, event):
    timed = {
        "code": "lap",
        "title": "计时飞行",
        "kind": "time",
        "aggregation": "single",
        "trim": "0",
        "panel_size": "",
        "step": "",
        "max_value": "600",
        "time_conversion": "linear_band",
        "time_points": "50",
        "par_time": "300",
        "limit_time": "200",
    }
    response = console.post(url(event), payload(timed, check="1"), HTTP_ACCEPT="application/json")
    body = json.loads(response.content)
    assert (response.status_code, body["errors"]) == (
        400,
        {"criteria-0-par_time": ["线性折算需要标准用时和限时，且标准用时小于限时。"]},
    )
    timed["limit_time"] = "600"
    assert console.post(url(event), payload(timed)).status_code == 302
    lap = MarkingScheme.objects.get(event=event).criteria.get()
    assert (lap.time_conversion, lap.par_time, lap.limit_time) == (
        "linear_band",
        Decimal("300.000"),
        Decimal("600.000"),
    )
