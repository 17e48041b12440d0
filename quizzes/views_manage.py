"""Organiser pages for online quizzes (not the Django admin): bank, import, questions, rounds, results.

Permission is ``competitions.access.require_organiser`` for every page. The bank import works
like the roster import: upload → preview (row errors) → commit; the raw rows wait in the
session between the two, and the commit checks them again inside its transaction.
"""

import contextlib
import io
import secrets

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl import Workbook

from competitions.access import require_organiser
from competitions.imports import ImportFileError
from competitions.models import Competition, Organisation
from config.api import parse_int64
from config.errors import DomainError
from quizzes import bank, selectors, services
from quizzes.models import Attempt, Question, Round, UnitHeadcount

SESSION_KEY = "quiz_bank_import:{pk}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _competition(request, pk) -> Competition:
    competition = get_object_or_404(Competition.objects.select_related("host"), pk=pk)
    try:
        require_organiser(request.user, competition)
    except DomainError as exc:
        raise PermissionDenied from exc
    return competition


def _round(request, round_id) -> Round:
    round_ = get_object_or_404(Round.objects.select_related("competition__host", "unit_root"), pk=round_id)
    _competition(request, round_.competition_id)
    return round_


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---- the bank


@login_required
def bank_page(request, pk):
    competition = _competition(request, pk)
    questions = Question.objects.filter(competition=competition, active=True).order_by("id")
    query = request.GET.get("q", "").strip()
    if query:
        questions = questions.filter(stem__contains=query)
    page = Paginator(questions, 50).get_page(request.GET.get("page"))
    context = {
        "competition": competition,
        "page": page,
        "query": query,
        "total": Question.objects.filter(competition=competition, active=True).count(),
        "rounds": competition.quiz_rounds.all(),
        "columns": bank.COLUMNS,
        "summary": request.session.pop("quiz_bank_summary", None),
    }
    return render(request, "quizzes/manage/bank.html", context)


