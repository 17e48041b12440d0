"""The judge's tablet: home, the marking sheet, the chief judge's page, QR login, PWA files.

Pages are rendered on the server with everything a sheet needs embedded as JSON, so a
sheet the service worker cached opens offline. Writes go through the scoring API
(``/api/v1/events/<id>/marks/`` etc.) from ``static/judging/tablet.js``, which queues
each mark with its idempotency key in localStorage before sending it.

Judging is blind: these pages show entries by code (参赛号) and station (赛位号) only, and
address them by code (``/judge/events/<id>/entries/<code>/``): no entry id appears in a
tablet page, URL or payload, so nothing a judge sees is shared with a public view. The
service worker caches sheets by that URL, so they open offline as before.
"""

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from competitions.access import is_recused, recused_entry_ids
from competitions.models import Entry, Event
from competitions.selectors import (
    events_chiefed_by,
    events_judged_by,
    is_chief_judge,
    judge_assignment,
    names_visible,
)
from config.api import parse_int64
from config.errors import DomainError, error, message
from judging import selectors as desk_selectors
from judging.landing import landing_url
from judging.login_codes import login_code_holder, login_code_redeem
from judging.sheets import (
    criterion_json,
    event_bundle,
    judge_criteria,
    markable_entries,
    server_clock,
    sheet_marks,
    value_messages,
)
from scoring import results, results_selectors
from scoring.models import Mark, ReviewItem, Sheet, SheetAudit
from scoring.selectors import criteria_marked_by_events, variance_alerts
from scoring.services import MarkInput, sheets_lock

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "judging"


@dataclass
class EntryRow:
    entry: Entry
    marked: int = 0
    expected: int = 0
    recused: bool = False
    state: str = ""

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.marked >= self.expected


@dataclass
class EventCard:
    event: Event
    chief: bool
    rows: list[EntryRow] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for row in self.rows if row.complete)

    @property
    def total(self) -> int:
        return sum(1 for row in self.rows if not row.recused)


def _forbidden(request, message: str):
    return render(request, "judging/forbidden.html", {"message": message}, status=403)


def judge_home_cards(user) -> list[EventCard]:
    """The judge's events with their entries (blind) and the judge's own progress on each."""
    events = list(
        events_judged_by(user)
        .select_related("competition")
        .prefetch_related("scheme__criteria")
        .order_by("competition_id", "id")
    )
    if not events:
        return []
    chief_of = events_chiefed_by(user, events)
    entries = (
        Entry.objects.filter(event__in=events)
        .select_related("contestant", "team")
        .order_by("event_id", "station", "start_order", "code", "id")
    )
    marked = dict(
        Mark.objects.filter(entry__event__in=events, judge=user)
        .values("entry_id")
        .annotate(n=Count("id"))
        .values_list("entry_id", "n")
    )
    states = dict(Sheet.objects.filter(entry__event__in=events, judge=user).values_list("entry_id", "state"))
    cards = {event.pk: EventCard(event=event, chief=event.pk in chief_of) for event in events}
    entries = list(entries)
    for entry in entries:
        entry.event = cards[entry.event_id].event
    recused = recused_entry_ids(user, entries)
    # Each judge is expected to mark only their criteria (assigned to them, or the panel's).
    schemes = {event: getattr(event, "scheme", None) for event in events}
    mine = criteria_marked_by_events(user, {e: list(s.criteria.all()) if s else [] for e, s in schemes.items()})
    expected = {event_id: sum(c.attempts for c in criteria) for event_id, criteria in mine.items()}
    for entry in entries:
        if not expected[entry.event_id]:
            continue  # nothing for this user to mark here (a chief judge on their desk): no tiles
        cards[entry.event_id].rows.append(
            EntryRow(
                entry=entry,
                marked=marked.get(entry.pk, 0),
                expected=expected[entry.event_id],
                recused=entry.pk in recused,
                state=states.get(entry.pk, ""),
            )
        )
    return list(cards.values())


@login_required
def home(request):
    cards = judge_home_cards(request.user)
    return render(request, "judging/home.html", {"cards": cards})


