"""The results chain (DOMAIN.md, 复核 / 解密 / 公示): marks → sheets locked → review → decoded → announced → final.

Each step is a service: keyword-only, atomic, checked against the event's stage and
written to ``ResultsAudit`` (who, when, why). Every service takes the row lock of the
event's ``EventResults`` first (``select_for_update``), so two steps of one event never
interleave; a step that changes marks (a review correction) also goes through
``marks_submit``, which takes the event's standings lock after it, always in that order.

- **Close marking** (the chief judge): every entry complete, every sheet locked. Its time is
  the event's end for appeals: an appeal is accepted until ``appeal_window_hours`` (2 by
  default) after it (``appeal_file``).
- **Review sample** (复核): the top 10 and ``ceil(15%)`` of the rest, drawn by lot with a
  recorded seed (``scoring.review_draw``). Reviewers confirm or the chief judge corrects
  each item; a correction unlocks the judge's sheet, goes through ``marks_submit`` as a
  chief correction with the reason, locks the sheet again, and links its history rows to
  the item. More than 5% of the sample corrected turns the review into a full review.
- **Decoding** (解密): after the review is complete; sets ``Event.decoded_at``/``decoded_by``
  and sends ``scoring.signals.event_decoded`` after commit.
- **Announcement** (公示): opens a period (3 days by default) with a contact; the public
  may raise objections; the organiser upholds or dismisses each. An upheld objection
  means the result must be corrected and announced again: the chief judge reopens the
  review for the entries concerned (``results_reopen``, a new review round), corrects them
  as in the review, and announces again once that round is done.
- **Final**: read-time (``results_selectors.results_stage``); ``results_finalise`` records it.

Appeals (申诉) stay in ``scoring.services`` (``appeal_file`` checks the window, ``appeal_decide``
the arbitration role); they write to the same audit. An open appeal holds decoding, the
announcement and finality (409 ``appeals_open``) until the arbitration group decides it.
"""

import secrets
import uuid
from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.access import require_chief_judge, require_organiser, require_reviewer
from competitions.models import Entry, Event
from competitions.services import event_decode
from config.errors import error
from config.text import require_clean
from scoring import signals
from scoring.models import EventResults, MarkHistory, Objection, ResultsAudit, ReviewItem, Sheet
from scoring.results_selectors import blocking_objections, open_appeals
from scoring.review_draw import needs_full_review, review_sample
from scoring.selectors import event_standings
from scoring.services import REASON_MAX_LENGTH, MarkInput, marks_submit, sheet_lock, sheet_unlock

Stage = EventResults.Stage
Action = ResultsAudit.Action
ANNOUNCEMENT_DAYS = 3
MAX_ANNOUNCEMENT_DAYS = 30


def _locked_results(event: Event) -> EventResults:
    EventResults.objects.get_or_create(event=event)
    return EventResults.objects.select_for_update().select_related("event__competition").get(event=event)


def _audit(event: Event, action: str, actor, reason: str = "", **data) -> ResultsAudit:
    return ResultsAudit.objects.create(event=event, action=action, actor=actor, reason=(reason or "")[:300], data=data)


def _require_stage(results: EventResults, *stages: str) -> None:
    if results.stage not in stages:
        raise error("results_stage_invalid", extra={"stage": results.stage})


def _require_no_open_appeal(event: Event) -> None:
    appeals = sorted(open_appeals(event.pk).values_list("pk", flat=True))
    if appeals:
        raise error("appeals_open", extra={"appeals": appeals})


# --------------------------------------------------------------------------
# Close marking


