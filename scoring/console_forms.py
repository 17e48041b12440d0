"""Forms of the marking-scheme builder (``scoring.views_console``).

They only shape input: each field's label, range and validators come from the models,
and the rules that join fields (weights add up, a trimmed panel is big enough, the award
rule fits) are ``scoring.selectors.scheme_problems``, the same rules the API applies.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from config.text import validate_line
from scoring.models import Criterion, MarkingScheme

SCHEME_FORM_FIELDS = [
    "award_mode",
    "first_count",
    "second_count",
    "third_count",
    "first_percent",
    "second_percent",
    "third_percent",
    "percent_rounding",
    "ranking",
    "tie_break",
    "rank_style",
    "decimals",
    "theory_weight",
    "practical_weight",
    "min_entrants",
]
CRITERION_FORM_FIELDS = [
    "code",
    "title",
    "title_en",
    "kind",
    "part",
    "min_value",
    "max_value",
    "step",
    "weight",
    "aggregation",
    "trim",
    "panel_size",
    "attempts",
    "attempts_combine",
    "penalty_per_unit",
    "time_conversion",
    "time_points",
    "par_time",
    "limit_time",
]


class SchemeForm(forms.ModelForm):
    class Meta:
        model = MarkingScheme
        fields = SCHEME_FORM_FIELDS


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = CRITERION_FORM_FIELDS

    def validate_unique(self):
        """Codes are unique within the scheme: the formset checks that, the scheme is not known here."""

    def validate_constraints(self):
        """The positive maximum is one of ``scheme_problems``' rules, reported there with its own message."""


class BaseCriterionFormSet(forms.BaseFormSet):
    def clean(self):
        seen = {}
        for form in self.forms:
            code = getattr(form, "cleaned_data", {}).get("code")
            if not code or form.cleaned_data.get("DELETE"):
                continue
            if code in seen:
                form.add_error("code", _("评分项代号不能重复。"))
            seen[code] = form


CriterionFormSet = forms.formset_factory(
    CriterionForm, formset=BaseCriterionFormSet, extra=1, can_delete=True, max_num=40, validate_max=True
)


class RevisionReasonForm(forms.Form):
    reason = forms.CharField(label=_("修改原因"), max_length=200, required=False, validators=[validate_line])
