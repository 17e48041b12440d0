"""The console's judge pages: ``/console/<competition>/judges/``.

An organiser creates judge accounts (``accounts.judge_account_create``: a new user with
no usable password, refused for a taken name), assigns judges to events as judge or
chief judge with the unit they come from (recusal, ``competitions.access``), removes an
assignment after a confirmation, and prints every judge's one-time login QR code as one
PDF. The codes are issued fresh for the printout (``login_codes.login_code_issue``);
only their digests are stored, so the PDF is the only copy. PDFs render in the
certificates room (``certificates.rendering.documents``).

This lives in judging, above competitions, because it needs judging's login codes.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from certificates.api import pdf_response
from certificates.rendering.documents import document_pdf
from competitions.models import JudgeAssignment
from competitions.services import judge_assignment_save, object_delete
from competitions.views_console import form_error_from, organised_competition
from config.errors import DomainError
from judging.accounts import judge_account_create
from judging.console_forms import JUDGING_ROLES, AssignmentForm, ConfirmForm, JudgeAccountForm, LoginCodesForm
from judging.login_codes import login_code_issue, login_code_svg

ROLES = [role for role, _label in JUDGING_ROLES]


def _assignments(competition):
    return (
        JudgeAssignment.objects.filter(competition=competition, role__in=ROLES)
        .select_related("user", "event", "organisation")
        .order_by("event__position", "event_id", "role", "user__username")
    )


def _page(request, competition, *, account_form=None, assignment_form=None, codes_form=None, status=200):
    context = {
        "tab": "judges",
        "competition": competition,
        "assignments": _assignments(competition),
        "account_form": account_form or JudgeAccountForm(competition=competition),
        "assignment_form": assignment_form or AssignmentForm(competition=competition),
        "codes_form": codes_form or LoginCodesForm(competition=competition),
    }
    return render(request, "judging/console/judges.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def judges(request, pk):
    competition = organised_competition(request, pk)
    if request.method == "GET":
        return _page(request, competition)
    if "username" in request.POST:
        form = JudgeAccountForm(request.POST, competition=competition)
        if form.is_valid():
            try:
                judge_account_create(competition=competition, created_by=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_error_from(form, exc)
            else:
                messages.success(request, _("裁判账号已创建。打印登录二维码后，裁判扫码即可登录评分平板。"))
                return redirect("console-judges", pk=competition.pk)
        return _page(request, competition, account_form=form, status=400)
    form = AssignmentForm(request.POST, competition=competition)
    if form.is_valid():
        try:
            judge_assignment_save(competition=competition, **form.cleaned_data)
        except DomainError as exc:
            form_error_from(form, exc)
        else:
            messages.success(request, _("分工已添加。"))
            return redirect("console-judges", pk=competition.pk)
    return _page(request, competition, assignment_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_remove(request, pk, assignment_pk):
    competition = organised_competition(request, pk)
    assignment = get_object_or_404(_assignments(competition), pk=assignment_pk)
    form = ConfirmForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            object_delete(instance=assignment)
            messages.success(request, _("分工已删除。"))
            return redirect("console-judges", pk=competition.pk)
        status = 400
    context = {"tab": "judges", "competition": competition, "assignment": assignment, "form": form}
    return render(request, "judging/console/assignment_remove.html", context, status=status)


@login_required
@require_POST
def login_codes_pdf(request, pk):
    """Issue a fresh login code for each judge of the competition (or of one event) and print them as one PDF."""
    competition = organised_competition(request, pk)
    form = LoginCodesForm(request.POST, competition=competition)
    if not form.is_valid():
        return _page(request, competition, codes_form=form, status=400)
    assignments = _assignments(competition)
    event = form.cleaned_data["event"]
    if event is not None:
        assignments = assignments.filter(event__in=[event, None])
    users = get_user_model().objects.filter(pk__in=assignments.values("user"), is_active=True).order_by("username")
    if not users:
        form.add_error(None, _("还没有裁判：先创建裁判账号。"))
        return _page(request, competition, codes_form=form, status=400)
    valid_for = timedelta(hours=form.cleaned_data["hours"])
    cards = []
    for user in users:
        code, token = login_code_issue(user=user, issued_by=request.user, valid_for=valid_for)
        url = request.build_absolute_uri(reverse("tablet:code-login", args=[token]))
        cards.append({"user": user, "code": code, "url": url, "svg": login_code_svg(url)})
    title = competition.title if event is None else f"{competition.title} · {event.title}"
    html = render_to_string(
        "judging/console/login_codes_pdf.html", {"cards": cards, "title": title, "printed_at": timezone.now()}
    )
    return pdf_response(document_pdf(html), f"judge-login-codes-{competition.slug}.pdf")