@transaction.atomic
def results_close_marking(*, actor, event: Event, reason: str = "") -> EventResults:
    """The chief judge ends marking: every entry must be complete; every open sheet is locked (audited).

    Concurrency: takes the EventResults row lock, then each sheet's row lock (``sheet_lock``).
    409 ``results_incomplete`` while marks are missing; ``results_stage_invalid`` once closed.
    """
    require_chief_judge(actor, event)
    results = _locked_results(event)
    _require_stage(results, Stage.MARKING)
    if results.marking_closed_at is not None:
        raise error("results_stage_invalid", extra={"stage": results.stage})
    standings = event_standings(event=event).standings
    # A non-finisher (DNS, DNF, DSQ) needs no more marks; every other entry must be complete.
    missing = sorted(row.entry_id for row in standings.rows if not row.complete and row.status == "ok")
    if not standings.rows or missing:
        raise error("results_incomplete", extra={"entries": missing})
    # No made-up reason: a sheet locked without one reads "locked by the chief judge" in each reader's language.
    open_sheets = Sheet.objects.filter(entry__event=event).exclude(
        state__in=[Sheet.State.LOCKED, Sheet.State.PUBLISHED]
    )
    locked = 0
    for sheet in open_sheets:
        sheet_lock(actor=actor, sheet=sheet, reason=reason)
        locked += 1
    results.marking_closed_at, results.marking_closed_by = timezone.now(), actor
    results.save()
    _audit(event, Action.CLOSE_MARKING, actor, reason, sheets_locked=locked)
    return results


# --------------------------------------------------------------------------
# Review (复核)


def _all_sheets_locked(event: Event) -> bool:
    return (
        not Sheet.objects.filter(entry__event=event)
        .exclude(state__in=[Sheet.State.LOCKED, Sheet.State.PUBLISHED])
        .exists()
    )


@transaction.atomic
def results_draw_review(*, actor, event: Event, seed: str | None = None) -> EventResults:
    """The chief judge draws the review sample by lot: the top 10 and ``ceil(15%)`` of the rest.

    The seed and the ranking drawn from are recorded in the audit, so the draw can be
    replayed (``scoring.review_draw.review_sample``). Takes the EventResults row lock.
    409 ``sheets_not_locked`` unless marking was closed and every sheet is still locked.
    """
    require_chief_judge(actor, event)
    results = _locked_results(event)
    _require_stage(results, Stage.MARKING)
    if results.marking_closed_at is None or not _all_sheets_locked(event):
        raise error("sheets_not_locked")
    ranked = [row.entry_id for row in event_standings(event=event).standings.rows]
    seed = seed or secrets.token_hex(16)
    top, sampled = review_sample(seed, ranked)
    ReviewItem.objects.bulk_create(
        [ReviewItem(event=event, entry_id=pk, reason=ReviewItem.Reason.TOP) for pk in top]
        + [ReviewItem(event=event, entry_id=pk, reason=ReviewItem.Reason.SAMPLE) for pk in sampled]
    )
    results.stage = Stage.REVIEW
    results.review_seed, results.review_drawn_at, results.review_drawn_by = seed, timezone.now(), actor
    results.save()
    _audit(event, Action.DRAW_REVIEW, actor, seed=seed, ranked=ranked, top=top, sample=sampled)
    return results


def _locked_item(item: ReviewItem, event: Event) -> ReviewItem:
    locked = ReviewItem.objects.select_for_update().select_related("entry").get(pk=item.pk)
    if locked.event_id != event.pk:
        raise error("review_item_not_in_event", field="item")
    if locked.status != ReviewItem.Status.PENDING:
        raise error("review_item_done")
    return locked


