"""The marking-scheme builder of the organiser console: ``/console/<competition>/events/<event>/scheme/``.

One page edits an event's scheme: its criteria (one card each, never a wide table), the
award rule and the tie-break. The rules are the scoring room's own: the forms parse
fields, then ``selectors.scheme_build`` and ``selectors.scheme_problems`` (what the API's
``/schemes/validate/`` runs) find every problem, and each lands on its field. Saving goes
through ``services.scheme_save``, or ``services.scheme_revise`` with a reason once marks
exist (the existing rule: a marked scheme is frozen except by an audited revision, which
bumps the standings and announces ``scheme_changed`` after commit).

"Validate as you go": ``static/js/console-scheme.js`` posts the form with ``check=1``
whenever a field changes and gets back JSON (field errors by input name, and the
standings columns the scheme would produce). Without JavaScript the "检查" button does
the same round trip as a page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from competitions import selectors as competition_selectors
from competitions.models import Event
from config.errors import DomainError, message
from scoring import selectors, services
from scoring.console_forms import CRITERION_FORM_FIELDS, CriterionFormSet, RevisionReasonForm, SchemeForm
from scoring.models import Criterion, Mark, MarkingScheme

# Problems about several scheme fields at once are shown on the first of them.
FIELD_ALIASES = {"award_counts": "first_count", "award_percents": "first_percent"}


def _event(request, pk, event_pk) -> Event:
    event = get_object_or_404(Event.objects.select_related("competition"), pk=event_pk, competition_id=pk)
    if not competition_selectors.is_organiser(request.user, event.competition):
        raise PermissionDenied
    return event


def _stored_scheme(event: Event) -> MarkingScheme | None:
    return MarkingScheme.objects.filter(event=event).prefetch_related("criteria").first()


def _initial_criteria(scheme: MarkingScheme | None) -> list[dict]:
    if scheme is None:
        return []
    return [{name: getattr(c, name) for name in CRITERION_FORM_FIELDS} for c in scheme.criteria.all()]


def standings_columns(scheme: MarkingScheme, criteria: list[Criterion]) -> list[tuple[str, str]]:
    """The columns the event's standings will show, as (heading, detail) for the preview."""
    columns = [(_("名次"), ""), (_("参赛号"), ""), (_("姓名/队名、单位"), _("解密后显示"))]
    for criterion in criteria:
        detail = _("满分 %(max)s") % {"max": _number(criterion.max_value)}
        if criterion.kind == Criterion.Kind.TIME:
            detail = _("用时，少者优先")
        elif criterion.kind == Criterion.Kind.DEDUCTION:
            detail = _("扣分，最多 %(max)s") % {"max": _number(criterion.max_value)}
        if criterion.weight not in (None, 1):
            detail += " × " + _number(criterion.weight)
        if (criterion.attempts or 1) > 1:
            detail += " · " + _("%(n)s 轮") % {"n": criterion.attempts}
        columns.append((criterion.display_title or criterion.code, detail))
    if scheme.theory_weight:
        columns.append((_("理论"), "× " + _number(scheme.theory_weight)))
        columns.append((_("实操"), "× " + _number(scheme.practical_weight)))
    total = _("保留 %(n)s 位小数") % {"n": scheme.decimals} if scheme.decimals is not None else ""
    columns.append((_("总分"), total))
    if scheme.award_mode == MarkingScheme.AwardMode.PERCENT:
        awards = _("一等 %(a)s%%、二等 %(b)s%%、三等 %(c)s%%") % {
            "a": _number(scheme.first_percent),
            "b": _number(scheme.second_percent),
            "c": _number(scheme.third_percent),
        }
    else:
        awards = _("一等 %(a)s 名、二等 %(b)s 名、三等 %(c)s 名") % {
            "a": scheme.first_count,
            "b": scheme.second_count,
            "c": scheme.third_count,
        }
    columns.append((_("奖项"), awards))
    return columns


def _number(value) -> str:
    return "" if value is None else services.decimal_text(value) or ""


