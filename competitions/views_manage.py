"""Organiser pages: roster import (upload → preview → commit), export, and the draw page.

Between the preview and the commit, the raw rows of the upload wait in the session
(strings only, at most ``IMPORT_MAX_ROWS`` of them). The commit checks them again
against the database inside its transaction, so nothing is written from a stale
preview.
"""

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from competitions import draw_services, exports, imports, roster_services, selectors
from competitions.api_roster import xlsx_response
from competitions.models import Competition, Draw, Event
from config.errors import DomainError, error

SESSION_KEY = "roster_import:{pk}"
# The preview shows each cell cut to this many characters: 5000 rows of long cells must not make a huge page.
PREVIEW_CELL_CHARS = 40


def _managed_competition(request, pk) -> Competition:
    competition = get_object_or_404(Competition.objects.select_related("host"), pk=pk)
    if not selectors.is_organiser(request.user, competition):
        raise PermissionDenied
    return competition


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.raw_rows = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.raw_rows = imports.read_upload(upload)
        except imports.ImportFileError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        if not self.raw_rows:
            raise forms.ValidationError(_("文件中没有数据行。"), code="no_rows")
        return upload


def _upload_page(request, competition, form, *, status=200, page_error=None):
    context = {
        "competition": competition,
        "form": form,
        "page_error": page_error,
        "columns": imports.COLUMNS,
        "events": competition.events.all(),
    }
    return render(request, "competitions/manage/import_upload.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, pk):
    competition = _managed_competition(request, pk)
    if request.method == "GET":
        return _upload_page(request, competition, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, competition, form, status=400)
    preview = imports.build_preview(competition=competition, raw_rows=form.raw_rows)
    pending = {"token": secrets.token_urlsafe(12), "filename": form.cleaned_data["file"].name, "rows": form.raw_rows}
    request.session[SESSION_KEY.format(pk=competition.pk)] = pending
    return _preview_page(request, competition, preview, pending)


def _preview_page(request, competition, preview, pending, *, status=200):
    context = {
        "competition": competition,
        "preview": preview,
        "counts": preview.counts,
        "filename": pending["filename"],
        "token": pending["token"],
        "columns": imports.COLUMNS,
        "preview_cell_chars": PREVIEW_CELL_CHARS,
    }
    return render(request, "competitions/manage/import_preview.html", context, status=status)


@login_required
@require_POST
def import_commit(request, pk):
    competition = _managed_competition(request, pk)
    pending = request.session.get(SESSION_KEY.format(pk=competition.pk))
    # The token ties the commit to the preview the organiser saw, not to a later upload in another tab.
    if not pending or request.POST.get("token") != pending["token"]:
        page_error = _("没有待导入的数据或预览已过期，请重新上传文件。")
        return _upload_page(request, competition, UploadForm(), status=400, page_error=page_error)
    try:
        preview = roster_services.contestants_import(competition=competition, raw_rows=pending["rows"])
    except roster_services.ImportRejected:
        preview = imports.build_preview(competition=competition, raw_rows=pending["rows"])
        return _preview_page(request, competition, preview, pending, status=400)
    del request.session[SESSION_KEY.format(pk=competition.pk)]
    context = {"competition": competition, "preview": preview, "counts": preview.counts}
    return render(request, "competitions/manage/import_done.html", context)


@login_required
def import_template(request, pk):
    competition = _managed_competition(request, pk)
    return xlsx_response(exports.template_xlsx(competition), f"roster-template-{competition.slug}.xlsx")


@login_required
def export_xlsx(request, pk):
    competition = _managed_competition(request, pk)
    return xlsx_response(exports.roster_xlsx(competition), f"roster-{competition.slug}.xlsx")


class DrawForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Draw.Kind.choices)
    reason = forms.CharField(label=_("重新抽签原因"), max_length=200, required=False)
    prefix = forms.RegexField(
        label=_("参赛号前缀"),
        regex=r"^[A-Za-z0-9]{1,4}$",
        required=False,
        help_text=_("仅用于参赛号抽签；留空则沿用上次前缀或按项目顺序取字母"),
    )
    confirm = forms.BooleanField(label=_("我确认重新抽取全部结果（已抽的参赛号或赛位都会改变）"), required=False)


@login_required
@require_http_methods(["GET", "POST"])
def event_draw(request, pk):
    event = get_object_or_404(Event.objects.select_related("competition"), pk=pk)
    if not selectors.is_organiser(request.user, event.competition):
        raise PermissionDenied
    form = DrawForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            args = {"event": event, "drawn_by": request.user, "reason": form.cleaned_data["reason"]}
            try:
                if "late" in request.POST:
                    draw = draw_services.draw_late(event=event, kind=kind, drawn_by=request.user)
                    done = _("已为 %(count)s 名迟到报名者补抽，原有结果不变。") % {"count": len(draw.result["entries"])}
                else:
                    if event.draws.filter(kind=kind).exists() and not form.cleaned_data["confirm"]:
                        raise error("redraw_not_confirmed", field="confirm")
                    if kind == Draw.Kind.CODE:
                        draw_services.draw_codes(**args, prefix=form.cleaned_data["prefix"] or None)
                    else:
                        draw_services.draw_stations(**args)
                    done = _("抽签完成，结果和随机种子已记录。")
            except DomainError as exc:
                form.add_error(exc.field if exc.field in ("reason", "confirm") else None, exc.message)
                status = exc.status
            else:
                messages.success(request, done)
                return redirect("manage-event-draw", pk=event.pk)
        else:
            status = 400
    context = {
        "event": event,
        "competition": event.competition,
        "form": form,
        "late": {
            "code": event.entries.filter(code="").count() if event.draws.filter(kind=Draw.Kind.CODE).exists() else 0,
            "station": event.entries.filter(start_order__isnull=True).count()
            if event.draws.filter(kind=Draw.Kind.STATION).exists()
            else 0,
        },
        "entries": event.entries.select_related("contestant__organisation", "team__organisation").order_by(
            "start_order", "code", "id"
        ),
        # A handful of draws per event; each replay is one query, and tells the organiser
        # at a glance that the entries still carry what the latest draw gave them.
        "history": [
            (draw, draw_services.draw_replay(draw=draw))
            for draw in event.draws.select_related("drawn_by", "event").order_by("-drawn_at", "-id")
        ],
    }
    return render(request, "competitions/manage/draw.html", context, status=status)
