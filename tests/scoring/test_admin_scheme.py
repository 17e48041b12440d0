"""The admin's scheme form applies the same pure rules as the API."""

from decimal import Decimal

import pytest
from django.forms.models import inlineformset_factory

from scoring.admin import CriterionFormSet, CriterionInline
from scoring.models import Criterion, MarkingScheme
from tests.factories import MarkingSchemeFactory

pytestmark = pytest.mark.django_db

THEORY_AND_SKILL = [
    {
        "code": "theory",
        "title": "理论",
        "kind": "measurement",
        "max_value": "100",
        "part": "theory",
        "aggregation": "single",
    },
    {"code": "skill", "title": "实操", "max_value": "100"},
]


def _formset(scheme, rows):
    formset_class = inlineformset_factory(
        MarkingScheme, Criterion, formset=CriterionFormSet, fields=CriterionInline.fields, extra=0
    )
    data = {
        "criteria-TOTAL_FORMS": str(len(rows)),
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    base = {
        "position": "1",
        "kind": "judgement",
        "min_value": "0",
        "weight": "1",
        "step": "0.5",
        "aggregation": "mean",
        "trim": "0",
        "attempts": "1",
        "attempt_multipliers": "[]",
        "attempts_combine": "sum",
        "part": "practical",
        "penalty_per_unit": "0",
    }
    for index, row in enumerate(rows):
        data |= {f"criteria-{index}-{name}": value for name, value in (base | row).items()}
    return formset_class(data, instance=scheme, prefix="criteria")


def test_admin_scheme_form_refuses_theory_over_thirty_percent():
    scheme = MarkingSchemeFactory()
    scheme.theory_weight, scheme.practical_weight = Decimal("0.5"), Decimal("0.5")

    formset = _formset(scheme, THEORY_AND_SKILL)

    assert formset.is_valid() is False
    assert [error.split(":")[0] for error in formset.non_form_errors()] == ["theory_weight"]


def test_admin_scheme_form_accepts_a_valid_scheme():
    scheme = MarkingSchemeFactory()
    scheme.theory_weight, scheme.practical_weight = Decimal("0.3"), Decimal("0.7")

    assert _formset(scheme, THEORY_AND_SKILL).is_valid() is True


def test_admin_scheme_form_refuses_a_step_that_does_not_divide_the_maximum():
    formset = _formset(MarkingSchemeFactory(), [{"code": "look", "title": "观感", "max_value": "20", "step": "3"}])

    assert formset.is_valid() is False
    assert len(formset.non_form_errors()) == 1


def test_admin_scheme_inline_uses_the_checking_formset():
    assert CriterionInline.formset is CriterionFormSet