def _after_decision(results: EventResults, actor) -> None:
    """Widen to a full review once the sample's error rate is over 5%; close the review when nothing is pending."""
    event = results.event
    items = ReviewItem.objects.filter(event=event)
    if not results.full_review:
        # The error rate is the drawn sample's: entries reopened after an objection were not drawn by lot.
        drawn = items.exclude(reason=ReviewItem.Reason.OBJECTION)
        total = drawn.count()
        corrected = drawn.filter(status=ReviewItem.Status.CORRECTED).count()
        if needs_full_review(reviewed=total, corrected=corrected):
            present = set(items.values_list("entry_id", flat=True))
            rest = Entry.objects.filter(event=event).exclude(pk__in=present).values_list("pk", flat=True)
            ReviewItem.objects.bulk_create(
                [ReviewItem(event=event, entry_id=pk, reason=ReviewItem.Reason.FULL) for pk in sorted(rest)]
            )
            results.full_review = True
            results.save(update_fields=["full_review"])
            _audit(event, Action.FULL_REVIEW, actor, reviewed=total, corrected=corrected)
    if not items.filter(status=ReviewItem.Status.PENDING).exists():
        results.review_completed_at = timezone.now()
        update = ["review_completed_at"]
        if event.decoded_at is not None:
            # A review reopened after an objection: the event stays decoded, ready to be announced again.
            results.stage = Stage.DECODED
            update.append("stage")
        results.save(update_fields=update)
        _audit(event, Action.REVIEW_COMPLETE, actor, full_review=results.full_review)


@transaction.atomic
def review_item_confirm(*, actor, item: ReviewItem, note: str = "") -> ReviewItem:
    """A reviewer (chief judge or reviewer role) confirms an entry's marks as correct.

    Takes the EventResults row lock, then the item's.
    """
    event = item.event
    require_reviewer(actor, event)
    require_clean("note", note or "", max_length=300)
    results = _locked_results(event)
    _require_stage(results, Stage.REVIEW)
    item = _locked_item(item, event)
    item.status, item.note = ReviewItem.Status.CONFIRMED, note or ""
    item.reviewed_by, item.reviewed_at = actor, timezone.now()
    item.save()
    _audit(event, Action.REVIEW_CONFIRM, actor, note, entry=item.entry_id, item=item.pk)
    _after_decision(results, actor)
    return item


@transaction.atomic
def review_item_correct(
    *, actor, item: ReviewItem, judge, marks: Sequence[MarkInput], reason: str, device: str = ""
) -> ReviewItem:
    """The chief judge corrects a sampled entry's marks (更正由裁判长签字), with a reason.

    The judge's sheet is unlocked and locked again around the correction (both audited),
    and the correction goes through ``marks_submit`` as a chief correction, so the mark
    history records the chief judge, the reason and the old → new values; those history
    rows are linked to the item. Every mark must be of the item's entry.

    Concurrency: the EventResults row lock, then the item's, then ``marks_submit``'s locks.
    """
    event = item.event
    require_chief_judge(actor, event)
    if not (reason or "").strip():
        raise error("reason_required", field="reason")
    # The unlock and relock audit rows carry it with a prefix: room is kept for that.
    require_clean("reason", reason, max_length=REASON_MAX_LENGTH - 20)
    if not marks:
        raise error("correction_required", field="marks")
    results = _locked_results(event)
    _require_stage(results, Stage.REVIEW)
    item = _locked_item(item, event)
    for index, mark in enumerate(marks):
        if mark.entry != item.entry_id:
            raise error("entry_not_in_event", field=f"marks[{index}].entry")
    sheet = Sheet.objects.filter(entry_id=item.entry_id, judge=judge).first()
    relock = sheet is not None and sheet.is_locked
    if relock:
        sheet_unlock(actor=actor, sheet=sheet, reason=_("复核更正：%(reason)s") % {"reason": reason})
    key = f"review-{item.pk}-{uuid.uuid4().hex[:12]}"
    marks_submit(judge=judge, actor=actor, event=event, marks=marks, idempotency_key=key, reason=reason, device=device)
    if relock:
        sheet_lock(actor=actor, sheet=sheet, reason=_("复核更正后锁定：%(reason)s") % {"reason": reason})
    changes = list(MarkHistory.objects.filter(idempotency_key=key, actor=actor))
    if not changes:
        raise error("correction_required", field="marks")
    item.corrections.add(*changes)
    item.status, item.note = ReviewItem.Status.CORRECTED, reason
    item.reviewed_by, item.reviewed_at = actor, timezone.now()
    item.save()
    _audit(
        event, Action.REVIEW_CORRECT, actor, reason, entry=item.entry_id, item=item.pk, history=[h.pk for h in changes]
    )
    _after_decision(results, actor)
    return item