class _Builder:
    """The forms of one request, the data they give, and where each problem goes."""

    def __init__(self, event: Event, stored: MarkingScheme | None, data=None):
        self.event = event
        self.stored = stored
        self.scheme_form = SchemeForm(data, instance=MarkingScheme(event=event) if stored is None else stored)
        self.criteria_forms = CriterionFormSet(data, initial=_initial_criteria(stored) or None, prefix="criteria")
        self.reason_form = RevisionReasonForm(data)
        self.positions: list[int] = []  # criteria[i] of the data comes from criteria_forms.forms[positions[i]]
        self.scheme = None
        self.criteria: list[Criterion] = []

    def data(self) -> dict | None:
        forms_valid = all([self.scheme_form.is_valid(), self.criteria_forms.is_valid(), self.reason_form.is_valid()])
        if not forms_valid:
            return None
        criteria = []
        for index, form in enumerate(self.criteria_forms.forms):
            cleaned = getattr(form, "cleaned_data", None)
            if not cleaned or cleaned.get("DELETE") or (not form.has_changed() and form.empty_permitted):
                continue
            criteria.append({name: cleaned[name] for name in CRITERION_FORM_FIELDS})
            self.positions.append(index)
        return {**{name: self.scheme_form.cleaned_data[name] for name in SchemeForm.Meta.fields}, "criteria": criteria}

    def check(self, data: dict) -> bool:
        """Apply the scoring rules in memory; True if the scheme is valid (nothing is saved)."""
        base = _stored_scheme(self.event) or MarkingScheme(event=self.event)
        self.scheme, self.criteria = selectors.scheme_build(data, base)
        problems = selectors.scheme_problems(self.scheme, self.criteria)
        for problem in problems:
            self.add_error(problem.field, str(message(problem.code)))
        return not problems

    def add_error(self, field: str | None, text: str) -> None:
        if field and field.startswith("criteria[") and "]." in field:
            index, name = field[len("criteria[") :].split("].", 1)
            form = self.criteria_forms.forms[self.positions[int(index)]]
            form.add_error(name if name in form.fields else None, text)
            return
        field = FIELD_ALIASES.get(field, field)
        self.scheme_form.add_error(field if field in self.scheme_form.fields else None, text)

    def errors_by_input(self) -> dict[str, list[str]]:
        errors = {}
        for form in [self.scheme_form, self.reason_form, *self.criteria_forms.forms]:
            for name, messages_ in form.errors.items():
                key = form.add_prefix(name) if name != "__all__" else "__all__"
                errors.setdefault(key, []).extend(str(m) for m in messages_)
        errors.setdefault("__all__", []).extend(str(m) for m in self.criteria_forms.non_form_errors())
        if not errors["__all__"]:
            del errors["__all__"]
        return errors


@login_required
@require_http_methods(["GET", "POST"])
def scheme_builder(request, pk, event_pk):
    event = _event(request, pk, event_pk)
    stored = _stored_scheme(event)
    has_marks = stored is not None and Mark.objects.filter(criterion__scheme=stored).exists()
    builder = _Builder(event, stored, request.POST or None)
    status = 200
    valid = None
    if request.method == "POST":
        data = builder.data()
        valid = data is not None and builder.check(data)
        if request.POST.get("check"):
            if request.headers.get("Accept", "").startswith("application/json"):
                return _check_response(builder, valid)
        elif valid:
            try:
                if has_marks:
                    services.scheme_revise(
                        user=request.user, scheme=stored, data=data, reason=builder.reason_form.cleaned_data["reason"]
                    )
                else:
                    services.scheme_save(user=request.user, event=event, data=data)
            except DomainError as exc:
                builder.add_error("reason" if exc.field == "reason" else exc.field, str(exc.message))
                if exc.field == "reason":
                    builder.reason_form.add_error("reason", str(exc.message))
                status = exc.status
                valid = False
            else:
                messages.success(request, _("评分方案已保存。"))
                return redirect("console-scheme", pk=pk, event_pk=event.pk)
        if not valid and status == 200:
            status = 400
    if builder.scheme is None and stored is not None:
        builder.scheme, builder.criteria = stored, list(stored.criteria.all())
    context = {
        "tab": "scheme",
        "competition": event.competition,
        "event": event,
        "builder": builder,
        "stored": stored,
        "has_marks": has_marks,
        "valid": valid,
        "columns": standings_columns(builder.scheme, builder.criteria) if builder.scheme is not None else [],
    }
    return render(request, "scoring/console/scheme.html", context, status=status)


def _check_response(builder: _Builder, valid: bool) -> JsonResponse:
    columns = standings_columns(builder.scheme, builder.criteria) if builder.scheme is not None else []
    return JsonResponse(
        {
            "valid": bool(valid),
            "errors": builder.errors_by_input(),
            "columns": [{"title": str(title), "detail": str(detail)} for title, detail in columns],
        },
        status=200 if valid else 400,
    )
