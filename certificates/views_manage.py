"""The organiser's certificates page: issue for an event or the whole competition, see what was issued.

It shows where each event's results stand (award certificates wait for final results);
issuing before that needs a reason, which the verification page shows.

Issuing starts a background batch (``certificate_batch_start``) and goes to its progress
page; issuing again creates no duplicates, so the button is safe to press twice.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from certificates import batches, selectors
from certificates.models import Certificate, CertificateKind
from competitions.models import Competition
from competitions.selectors import is_organiser
from config.errors import DomainError, error
from scoring.models import EventResults
from scoring.results_selectors import results_stage

RECENT_BATCHES = 10


def _organised(request, pk) -> Competition:
    competition = get_object_or_404(Competition, pk=pk)
    if not is_organiser(request.user, competition):
        raise Http404
    return competition


def _issued_by_event(competition: Competition) -> list[dict]:
    """Valid certificates per event and kind, plus the revoked ones; unit awards have no event."""
    counts = {
        (row["event_id"], row["kind"]): row
        for row in Certificate.objects.filter(competition=competition)
        .values("event_id", "kind")
        .annotate(
            valid=Count("id", filter=Q(status=Certificate.Status.VALID)),
            revoked=Count("id", filter=Q(status=Certificate.Status.REVOKED)),
        )
    }
    rows = []
    for event in [*competition.events.order_by("pk"), None]:
        event_id = event.pk if event else None
        kinds = {kind: counts.get((event_id, kind), {}).get("valid", 0) for kind in CertificateKind.values}
        revoked = sum(counts.get((event_id, kind), {}).get("revoked", 0) for kind in CertificateKind.values)
        if event is None and not any(kinds.values()) and not revoked:
            continue
        rows.append({"event": event, "kinds": kinds, "revoked": revoked, "total": sum(kinds.values())})
    return rows


def _results_by_event(events) -> list[dict]:
    """Each event with its effective results stage (final or not), for the page's status table."""
    stored = {r.event_id: r for r in EventResults.objects.filter(event__in=events)}
    rows = []
    for event in events:
        stage = results_stage(stored.get(event.pk))
        rows.append(
            {
                "event": event,
                "stage": stage,
                "stage_label": EventResults.Stage(stage).label,
                "final": stage == EventResults.Stage.FINAL,
                "results": stored.get(event.pk),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def certificates_manage(request, pk):
    competition = _organised(request, pk)
    events = list(competition.events.order_by("pk"))
    chosen = request.POST.get("event") or request.GET.get("event") or ""
    include_participation = request.POST.get("include_participation") == "on" if request.method == "POST" else True
    override_reason = request.POST.get("override_reason", "").strip() if request.method == "POST" else ""
    problem = None
    if request.method == "POST":
        event = next((e for e in events if str(e.pk) == chosen), None)
        if chosen and event is None:
            problem = error("event_not_in_competition", field="event")
        else:
            try:
                batch = batches.certificate_batch_start(
                    competition=competition,
                    event=event,
                    include_participation=include_participation,
                    requested_by=request.user,
                    override_reason=override_reason,
                )
            except DomainError as exc:
                problem = exc
            else:
                return redirect("certificates:batch", batch.pk)
    context = {
        "competition": competition,
        "events": events,
        "chosen": chosen,
        "include_participation": include_participation,
        "override_reason": override_reason,
        "results": _results_by_event(events),
        "error": problem,
        "issued": _issued_by_event(competition),
        "kinds": CertificateKind.choices,
        "batches": selectors.batch_for_competition(competition).order_by("-created_at")[:RECENT_BATCHES],
    }
    return render(request, "certificates/manage.html", context, status=400 if problem else 200)