# --------------------------------------------------------------------------
# Decoding (解密)


@transaction.atomic
def results_decode(*, actor, event: Event, reason: str = "") -> EventResults:
    """The chief judge decodes the event once the review is complete: names appear beside codes.

    Records the decoding through ``competitions.services.event_decode`` (the event's row lock) and sends
    ``scoring.signals.event_decoded`` after commit. 409 ``review_not_complete`` before.
    """
    require_chief_judge(actor, event)
    results = _locked_results(event)
    if results.stage in (Stage.MARKING, Stage.REVIEW) and results.review_completed_at is None:
        raise error("review_not_complete")
    _require_stage(results, Stage.REVIEW)
    _require_no_open_appeal(event)
    decoded = event_decode(event=event, actor=actor)
    event.decoded_at, event.decoded_by = decoded.decoded_at, decoded.decoded_by
    results.stage = Stage.DECODED
    results.save()
    _audit(event, Action.DECODE, actor, reason)
    signals.event_decoded_on_commit(event.pk)
    return results


# --------------------------------------------------------------------------
# Announcement (公示) and objections


@transaction.atomic
def results_announce(*, actor, event: Event, days: int = ANNOUNCEMENT_DAYS, contact: str = "") -> EventResults:
    """Publish the decoded results for an announcement period of ``days`` (1–30) with a contact for objections.

    The chief judge or an organiser. Announcing again (after an upheld objection and the
    correction it called for) opens a new period. Takes the EventResults row lock.
    409 ``review_not_complete`` / ``not_decoded`` before those steps.
    """
    require_chief_judge(actor, event)
    require_clean("contact", (contact or "").strip(), line=True, max_length=200)
    results = _locked_results(event)
    if results.stage in (Stage.MARKING, Stage.REVIEW):
        raise error("review_not_complete" if results.review_completed_at is None else "results_not_decoded")
    _require_stage(results, Stage.DECODED, Stage.ANNOUNCED)
    if (
        results.stage == Stage.ANNOUNCED
        and not blocking_objections(results).filter(status=Objection.Status.UPHELD).exists()
    ):
        raise error("results_stage_invalid", extra={"stage": results.stage})
    if not isinstance(days, int) or not 1 <= days <= MAX_ANNOUNCEMENT_DAYS:
        raise error("announcement_days_invalid", field="days")
    _require_no_open_appeal(event)
    now = timezone.now()
    results.stage = Stage.ANNOUNCED
    results.announced_at, results.announced_by = now, actor
    results.announcement_ends_at = now + timedelta(days=days)
    results.contact = (contact or "").strip()
    results.save()
    _audit(event, Action.ANNOUNCE, actor, days=days, ends_at=results.announcement_ends_at.isoformat())
    return results