@login_required
def sheet(request, event_id: int, code: str):
    event = get_object_or_404(Event.objects.select_related("competition"), pk=event_id)
    entry = get_object_or_404(Entry.objects.select_related("contestant", "team"), code=code, event=event)
    entry.event = event
    if judge_assignment(request.user, event) is None:
        return _forbidden(request, _("您不是本项目的裁判，不能打开该评分表。"))
    if is_recused(request.user, entry):
        return _forbidden(request, _("您与该参赛者属于同一单位，须回避，不能为其评分。"))
    scheme = getattr(event, "scheme", None)
    criteria = judge_criteria(request.user, event)
    decimals = scheme.decimals if scheme else 2
    own_sheet = Sheet.objects.filter(entry=entry, judge=request.user).first()
    # Previous and next skip the entries this judge may not open (recused).
    siblings = markable_entries(request.user, event)
    index = next(i for i, other in enumerate(siblings) if other.pk == entry.pk)
    data = {
        "event": event.pk,
        "entry": entry.code,
        "code": entry.code,
        "revision": scheme.revision if scheme else 0,
        "criteria": [criterion_json(c, decimals) for c in criteria],
        "marks": sheet_marks(request.user, [entry.pk])[entry.pk],
        "sheet": {
            "state": own_sheet.state if own_sheet else Sheet.State.DRAFT,
            "reason": own_sheet.reason if own_sheet else "",
        },
        "messages": value_messages(),
        "next": siblings[index + 1].code if index + 1 < len(siblings) else None,
        "at": server_clock(),
    }
    context = {
        "event": event,
        "entry": entry,
        "criteria": criteria,
        "sheet": own_sheet,
        "locked": bool(own_sheet and own_sheet.is_locked),
        "data": data,
        "previous": siblings[index - 1] if index > 0 else None,
        "next": siblings[index + 1] if index + 1 < len(siblings) else None,
        "chief": is_chief_judge(request.user, event),
    }
    return render(request, "judging/sheet.html", context)


@login_required
@never_cache
def offline_bundle(request, event_id: int):
    """Every sheet this judge may mark in the event, as JSON: the tablet keeps it to mark offline."""
    event = get_object_or_404(Event.objects.select_related("competition", "scheme"), pk=event_id)
    if judge_assignment(request.user, event) is None:
        return JsonResponse({"code": "not_assigned", "detail": str(message("not_assigned"))}, status=403)
    return JsonResponse(event_bundle(request.user, event), json_dumps_params={"ensure_ascii": False})


def _results_context(event: Event) -> dict:
    """The results chain on the chief's desk: the stage, the review items, the panel, the audit trail."""
    state = results_selectors.event_results(event)
    scheme = getattr(event, "scheme", None)
    return {
        "results": state,
        "stage": results_selectors.results_stage(state),
        "review": results_selectors.review_summary(event),
        "panel": list(get_user_model().objects.filter(sheets__entry__event=event).distinct().order_by("username")),
        "criteria": list(scheme.criteria.all()) if scheme else [],
        "audit": list(results_selectors.results_audit(event))[-8:],
    }


def _desk_filters(request) -> tuple[str, int | None]:
    show = request.GET.get("show", request.POST.get("show", ""))
    raw_round = request.GET.get("round", request.POST.get("round", ""))
    return (show if show in desk_selectors.FILTERS else ""), (int(raw_round) if raw_round.isdigit() else None)


def _desk_url(event: Event, show: str, round_: int | None) -> str:
    query = urlencode({name: value for name, value in (("show", show), ("round", round_)) if value not in ("", None)})
    return reverse("tablet:chief", args=[event.pk]) + (f"?{query}" if query else "")


@login_required
def chief(request, event_id: int, problem: DomainError | None = None):
    """The chief judge's desk: every entry in a row, each judge's sheet status, filters, bulk lock, alerts."""
    event = get_object_or_404(Event.objects.select_related("competition"), pk=event_id)
    if not is_chief_judge(request.user, event):
        return _forbidden(request, _("只有裁判长可以打开此页面。"))
    show, round_ = _desk_filters(request)
    alerts = variance_alerts(event=event)
    desk = desk_selectors.chief_desk(event=event, show=show, round_=round_, alerts=alerts)
    context = {
        "event": event,
        "desk": desk,
        "show": show,
        "round": round_,
        "filters": [(name, label, desk.counts[name]) for name, label in _filter_labels()],
        "alerts": desk_selectors.alerts_by_deviation(alerts),
        "problem": problem,
        **_results_context(event),
    }
    return render(request, "judging/chief.html", context, status=problem.status if problem else 200)


def _filter_labels():
    return [("", _("全部")), ("missing", _("缺评分")), ("submitted", _("待锁定")), ("alert", _("偏差提醒"))]


@login_required
@require_POST
def chief_lock(request, event_id: int):
    """Bulk lock from the desk: every open sheet of the rows shown (a round, a filter, or both)."""
    event = get_object_or_404(Event.objects.select_related("competition"), pk=event_id)
    if not is_chief_judge(request.user, event):
        return _forbidden(request, _("只有裁判长可以打开此页面。"))
    show, round_ = _desk_filters(request)
    desk = desk_selectors.chief_desk(event=event, show=show, round_=round_)
    locked = sheets_lock(
        actor=request.user, event=event, entries=[row.entry for row in desk.rows], reason=request.POST.get("reason", "")
    )
    messages.success(
        request,
        ngettext("已锁定 %(count)d 张评分表。", "已锁定 %(count)d 张评分表。", len(locked)) % {"count": len(locked)},
    )
    return redirect(_desk_url(event, show, round_))