@login_required
@require_POST
def bank_upload(request, pk):
    competition = _competition(request, pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ImportFileError(_("请选择文件。"), code="file_invalid")
        raw_rows = bank.read_bank(upload.read())
        if not raw_rows:
            raise ImportFileError(_("文件中没有数据行。"), code="no_rows")
    except ImportFileError as exc:
        return render(
            request,
            "quizzes/manage/bank_preview.html",
            {"competition": competition, "file_error": exc.message},
            status=400,
        )
    preview, _existing = bank.build_preview(competition=competition, raw_rows=raw_rows)
    token = secrets.token_urlsafe(12)
    request.session[SESSION_KEY.format(pk=pk)] = {"token": token, "rows": raw_rows}
    context = {
        "competition": competition,
        "preview": preview,
        "token": token,
        "shown": [row for row in preview.rows if row.status != "unchanged"][:200],
    }
    return render(request, "quizzes/manage/bank_preview.html", context)


@login_required
@require_POST
def bank_commit(request, pk):
    competition = _competition(request, pk)
    pending = request.session.get(SESSION_KEY.format(pk=pk))
    if not pending or pending["token"] != request.POST.get("token"):
        return redirect("quiz-manage-bank", pk=pk)
    try:
        preview = bank.questions_import(competition=competition, raw_rows=pending["rows"])
    except DomainError as exc:
        return render(
            request,
            "quizzes/manage/bank_preview.html",
            {"competition": competition, "file_error": exc.message},
            status=400,
        )
    del request.session[SESSION_KEY.format(pk=pk)]
    request.session["quiz_bank_summary"] = preview.summary
    return redirect("quiz-manage-bank", pk=pk)


@login_required
def bank_export(request, pk):
    competition = _competition(request, pk)
    return _xlsx(bank.bank_xlsx(competition), f"question-bank-{competition.slug}.xlsx")


class QuestionForm(forms.ModelForm):
    options_text = forms.CharField(
        label=gettext_lazy("选项（每行一个，最多6个）"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )

    class Meta:
        model = Question
        fields = ["kind", "stem", "answer", "category", "difficulty", "points", "explanation", "active"]
        widgets = {"stem": forms.Textarea(attrs={"rows": 3}), "explanation": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["options_text"].initial = "\n".join(self.instance.options or [])

    def clean(self):
        cleaned = super().clean()
        options = [line.strip() for line in cleaned.get("options_text", "").splitlines() if line.strip()]
        values = {
            "kind": bank.KIND_LABELS.get(cleaned.get("kind"), ""),
            "stem": cleaned.get("stem", ""),
            "answer": cleaned.get("answer", ""),
            "category": cleaned.get("category", ""),
            "difficulty": bank.DIFFICULTY_LABELS.get(cleaned.get("difficulty"), ""),
            "points": str(cleaned.get("points") or ""),
            "explanation": cleaned.get("explanation", ""),
        }
        for key, option in zip(bank.OPTION_KEYS, options, strict=False):
            values[key] = option
        # The same rules as the import, so a question edited here could have come from a file.
        row = bank.RowPreview(0, values)
        bank.check_row(row)
        for item in row.errors:
            field = {"option_a": "options_text"}.get(item["field"], item["field"])
            self.add_error(field if field in self.fields else None, item["message"].split("：", 1)[-1])
        self.checked = row.fields
        if len(options) > len(bank.OPTION_KEYS):
            self.add_error("options_text", _("最多6个选项。"))
        return cleaned


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, pk, question_id=None):
    competition = _competition(request, pk)
    question = (
        get_object_or_404(Question, pk=question_id, competition=competition)
        if question_id
        else Question(competition=competition)
    )
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.checked, active=form.cleaned_data["active"])
        try:
            with transaction.atomic():
                bank.question_save(question=question, fields=fields)
        except IntegrityError:
            form.add_error("stem", _("题库中已有相同题干的试题。"))
        else:
            return redirect("quiz-manage-bank", pk=pk)
    return render(request, "quizzes/manage/question_form.html", {"competition": competition, "form": form})


# ---- rounds


class RoundForm(forms.ModelForm):
    rules_text = forms.CharField(
        label=gettext_lazy("抽题规则（每行：分类, 难度 1–3 或留空, 数量）"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("例如：安全生产, 2, 5 — 分类留空表示任何分类。"),
    )

    class Meta:
        model = Round
        fields = [
            "title",
            "opens_at",
            "closes_at",
            "time_limit_seconds",
            "attempts_per_day",
            "attempts_total",
            "counting",
            "show_answers",
            "eligibility",
            "unit_root",
            "min_seconds_per_question",
            "certificate_min_score",
            "certificate_title",
        ]
        widgets = {
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rules_text"].initial = "\n".join(
            f"{rule.get('category', '')}, {rule.get('difficulty') or ''}, {rule.get('count', 0)}"
            for rule in self.instance.draw_rules or []
        )

    def clean_rules_text(self):
        rules = []
        for number, line in enumerate(self.cleaned_data["rules_text"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.replace("，", ",").split(",")]
            count = parse_int64(parts[2]) if len(parts) == 3 else None
            if count is None or not 0 <= count <= 10_000 or parts[1] not in ("", "1", "2", "3"):
                raise forms.ValidationError(_("第%(line)s行格式应为：分类, 难度, 数量") % {"line": number})
            rules.append({"category": parts[0], "difficulty": int(parts[1]) if parts[1] else None, "count": count})
        if not rules or not sum(rule["count"] for rule in rules):
            raise forms.ValidationError(_("至少抽取一道题。"))
        return rules

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("opens_at") and cleaned.get("closes_at") and cleaned["closes_at"] <= cleaned["opens_at"]:
            self.add_error("closes_at", _("结束时间必须晚于开始时间。"))
        return cleaned


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request, pk, round_id=None):
    competition = _competition(request, pk)
    round_ = (
        get_object_or_404(Round, pk=round_id, competition=competition) if round_id else Round(competition=competition)
    )
    form = RoundForm(request.POST or None, instance=round_)
    if request.method == "POST" and form.is_valid():
        round_ = form.save(commit=False)
        round_.draw_rules = form.cleaned_data["rules_text"]
        round_.save()
        return redirect("quiz-manage-results", round_id=round_.pk)
    return render(request, "quizzes/manage/round_form.html", {"competition": competition, "form": form})


# ---- results, dashboard, prize draws, headcounts


@login_required
def round_results(request, round_id):
    round_ = _round(request, round_id)
    context = {
        "round": round_,
        "competition": round_.competition,
        "ranking": selectors.ranking(round_, limit=100),
        "units": selectors.unit_participation(round_),
        "flagged": Attempt.objects.filter(round=round_, flagged=True)
        .select_related("participant", "participant__unit")
        .order_by("-finished_at")[:50],
        "draws": round_.prize_draws.all(),
        "draw_error": request.session.pop("quiz_draw_error", None),
    }
    return render(request, "quizzes/manage/results.html", context)


@login_required
def round_dashboard(request, round_id):
    round_ = _round(request, round_id)
    return render(request, "quizzes/manage/dashboard.html", {"round": round_, "competition": round_.competition})


@login_required
@require_POST
def prize_draw(request, round_id):
    round_ = _round(request, round_id)
    try:
        min_score, winners = int(request.POST.get("min_score", "")), int(request.POST.get("winners", ""))
        draw = services.prize_draw_create(
            round_=round_,
            title=request.POST.get("title", "").strip() or _("幸运奖抽奖"),
            min_score=min_score,
            winners=winners,
            user=request.user,
        )
    except ValueError:
        request.session["quiz_draw_error"] = _("请填写最低分数和中奖人数。")
    except DomainError as exc:
        request.session["quiz_draw_error"] = str(exc.message)
    else:
        return redirect("quiz-draw-replay", pk=draw.pk)
    return redirect("quiz-manage-results", round_id=round_id)


@login_required
@require_POST
def attempt_review(request, attempt_id):
    attempt = get_object_or_404(Attempt.objects.select_related("round"), pk=attempt_id)
    _competition(request, attempt.round.competition_id)
    with contextlib.suppress(DomainError):  # already reviewed: the page shows the current state
        services.attempt_review(attempt=attempt, user=request.user, accept=request.POST.get("accept") == "1")
    return redirect("quiz-manage-results", round_id=attempt.round_id)


@login_required
def results_xlsx(request, round_id):
    round_ = _round(request, round_id)
    workbook = Workbook(write_only=True)
    people = workbook.create_sheet(_("个人排名"))
    people.append([_("名次"), _("姓名"), _("单位"), _("得分"), _("用时（秒）"), _("答题次数")])
    offset = 0
    while True:
        rows = selectors.ranking(round_, offset=offset, limit=5000)
        for row in rows:
            people.append([row["rank"], row["name"], row["unit"], row["score"], row["seconds"], row["attempts"]])
        if len(rows) < 5000:
            break
        offset += 5000
    units = workbook.create_sheet(_("单位参与率"))
    units.append([_("单位"), _("层级"), _("参与人数"), _("职工人数"), _("参与率"), _("平均分")])
    for row in selectors.unit_participation(round_):
        units.append([row.name, row.depth, row.participants, row.headcount or None, row.rate, row.average])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _xlsx(buffer.getvalue(), f"quiz-results-{round_.pk}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def headcounts(request, pk):
    competition = _competition(request, pk)
    probe = Round(competition=competition)
    tree_ids = selectors.unit_ids_in_tree(probe)
    units = Organisation.objects.filter(pk__in=tree_ids).order_by("name")
    current = dict(UnitHeadcount.objects.filter(organisation__in=units).values_list("organisation_id", "headcount"))
    if request.method == "POST":
        for unit in units:
            value = request.POST.get(f"unit-{unit.pk}", "").strip()
            headcount = parse_int64(value)
            if headcount is not None and 0 <= headcount <= 10_000_000 and current.get(unit.pk) != headcount:
                services.headcount_set(organisation=unit, headcount=headcount)
            elif not value and unit.pk in current:
                services.headcount_set(organisation=unit, headcount=None)
        return redirect("quiz-manage-headcounts", pk=pk)
    rows = [{"unit": unit, "headcount": current.get(unit.pk, "")} for unit in units]
    return render(request, "quizzes/manage/headcounts.html", {"competition": competition, "rows": rows})