@transaction.atomic
def results_reopen(*, actor, event: Event, codes: Sequence[str], reason: str) -> EventResults:
    """After an upheld objection, the chief judge reopens the review for the entries it concerns (by code).

    A new review round: one pending item per entry (reason ``objection``); the earlier rounds'
    decisions stay as they were. The stage goes back to review, so the entries can be
    confirmed or corrected as in the review (the correction unlocks and relocks the judge's
    sheet, audited); once the round is done the event is decoded again, ready to be
    announced for a new period. Takes the EventResults row lock.
    409 ``results_stage_invalid`` unless announced with an objection upheld in this period.
    """
    require_chief_judge(actor, event)
    if not (reason or "").strip():
        raise error("reason_required", field="reason")
    require_clean("reason", reason, max_length=300)
    codes = list(dict.fromkeys(code for code in codes or () if code))
    if not codes:
        raise error("entries_required", field="entries")
    results = _locked_results(event)
    upheld = blocking_objections(results).filter(status=Objection.Status.UPHELD)
    if results.stage != Stage.ANNOUNCED or not upheld.exists():
        raise error("results_stage_invalid", extra={"stage": results.stage})
    entries = dict(Entry.objects.filter(event=event, code__in=codes).values_list("code", "pk"))
    unknown = [code for code in codes if code not in entries]
    if unknown:
        raise error("entry_not_in_event", field="entries", extra={"codes": unknown})
    round_ = (
        ReviewItem.objects.filter(event=event).order_by("-round").values_list("round", flat=True).first() or 1
    ) + 1
    ReviewItem.objects.bulk_create(
        [
            ReviewItem(event=event, entry_id=entries[code], reason=ReviewItem.Reason.OBJECTION, round=round_)
            for code in codes
        ]
    )
    results.stage, results.review_completed_at = Stage.REVIEW, None
    results.save()
    _audit(
        event,
        Action.REOPEN,
        actor,
        reason,
        round=round_,
        entries=[entries[code] for code in codes],
        objections=sorted(upheld.values_list("pk", flat=True)),
    )
    return results


@transaction.atomic
def objection_file(*, event: Event, name: str, contact: str, text: str) -> Objection:
    """Anyone records an objection (异议) during the announcement period. Takes the EventResults row lock."""
    name, contact, text = (name or "").strip(), (contact or "").strip(), (text or "").strip()
    if not (name and contact and text):
        raise error("objection_text_required", field="text" if name and contact else "name" if not name else "contact")
    # The public notice's form reaches here without a serializer: the same text rule as the API.
    require_clean("name", name, line=True, max_length=60)
    require_clean("contact", contact, line=True, max_length=60)
    require_clean("text", text, max_length=2000)
    results = _locked_results(event)
    if results.stage != Stage.ANNOUNCED:
        raise error("not_announced")
    if timezone.now() >= results.announcement_ends_at:
        raise error("announcement_over")
    objection = Objection.objects.create(event=event, name=name, contact=contact, text=text)
    _audit(event, Action.OBJECTION_FILED, None, objection=objection.pk)
    return objection


@transaction.atomic
def objection_decide(*, actor, objection: Objection, status: str, decision: str) -> Objection:
    """The organiser rules on an objection: upheld (the result must be corrected and announced again) or dismissed.

    Locks the objection row; decided once.
    """
    objection = Objection.objects.select_for_update().select_related("event__competition").get(pk=objection.pk)
    require_organiser(actor, objection.event.competition)
    if status not in (Objection.Status.UPHELD, Objection.Status.DISMISSED):
        raise error("invalid_status", field="status")
    if not (decision or "").strip():
        raise error("decision_required", field="decision")
    require_clean("decision", decision.strip(), max_length=300)
    if objection.status != Objection.Status.OPEN:
        raise error("objection_not_open")
    objection.status, objection.decision = status, decision.strip()
    objection.decided_by, objection.decided_at = actor, timezone.now()
    objection.save()
    _audit(objection.event, Action.OBJECTION_DECIDED, actor, decision, objection=objection.pk, status=status)
    return objection


@transaction.atomic
def results_finalise(*, actor, event: Event) -> EventResults:
    """The organiser records that the results are final: the period is over with no open or upheld objection.

    Results read as final without this step too (``results_selectors.results_stage``);
    this records who confirmed it and when. Takes the EventResults row lock.
    """
    require_organiser(actor, event.competition)
    results = _locked_results(event)
    if results.stage == Stage.FINAL:
        return results
    if results.stage != Stage.ANNOUNCED:
        raise error("not_announced")
    if timezone.now() < results.announcement_ends_at:
        raise error("announcement_not_over")
    if blocking_objections(results).exists():
        raise error("objections_open")
    _require_no_open_appeal(event)
    results.stage, results.final_at, results.finalised_by = Stage.FINAL, timezone.now(), actor
    results.save()
    _audit(event, Action.FINALISE, actor)
    return results