@login_required
def chief_sheet(request, event_id: int, code: str, judge_id: int):
    """One judge's sheet for one entry, as the chief judge checks it: the marks, their history, lock or unlock."""
    event = get_object_or_404(Event.objects.select_related("competition"), pk=event_id)
    if not is_chief_judge(request.user, event):
        return _forbidden(request, _("只有裁判长可以打开此页面。"))
    entry = get_object_or_404(Entry, code=code, event=event)
    judge = get_object_or_404(get_user_model(), pk=judge_id)
    scheme = getattr(event, "scheme", None)
    criteria = list(scheme.criteria.all()) if scheme else []
    marks = {
        (mark.criterion_id, mark.attempt): mark
        for mark in Mark.objects.filter(entry=entry, judge=judge).prefetch_related("history__actor")
    }
    rows = []
    for criterion in criteria:
        for attempt in range(1, criterion.attempts + 1):
            mark = marks.get((criterion.pk, attempt))
            rows.append(
                {
                    "criterion": criterion,
                    "attempt": attempt,
                    "mark": mark,
                    "value": mark.value if mark else None,
                    "history": list(mark.history.all()) if mark else [],
                }
            )
    alerts = [a for a in variance_alerts(event=event) if a["entry"] == entry.pk and a["judge"] == judge.pk]
    context = {
        "event": event,
        "entry": entry,
        "judge": judge,
        "sheet": Sheet.objects.filter(entry=entry, judge=judge).first(),
        "marks": rows,
        "alerts": alerts,
        "with_names": names_visible(event),
        "audit": list(SheetAudit.objects.filter(sheet__entry=entry, sheet__judge=judge).select_related("actor")),
    }
    return render(request, "judging/chief_sheet.html", context)


def _correction(request, item: ReviewItem) -> dict:
    """The correction form's fields, as ``review_item_correct`` takes them (the stored mark's version included)."""
    judge = get_user_model().objects.filter(pk=request.POST.get("judge") or 0).first()
    if judge is None:
        raise error("unknown_judge", field="judge")
    criterion = request.POST.get("criterion", "")
    attempt = int(request.POST.get("attempt") or 1)
    stored = Mark.objects.filter(entry=item.entry, judge=judge, criterion__code=criterion, attempt=attempt).first()
    mark = MarkInput(
        entry=item.entry_id,
        criterion=criterion,
        attempt=attempt,
        value=request.POST.get("value", ""),
        penalty=stored.penalty if stored else "0",
        version=stored.version if stored else 0,
    )
    return {"judge": judge, "marks": [mark], "reason": request.POST.get("reason", "")}


@login_required
@require_POST
def chief_results(request, event_id: int):
    """One step of the results chain from the chief's desk (a plain form POST); back to the page after it."""
    event = get_object_or_404(Event.objects.select_related("competition"), pk=event_id)
    if not is_chief_judge(request.user, event):
        return _forbidden(request, _("只有裁判长可以打开此页面。"))
    step = request.POST.get("step", "")
    user, reason = request.user, request.POST.get("reason", "")
    try:
        if step == "close":
            results.results_close_marking(actor=user, event=event, reason=reason)
        elif step == "draw":
            results.results_draw_review(actor=user, event=event)
        elif step in ("confirm", "correct"):
            item = get_object_or_404(
                ReviewItem.objects.select_related("entry", "event"), pk=request.POST.get("item") or 0, event=event
            )
            if step == "confirm":
                results.review_item_confirm(actor=user, item=item, note=request.POST.get("note", ""))
            else:
                results.review_item_correct(actor=user, item=item, **_correction(request, item))
        elif step == "decode":
            results.results_decode(actor=user, event=event, reason=reason)
        elif step == "announce":
            days = request.POST.get("days") or results.ANNOUNCEMENT_DAYS
            results.results_announce(
                actor=user,
                event=event,
                days=parse_int64(str(days)) or -1,
                contact=request.POST.get("contact", ""),
            )
        else:
            raise error("invalid", field="step")
    except DomainError as problem:
        return chief(request, event_id, problem=problem)
    return redirect(reverse("tablet:chief", args=[event.pk]) + "#results")


@never_cache
@require_http_methods(["GET", "POST"])
def code_login(request, token: str):
    """The URL in a login QR code. GET asks for one tap (link previews must not use the code); POST signs in."""
    if request.method == "GET":
        return render(request, "judging/code_login.html", {"holder": login_code_holder(token=token)})
    try:
        user = login_code_redeem(token=token)
    except DomainError as error:
        context = {"error": error.message, "code": error.code, "holder": None}
        return render(request, "judging/code_login.html", context, status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(target if target and safe else landing_url(user, fallback="tablet:home"))


def service_worker(request):
    """The service worker, served under /judge/ so its scope covers the tablet pages."""
    response = HttpResponse((STATIC_DIR / "sw.js").read_text(), content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/judge/"
    response["Cache-Control"] = "no-cache"
    return response


def manifest(request):
    return JsonResponse(
        {
            "name": _("裁判评分"),
            "short_name": _("评分"),
            "start_url": "/judge/",
            "scope": "/judge/",
            "display": "standalone",
            "orientation": "any",
            "background_color": "#f6f4f1",
            "theme_color": "#b3261e",
            "lang": settings.LANGUAGE_CODE,
            "icons": [{"src": "/static/judging/icon.svg", "sizes": "any", "type": "image/svg+xml"}],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
