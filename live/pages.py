"""The public page of one event (its entries and a summary of its marking scheme), and the results chain's
pages: the public notice of an announced event (公示, with its objections form) and the organiser's results page.

It lives in live, with the other public pages, because it shows the scheme and its
criteria: competitions must not import scoring, and scoring holds no HTTP pages.

The entry list keeps judging blind: the public sees names
and units but no codes or stations, a judge of the competition sees codes and
stations but no names, and only organisers see both (``Roles``). A contestant's
phone and ID number are never loaded. A non-public competition is a 404 unless the
user has a role in it (``competitions_visible_to``).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from competitions.models import Event
from competitions.selectors import competitions_visible_to, is_chief_judge, is_organiser, roles_of
from config.api import parse_int64
from config.errors import DomainError, error
from scoring import results, results_selectors
from scoring.models import Criterion, EventResults, Objection

PRIVATE_CONTESTANT_FIELDS = ("contestant__phone", "contestant__id_number")


def event_detail(request, slug, code):
    competition = get_object_or_404(competitions_visible_to(request.user).select_related("host"), slug=slug)
    event = get_object_or_404(Event.objects.select_related("scheme", "results"), competition=competition, code=code)
    roles = roles_of(request.user)
    show_names = not roles.judges_blind(competition.pk)
    show_codes = roles.manages(competition.pk) or not show_names
    entries = event.entries.select_related("contestant__organisation", "team__organisation").defer(
        *PRIVATE_CONTESTANT_FIELDS
    )
    if show_codes:
        entries = entries.order_by("start_order", "station", "code", "id")
    else:
        # Not in draw order: the row order must not give the start order away.
        entries = entries.order_by("contestant__organisation", "team__organisation", "contestant__name", "team__name")
    scheme = getattr(event, "scheme", None)
    criteria = (
        Criterion.objects.filter(scheme=scheme).order_by("position", "id") if scheme else Criterion.objects.none()
    )
    return render(
        request,
        "live/event_detail.html",
        {
            "competition": competition,
            "event": event,
            "entries": entries,
            "show_codes": show_codes,
            "show_names": show_names,
            "scheme": scheme,
            "criteria": criteria,
            "can_manage": roles.manages(competition.pk),
            "can_chief": is_chief_judge(request.user, event),
            # Read through the select_related row: the page's query count stays flat.
            "announced": getattr(getattr(event, "results", None), "announced_at", None) is not None,
        },
    )


# --------------------------------------------------------------------------
# The results chain's pages: the public notice (公示) and the organiser's results page.


def _announced(event: Event):
    state = results_selectors.event_results(event)
    return state if state is not None and state.announced_at is not None else None


@require_http_methods(["GET", "POST"])
def results_notice(request, slug, code):
    """The public notice of an announced event: codes decoded → names, units, scores, awards; objections form.

    A 404 until the event is announced (and for a non-public competition, unless organiser).
    """
    competition = get_object_or_404(competitions_visible_to(request.user).select_related("host"), slug=slug)
    event = get_object_or_404(Event.objects.select_related("competition"), competition=competition, code=code)
    state = _announced(event)
    if state is None or not results_selectors.notice_visible_to(request.user, event):
        raise Http404
    problem, filed = None, False
    form = {"name": "", "contact": "", "text": ""}
    if request.method == "POST":
        form = {key: request.POST.get(key, "") for key in form}
        try:
            results.objection_file(event=event, **form)
        except DomainError as exc:
            problem = exc
        else:
            filed, form = True, {"name": "", "contact": "", "text": ""}
    stage = results_selectors.results_stage(state)
    context = {
        "competition": competition,
        "event": event,
        "state": state,
        "final": stage == EventResults.Stage.FINAL,
        "open_for_objections": state.stage == EventResults.Stage.ANNOUNCED
        and timezone.now() < state.announcement_ends_at,
        "rows": results_selectors.notice_rows(event),
        "problem": problem,
        "filed": filed,
        "form": form,
    }
    return render(request, "live/notice.html", context, status=problem.status if problem else 200)


@login_required
@require_http_methods(["GET", "POST"])
def results_manage(request, event_id):
    """The organiser's results page: announce, rule on objections, record final results, read the audit trail."""
    event = get_object_or_404(Event.objects.select_related("competition"), pk=event_id)
    if not is_organiser(request.user, event.competition):
        raise Http404
    problem = None
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "announce":
                days = request.POST.get("days", "")
                results.results_announce(
                    actor=request.user,
                    event=event,
                    days=parse_int64(days) or -1,
                    contact=request.POST.get("contact", ""),
                )
            elif step == "objection":
                objection = get_object_or_404(Objection, pk=request.POST.get("objection") or 0, event=event)
                results.objection_decide(
                    actor=request.user,
                    objection=objection,
                    status=request.POST.get("status", ""),
                    decision=request.POST.get("decision", ""),
                )
            elif step == "reopen":
                codes = [code.strip() for code in request.POST.get("entries", "").replace("，", ",").split(",")]
                results.results_reopen(
                    actor=request.user, event=event, codes=codes, reason=request.POST.get("reason", "")
                )
            elif step == "finalise":
                results.results_finalise(actor=request.user, event=event)
            else:
                raise error("invalid", field="step")
        except DomainError as exc:
            problem = exc
        else:
            return redirect("manage-event-results", event.pk)
    state = results_selectors.event_results(event)
    context = {
        "competition": event.competition,
        "event": event,
        "state": state,
        "stage": results_selectors.results_stage(state),
        "objections": Objection.objects.filter(event=event).select_related("decided_by"),
        "can_reopen": state is not None
        and state.stage == EventResults.Stage.ANNOUNCED
        and results_selectors.blocking_objections(state).filter(status=Objection.Status.UPHELD).exists(),
        "open_appeals": results_selectors.open_appeals(event.pk).count(),
        "audit": results_selectors.results_audit(event),
        "problem": problem,
    }
    return render(request, "live/results_manage.html", context, status=problem.status if problem else 200)
