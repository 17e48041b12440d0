"""Reads of the results chain: where an event stands, whether its results are final, the notice rows.

"Final" is computed on read, so no background job or cron has to run at the end of an
announcement period: an event whose stage is ``announced`` reads as final once
``announcement_ends_at`` has passed with no objection open and none upheld in that
period, and no appeal open. ``results_finalise`` records the same fact (audited), but nothing depends on it
having been called: certificates ask ``event_results_final``.
"""

from django.db.models import Q
from django.utils import timezone

from competitions.models import Competition, Event
from competitions.selectors import is_organiser
from scoring.models import Appeal, EventResults, Objection, ResultsAudit, ReviewItem
from scoring.review_draw import needs_full_review
from scoring.selectors import event_standings

Stage = EventResults.Stage


def event_results(event: Event) -> EventResults | None:
    return EventResults.objects.filter(event=event).first()


def blocking_objections(results: EventResults):
    """Objections that keep an announced result from becoming final: open ones, and ones upheld in this period."""
    blocking = Q(status=Objection.Status.OPEN)
    if results.announced_at is not None:
        blocking |= Q(status=Objection.Status.UPHELD, filed_at__gte=results.announced_at)
    return Objection.objects.filter(blocking, event_id=results.event_id)


def open_appeals(event_id: int):
    """Appeals (申诉) of the event not yet decided: they hold decoding, the announcement and finality."""
    return Appeal.objects.filter(entry__event_id=event_id, status=Appeal.Status.OPEN)


def results_stage(results: EventResults | None, *, now=None) -> str:
    """The effective stage: the stored one, or ``final`` once an announcement period ended cleanly.

    Cleanly: no open or upheld objection of the period (``blocking_objections``) and no open appeal.
    """
    if results is None:
        return Stage.MARKING
    if results.stage == Stage.ANNOUNCED and results.announcement_ends_at is not None:
        now = now or timezone.now()
        if (
            now >= results.announcement_ends_at
            and not blocking_objections(results).exists()
            and not open_appeals(results.event_id).exists()
        ):
            return Stage.FINAL
    return results.stage


def event_results_final(event: Event, *, now=None) -> bool:
    return results_stage(event_results(event), now=now) == Stage.FINAL


def final_event_ids(events, *, now=None) -> set[int]:
    """The ids of ``events`` whose results are final: one query, plus one per event whose period just ended."""
    rows = EventResults.objects.filter(event__in=list(events), stage__in=[Stage.ANNOUNCED, Stage.FINAL])
    return {r.event_id for r in rows if results_stage(r, now=now) == Stage.FINAL}


def competition_results_final(competition: Competition, *, now=None) -> bool:
    """Every event of ``competition`` is final (the excellent-organisation award's condition)."""
    events = list(competition.events.all())
    return bool(events) and final_event_ids(events, now=now) == {e.pk for e in events}


def review_summary(event: Event) -> dict:
    """Review items of ``event`` with their counts, and whether the sample's error rate calls for a full review."""
    items = list(ReviewItem.objects.filter(event=event).select_related("entry", "reviewed_by").order_by("id"))
    reviewed = [i for i in items if i.status != ReviewItem.Status.PENDING]
    corrected = [i for i in items if i.status == ReviewItem.Status.CORRECTED]
    return {
        "items": items,
        "total": len(items),
        "reviewed": len(reviewed),
        "corrected": len(corrected),
        "pending": len(items) - len(reviewed),
        "error_rate_exceeded": needs_full_review(reviewed=len(items), corrected=len(corrected)),
    }


def notice_rows(event: Event) -> list[dict]:
    """The public notice (公示): code, name, unit, total, rank and award per entry, best first."""
    result = event_standings(event=event)
    rows = []
    for row in result.standings.rows:
        info = result.entries[row.entry_id]
        rows.append(
            {
                "entry": row.entry_id,
                "code": info["code"],
                "name": info["name"],
                "organisation": info["organisation"],
                "total": row.total,
                "rank": row.rank,
                "award": row.award,
                "status": row.status,
            }
        )
    return rows


def results_audit(event: Event):
    return ResultsAudit.objects.filter(event=event).select_related("actor").order_by("at", "id")


def notice_visible_to(user, event: Event) -> bool:
    """The public notice is public for a public competition; a private one's for its organisers only."""
    return event.competition.is_public or is_organiser(user, event.competition)
