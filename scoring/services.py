"""Writes of the scoring module: schemes, marks, sheets and appeals.

Every service is keyword-only and atomic. Mark writes of one event are
serialised by a row lock on its ``EventStandingsVersion`` (taken first, with
``select_for_update``), so the version counter only ever grows by one per
committed change and two batches never interleave their upserts. Broadcasting
happens after commit through ``scoring.signals``, never inside the transaction.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from competitions.access import (
    entry_unit,
    entry_units,
    raise_recused,
    recusal_units,
    require_arbitrator,
    require_chief_judge,
    require_judge,
    require_organiser,
)
from competitions.models import Entry, Event, Organisation
from competitions.selectors import judge_assignment
from config.errors import DomainError, error, message
from config.text import require_clean
from scoring import signals
from scoring.decimal_rules import NotANumberError, to_decimal
from scoring.models import (
    Appeal,
    Criterion,
    DeclaredAttempt,
    EventResults,
    EventStandingsVersion,
    IdempotencyRecord,
    Mark,
    MarkHistory,
    MarkingScheme,
    ResultsAudit,
    SchemeRevision,
    Sheet,
    SheetAudit,
)
from scoring.selectors import (
    criterion_judges,
    criterion_to_pure,
    panel_judge_ids,
    scheme_build,
    scheme_check,
    scheme_snapshot,
)
from scoring.validation import MarkValueError, validate_mark


def decimal_text(value: Decimal | None) -> str | None:
    """A Decimal as plain text without trailing zeros ("7.5", "15"), for JSON bodies."""
    if value is None:
        return None
    return format(value.normalize(), "f")


# --------------------------------------------------------------------------
# Schemes


def _check_assigned_judges(event: Event, criteria: list[Criterion]) -> None:
    """Judges named on a criterion must judge the event (judge or chief judge): 400 otherwise."""
    for index, criterion in enumerate(criteria):
        for user_id in getattr(criterion, "assigned_judge_ids", ()):
            user = get_user_model().objects.filter(pk=user_id).first()
            if user is None or judge_assignment(user, event) is None:
                raise error("criterion_judge_not_in_event", field=f"criteria[{index}].judges")


def _apply_scheme(scheme: MarkingScheme, data: dict) -> MarkingScheme:
    existing = {c.code: c for c in scheme.criteria.all()} if scheme.pk else {}
    scheme, criteria = scheme_build(data, scheme)
    scheme_check(scheme, criteria)
    _check_assigned_judges(scheme.event, criteria)
    kept = {c.code for c in criteria}
    removed = [c for code, c in existing.items() if code not in kept]
    if removed and Mark.objects.filter(criterion__in=removed).exists():
        raise error("criterion_has_marks", field="criteria")
    scheme.save()
    for criterion in removed:
        criterion.delete()
    for criterion in criteria:
        criterion.scheme = scheme
        criterion.save()
        if hasattr(criterion, "assigned_judge_ids"):
            criterion.judges.set(criterion.assigned_judge_ids)
    signals.scheme_changed_on_commit(event_id=scheme.event_id)
    return scheme


def _scheme_has_marks(scheme: MarkingScheme) -> bool:
    return bool(scheme.pk) and Mark.objects.filter(criterion__scheme=scheme).exists()


@transaction.atomic
def scheme_save(*, user, event: Event, data: dict) -> MarkingScheme:
    """Create or replace the scheme of ``event`` (organisers only).

    ``data`` holds scheme fields and optionally ``criteria``: a list of dicts,
    matched to existing criteria by ``code``. Once any mark exists the scheme
    is frozen (409 ``scheme_has_marks``): change it with ``scheme_revise``.
    Takes the event's standings lock (as mark batches do) and the scheme row
    lock, so no mark can slip in between the check and the write.
    """
    require_organiser(user, event.competition)
    _lock_standings_version(event)
    scheme = MarkingScheme.objects.select_for_update().filter(event=event).first() or MarkingScheme(event=event)
    if _scheme_has_marks(scheme):
        raise error("scheme_has_marks")
    return _apply_scheme(scheme, data)


@transaction.atomic
def scheme_revise(*, user, scheme: MarkingScheme, data: dict, reason: str) -> MarkingScheme:
    """Change a scheme that may already have marks, keeping an audited snapshot.

    A reason is required. The old scheme is stored as JSON in a SchemeRevision
    and ``revision`` goes up by one. Criteria that have marks can be edited
    but not removed. Takes the event's standings lock (like a mark batch) and
    bumps the standings version, since every total may change.
    """
    require_organiser(user, scheme.event.competition)
    if not (reason or "").strip():
        raise error("reason_required", field="reason")
    require_reason_fits(reason)
    standings = _lock_standings_version(scheme.event)
    scheme = MarkingScheme.objects.select_for_update().get(pk=scheme.pk)
    SchemeRevision.objects.create(
        scheme=scheme, revision=scheme.revision, snapshot=scheme_snapshot(scheme), reason=reason, revised_by=user
    )
    scheme.revision += 1
    _apply_scheme(scheme, data)
    _bump_standings_version(standings)
    return scheme


@transaction.atomic
def scheme_delete(*, user, scheme: MarkingScheme) -> None:
    """Delete a scheme that has no marks yet (409 ``scheme_has_marks`` otherwise)."""
    require_organiser(user, scheme.event.competition)
    if _scheme_has_marks(scheme):
        raise error("scheme_has_marks")
    event_id = scheme.event_id
    scheme.delete()
    signals.scheme_changed_on_commit(event_id=event_id)


# --------------------------------------------------------------------------
# Standings version


def _lock_standings_version(event: Event) -> EventStandingsVersion:
    EventStandingsVersion.objects.get_or_create(event=event)
    return EventStandingsVersion.objects.select_for_update().get(event=event)


def _bump_standings_version(standings: EventStandingsVersion) -> int:
    standings.version += 1
    standings.save(update_fields=["version", "updated_at"])
    signals.standings_changed_on_commit(standings.event_id, standings.version)
    return standings.version


# --------------------------------------------------------------------------
# Marks


@dataclass(frozen=True)
class MarkInput:
    """One mark of a batch, as the API's serializer hands it over: typed, not yet checked against the scheme.

    ``value`` and ``penalty`` stay text until the criterion's rules parse them (range, step, places).
    ``version`` is the version the client based its write on (None or 0 for a new mark).
    """

    entry: int
    criterion: str
    attempt: int = 1
    value: str | None = None
    penalty: str | None = "0"
    status: str = Mark.Status.OK
    version: int | None = None


@dataclass(frozen=True)
class BatchResult:
    """The body of an idempotent call (a mark batch, a bulk sheet action), and whether it was replayed."""

    response: dict
    replayed: bool


@dataclass
class _Checked:
    """A mark that passed the scheme's rules, with its stored row (if any) once planned."""

    mark_input: MarkInput
    criterion: Criterion
    value: Decimal | None
    penalty: Decimal
    stored: Mark | None = None
    changed: bool = False


def _canonical(value) -> str | None:
    if value is None or value == "":
        return None
    try:
        number = to_decimal(value)
        if abs(number.adjusted()) > _CANONICAL_DIGITS:
            # "1E+999999999" written out in full would be a billion digits; validation refuses it.
            return repr(value)
        return decimal_text(number)
    except (NotANumberError, ArithmeticError):
        # Not a number, or one too large to normalise: keep its text; validation refuses it later.
        return repr(value)


_CANONICAL_DIGITS = 30


def _fingerprint(payload: dict) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> BatchResult:
    if record.fingerprint != fingerprint:
        raise error("idempotency_key_reused", field="idempotency_key")
    return BatchResult(record.response, replayed=True)


def _mark_state(mark: Mark) -> dict:
    return {
        "entry": mark.entry_id,
        "criterion": mark.criterion.code,
        "attempt": mark.attempt,
        "value": decimal_text(mark.value),
        "penalty": decimal_text(mark.penalty),
        "status": mark.status,
        "version": mark.version,
    }


class _Errors:
    """Collects per-field 400s so one response lists every bad mark."""

    def __init__(self):
        self.items: list[tuple[str, str]] = []

    def add(self, field: str, code: str) -> None:
        self.items.append((field, code))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        errors: dict[str, list[str]] = {}
        for field, code in self.items:
            errors.setdefault(field, []).append(str(message(code)))
        field, code = self.items[0]
        raise error(code, field=field, extra={"errors": errors})


# The codes of scoring.validation's MarkValueError, which the tablet checks before sending.
MARK_VALUE_CODES = (
    "out_of_range",
    "off_step",
    "too_precise",
    "not_a_number",
    "value_required",
    "unknown_status",
    "status_not_allowed",
    "penalty_negative",
    "penalty_not_allowed",
    "penalty_out_of_range",
)


def _batch_key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if not key:
        raise error("idempotency_key_required", field="idempotency_key")
    if len(key) > 100:
        raise error("idempotency_key_invalid", field="idempotency_key")
    return key


def _batch_fingerprint(*, event: Event, judge, marks: Sequence[MarkInput], reason: str, appeal_id) -> str:
    return _fingerprint(
        {
            "scope": f"marks:{event.pk}",
            "judge": judge.pk,
            "marks": [
                {
                    "entry": m.entry,
                    "criterion": m.criterion,
                    "attempt": m.attempt,
                    "value": _canonical(m.value),
                    "penalty": _canonical(m.penalty if m.penalty not in (None, "") else 0),
                    "status": m.status,
                    "version": m.version,
                }
                for m in marks
            ],
            "reason": reason or "",
            "appeal": appeal_id,
        }
    )


def _validate(*, judge, actor, event: Event, marks: Sequence[MarkInput]) -> list[_Checked]:
    """Every mark against the event, the scheme, recusal and the panels; all bad fields in one 400.

    Recusal holds for the judge whose marks these are and for whoever writes them (a chief
    judge correcting a mark of their own unit's entry is refused too).

    Panels: the marks are the judge's, so the judge must be on the criterion's panel
    (``selectors.criterion_panel``): its assigned judges (403 ``criterion_not_assigned``),
    else the event's judges with the role judge (403 ``not_on_panel`` — a chief judge's own
    marks never join a panel). A chief judge's correction of a panel judge's mark passes:
    the judge whose mark it is is on the panel.
    """
    if not marks:
        raise error("marks_required", field="marks")
    errors = _Errors()
    entries = entry_units(event=event, entry_ids={m.entry for m in marks})
    scheme = MarkingScheme.objects.filter(event=event).first()
    criteria = {c.code: c for c in scheme.criteria.all()} if scheme else {}
    pure_criteria = {code: criterion_to_pure(c, scheme.decimals) for code, c in criteria.items()}
    recused_units = recusal_units(judge, event.competition) | recusal_units(actor, event.competition)
    assigned = criterion_judges(list(criteria.values()))
    on_panel = judge.pk in panel_judge_ids(event)
    seen = set()
    checked = []
    for index, mark in enumerate(marks):
        here = f"marks[{index}]"
        if mark.entry not in entries:
            errors.add(f"{here}.entry", "entry_not_in_event")
            continue
        if entries[mark.entry] in recused_units:
            raise_recused(field=f"{here}.entry")
        criterion = criteria.get(mark.criterion)
        if criterion is None:
            errors.add(f"{here}.criterion", "unknown_criterion")
            continue
        if criterion.pk in assigned:
            if judge.pk not in assigned[criterion.pk]:
                raise error("criterion_not_assigned", field=f"{here}.criterion")
        elif not on_panel:
            raise error("not_on_panel", field=f"{here}.criterion")
        if not 1 <= mark.attempt <= criterion.attempts:
            errors.add(f"{here}.attempt", "attempt_out_of_range")
            continue
        natural_key = (mark.entry, criterion.pk, mark.attempt)
        if natural_key in seen:
            errors.add(here, "duplicate_mark")
            continue
        seen.add(natural_key)
        penalty = mark.penalty if mark.penalty not in (None, "") else 0
        try:
            value, penalty = validate_mark(pure_criteria[criterion.code], mark.value, penalty, mark.status)
        except MarkValueError as exc:
            errors.add(f"{here}.{exc.field}", exc.code)
            continue
        checked.append(_Checked(mark, criterion, value, penalty))
    errors.raise_if_any()
    return checked


def _open_appeal(*, event: Event, appeal_id: int | None) -> Appeal | None:
    if appeal_id is None:
        return None
    appeal = Appeal.objects.select_related("entry").filter(pk=appeal_id).first()
    if appeal is None:
        raise error("unknown_appeal", field="appeal")
    if appeal.entry.event_id != event.pk:
        raise error("appeal_not_in_event", field="appeal")
    if appeal.status != Appeal.Status.OPEN:
        raise error("appeal_not_open", field="appeal")
    return appeal


def _plan(*, judge, checked: list[_Checked]) -> list[_Checked]:
    """Lock the sheets and marks the batch touches and decide what changes.

    409 ``sheet_locked`` if any sheet is locked; 409 ``version_conflict`` if a changed
    mark was based on another version than the stored one. A write identical to the
    stored mark is a no-op whatever its version, so retries are harmless.
    """
    entry_ids = {c.mark_input.entry for c in checked}
    sheets = {s.entry_id: s for s in Sheet.objects.select_for_update().filter(entry_id__in=entry_ids, judge=judge)}
    locked = sorted(entry_id for entry_id, sheet in sheets.items() if sheet.is_locked)
    if locked:
        raise error("sheet_locked", extra={"entries": locked})
    stored = {
        (m.entry_id, m.criterion_id, m.attempt): m
        for m in Mark.objects.select_for_update().filter(
            entry_id__in=entry_ids, judge=judge, criterion_id__in={c.criterion.pk for c in checked}
        )
    }
    conflicts = []
    for item in checked:
        mark_input = item.mark_input
        item.stored = stored.get((mark_input.entry, item.criterion.pk, mark_input.attempt))
        current = item.stored.version if item.stored is not None else 0
        same = item.stored is not None and (item.stored.value, item.stored.penalty, item.stored.status) == (
            item.value,
            item.penalty,
            mark_input.status,
        )
        item.changed = not same
        if item.changed and (mark_input.version or 0) != current:
            conflicts.append(
                _mark_state(item.stored)
                if item.stored is not None
                else {
                    "entry": mark_input.entry,
                    "criterion": item.criterion.code,
                    "attempt": mark_input.attempt,
                    "value": None,
                    "penalty": None,
                    "status": None,
                    "version": 0,
                }
            )
    if conflicts:
        raise error("version_conflict", extra={"current": conflicts[0], "conflicts": conflicts})
    new_sheets = entry_ids - sheets.keys()
    Sheet.objects.bulk_create([Sheet(entry_id=entry_id, judge=judge) for entry_id in new_sheets])
    return checked


def _apply(*, judge, actor, plan: list[_Checked], device: str, reason: str, key: str, appeal) -> tuple[list, list]:
    """Upsert the changed marks and append their history. Returns (result rows, the ids of the changed marks)."""
    history = []
    results = []
    for item in plan:
        mark_input, mark = item.mark_input, item.stored
        if item.changed:
            old = (None, None, "") if mark is None else (mark.value, mark.penalty, mark.status)
            if mark is None:
                mark = Mark(
                    entry_id=mark_input.entry, criterion=item.criterion, judge=judge, attempt=mark_input.attempt
                )
                mark.version = 0
            mark.value, mark.penalty, mark.status = item.value, item.penalty, mark_input.status
            mark.version += 1
            mark.device = device[:80]
            mark.save()
            history.append(
                MarkHistory(
                    mark=mark,
                    actor=actor,
                    device=device[:80],
                    old_value=old[0],
                    new_value=item.value,
                    old_penalty=old[1],
                    new_penalty=item.penalty,
                    old_status=old[2],
                    new_status=mark_input.status,
                    version=mark.version,
                    reason=reason[:200],
                    idempotency_key=key,
                    appeal=appeal,
                )
            )
        mark.criterion = item.criterion
        results.append({**_mark_state(mark), "changed": item.changed})
    MarkHistory.objects.bulk_create(history)
    return results, [row.mark_id for row in history]


REASON_MAX_LENGTH = 200  # the audit rows' reason columns (MarkHistory, SheetAudit, SchemeRevision)


def require_reason_fits(reason: str, field: str = "reason") -> None:
    """A reason typed into a plain form is refused when longer than the audit can keep, never cut."""
    require_clean(field, reason or "", max_length=REASON_MAX_LENGTH)


def _require_writer(*, judge, actor, event: Event, reason: str) -> None:
    """The judge marks this event; anyone else writing their marks is its chief judge, with a reason."""
    require_reason_fits(reason)
    if actor.pk != judge.pk:
        require_chief_judge(actor, event)
        if not (reason or "").strip():
            raise error("reason_required", field="reason")
    require_judge(judge, event)


def marks_check(*, judge, actor, event: Event, marks: Sequence[MarkInput]) -> None:
    """Everything ``marks_submit`` checks before it writes (writer, scheme, recusal, panels), writing nothing.

    For previews (a marks import's dry run). Raises the same errors; versions and locks are
    the write's to check, under its locks.
    """
    _require_writer(judge=judge, actor=actor, event=event, reason="check")
    _validate(judge=judge, actor=actor, event=event, marks=marks)


@transaction.atomic
def marks_submit(
    *,
    judge,
    event: Event,
    marks: Sequence[MarkInput],
    idempotency_key: str,
    device: str = "",
    reason: str = "",
    appeal_id: int | None = None,
    actor=None,
) -> BatchResult:
    """Upsert a judge's batch of marks on (entry, criterion, judge, attempt), all or nothing.

    Reads as validate → plan → apply. ``actor`` (default: the judge) is who sends the
    batch. A chief judge may send a correction of another judge's marks (更正由裁判长签字):
    a reason is then required, and the history records the chief judge as the one who
    changed them.

    Concurrency: takes the event's standings-version row lock first, then locks the
    sheets and marks it touches, so batches of one event run one at a time. The
    ``(user, idempotency_key)`` record is read under that lock: a replay returns the
    stored original body and writes nothing. The standings version is bumped once per
    batch that changed something, and ``scoring.signals.standings_changed`` is sent
    after commit.

    Errors: 403 ``not_assigned`` / ``conflict_of_interest`` / ``not_chief_judge``; 400 per
    field (``entry_not_in_event``, ``unknown_criterion``, ``attempt_out_of_range``,
    ``out_of_range``, ``off_step``…, ``unknown_appeal``, ``idempotency_key_reused``);
    409 ``version_conflict`` (body lists current values) and ``sheet_locked``.
    """
    key = _batch_key(idempotency_key)
    actor = actor or judge
    _require_writer(judge=judge, actor=actor, event=event, reason=reason)
    fingerprint = _batch_fingerprint(event=event, judge=judge, marks=marks, reason=reason, appeal_id=appeal_id)

    standings = _lock_standings_version(event)
    record = IdempotencyRecord.objects.filter(user=actor, key=key).first()
    if record is not None:
        return _replay(record, fingerprint)

    checked = _validate(judge=judge, actor=actor, event=event, marks=marks)
    appeal = _open_appeal(event=event, appeal_id=appeal_id)
    plan = _plan(judge=judge, checked=checked)
    results, changed = _apply(judge=judge, actor=actor, plan=plan, device=device, reason=reason, key=key, appeal=appeal)

    version = _bump_standings_version(standings) if changed else standings.version
    if changed:
        signals.marks_changed_on_commit(
            event_id=event.pk, judge_id=judge.pk, actor_id=actor.pk, mark_ids=changed, reason=reason
        )
    response = {"marks": results, "standings_version": version}
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                user=actor, key=key, scope=f"marks:{event.pk}", fingerprint=fingerprint, response=response
            )
    except IntegrityError:
        # The same key was just used for another event's batch (a different lock).
        raise error("idempotency_key_reused", field="idempotency_key") from None
    return BatchResult(response, replayed=False)


# --------------------------------------------------------------------------
# Sheets


def _move_sheet(sheet: Sheet, *, actor, action: str, to_state: str, reason: str = "") -> Sheet:
    from_state = sheet.state
    sheet.state = to_state
    sheet.save()
    SheetAudit.objects.create(
        sheet=sheet, action=action, from_state=from_state, to_state=to_state, reason=reason, actor=actor
    )
    signals.sheet_changed_on_commit(
        event_id=sheet.entry.event_id, entry_id=sheet.entry_id, judge_id=sheet.judge_id, state=to_state, reason=reason
    )
    return sheet


def _locked_sheet(sheet: Sheet) -> Sheet:
    return Sheet.objects.select_for_update().select_related("entry__event__competition").get(pk=sheet.pk)


@transaction.atomic
def sheet_submit(*, judge, entry: Entry) -> Sheet:
    """The judge hands in their sheet for ``entry`` (draft → submitted). Locks the sheet row."""
    require_judge(judge, entry.event)
    Sheet.objects.get_or_create(entry=entry, judge=judge)
    sheet = Sheet.objects.select_for_update().get(entry=entry, judge=judge)
    sheet.entry = entry  # known: no query for it when the change is announced
    if sheet.is_locked:
        raise error("sheet_locked")
    if sheet.state == Sheet.State.SUBMITTED:
        return sheet
    sheet.submitted_at = timezone.now()
    return _move_sheet(sheet, actor=judge, action=SheetAudit.Action.SUBMIT, to_state=Sheet.State.SUBMITTED)


@transaction.atomic
def sheet_lock(*, actor, sheet: Sheet, reason: str = "") -> Sheet:
    """The chief judge locks a sheet: its marks can no longer change. Locks the sheet row."""
    require_reason_fits(reason)
    sheet = _locked_sheet(sheet)
    require_chief_judge(actor, sheet.entry.event)
    if sheet.is_locked:
        raise error("sheet_locked")
    sheet.locked_by, sheet.locked_at, sheet.reason = actor, timezone.now(), reason
    return _move_sheet(sheet, actor=actor, action=SheetAudit.Action.LOCK, to_state=Sheet.State.LOCKED, reason=reason)


@transaction.atomic
def sheets_lock(*, actor, event: Event, entries: Sequence[Entry], reason: str = "") -> list[Sheet]:
    """The chief judge locks every open sheet (draft or submitted) of ``entries`` at once: a round, or the desk's rows.

    Each sheet goes through ``sheet_lock`` (its row lock, its audit row); entries of another
    event are left out. A missing sheet (a judge who has not marked) has nothing to lock.
    """
    require_chief_judge(actor, event)
    open_sheets = (
        Sheet.objects.filter(entry__event=event, entry__in=list(entries))
        .exclude(state__in=[Sheet.State.LOCKED, Sheet.State.PUBLISHED])
        .order_by("entry_id", "judge_id")
    )
    return [sheet_lock(actor=actor, sheet=sheet, reason=reason) for sheet in open_sheets]


@transaction.atomic
def sheet_unlock(*, actor, sheet: Sheet, reason: str) -> Sheet:
    """Chief judge only; a reason is required and audited. Back to submitted. Locks the sheet row.

    Only while marking or under review (a review correction unlocks, corrects and relocks): once
    the event is decoded, announced or final its marks no longer change (409 ``results_stage_invalid``).
    """
    if not (reason or "").strip():
        raise error("reason_required", field="reason")
    require_reason_fits(reason)
    sheet = _locked_sheet(sheet)
    require_chief_judge(actor, sheet.entry.event)
    stage = EventResults.objects.filter(event_id=sheet.entry.event_id).values_list("stage", flat=True).first()
    if stage not in (None, EventResults.Stage.MARKING, EventResults.Stage.REVIEW):
        raise error("results_stage_invalid")
    if not sheet.is_locked:
        raise error("sheet_not_locked")
    sheet.locked_by, sheet.locked_at, sheet.reason = None, None, reason
    return _move_sheet(
        sheet, actor=actor, action=SheetAudit.Action.UNLOCK, to_state=Sheet.State.SUBMITTED, reason=reason
    )


@transaction.atomic
def sheet_publish(*, actor, sheet: Sheet) -> Sheet:
    """Chief judge publishes a locked sheet (locked → published). Locks the sheet row."""
    sheet = _locked_sheet(sheet)
    require_chief_judge(actor, sheet.entry.event)
    if sheet.state != Sheet.State.LOCKED:
        raise error("sheet_not_locked")
    return _move_sheet(sheet, actor=actor, action=SheetAudit.Action.PUBLISH, to_state=Sheet.State.PUBLISHED)


SHEET_BULK_ACTIONS = ("submit", "lock", "unlock", "publish")
# The sheets a bulk action takes when the caller names none: those it moves on from.
_BULK_FROM_STATES = {
    "submit": [Sheet.State.DRAFT],
    "lock": [Sheet.State.SUBMITTED],
    "unlock": [Sheet.State.LOCKED],
    "publish": [Sheet.State.LOCKED],
}


def _bulk_targets(*, actor, event: Event, action: str, sheet_ids, entry_ids) -> list[tuple[str | None, object]]:
    """``(field, sheet or entry)`` pairs in (entry, judge) order, the order ``results_close_marking`` locks in.

    Named sheets must be of this event (and, to submit, the caller's own): 404 ``not_found`` on
    ``sheets[i]``, as the single actions answer a sheet one may not see.
    """
    if entry_ids is not None:
        entries = Entry.objects.filter(pk__in=entry_ids, event=event).select_related("event__competition").in_bulk()
        targets = []
        for index, entry_id in enumerate(entry_ids):
            if entry_id not in entries:
                raise error("entry_not_in_event", field=f"entries[{index}]")
            targets.append((f"entries[{index}]", entries[entry_id]))
        return sorted(targets, key=lambda target: target[1].pk)
    sheets = Sheet.objects.filter(entry__event=event).select_related("entry__event__competition")
    if action == "submit":
        sheets = sheets.filter(judge=actor)
    if sheet_ids is None:
        movable = sheets.filter(state__in=_BULK_FROM_STATES[action]).order_by("entry", "judge")
        return [(None, sheet) for sheet in movable]
    found = sheets.in_bulk(sheet_ids)
    targets = []
    for index, sheet_id in enumerate(sheet_ids):
        if sheet_id not in found:
            raise error("not_found", field=f"sheets[{index}]")
        targets.append((f"sheets[{index}]", found[sheet_id]))
    return sorted(targets, key=lambda target: (target[1].entry_id, target[1].judge_id))


def _bulk_apply(*, actor, action: str, target, reason: str) -> Sheet:
    if action == "submit":
        return sheet_submit(judge=actor, entry=target if isinstance(target, Entry) else target.entry)
    if action == "lock":
        return sheet_lock(actor=actor, sheet=target, reason=reason)
    if action == "unlock":
        return sheet_unlock(actor=actor, sheet=target, reason=reason)
    return sheet_publish(actor=actor, sheet=target)


@transaction.atomic
def sheets_bulk(
    *,
    actor,
    event: Event,
    action: str,
    idempotency_key: str,
    sheet_ids: Sequence[int] | None = None,
    entry_ids: Sequence[int] | None = None,
    reason: str = "",
) -> BatchResult:
    """Submit, lock, unlock or publish many sheets of ``event`` in one call, all or nothing.

    Each sheet goes through the single action (``sheet_submit``, ``sheet_lock``…), so the rules
    are theirs: judges submit their own sheets (by ``sheet_ids`` or ``entry_ids``), the event's
    chief judge locks, unlocks (with a reason) and publishes. With neither list, the action takes
    every sheet of the event it moves on from (submit: the caller's drafts; lock: submitted
    sheets; unlock and publish: locked ones). The first refusal undoes the whole call; it keeps
    its code and names the item (``sheets[3]``, with ``"sheet": <id>``).

    Concurrency: takes the event's standings-version row lock first, as ``marks_submit`` does, so
    bulk calls and mark batches of one event run one at a time; then each sheet's row lock, in
    (entry, judge) order. The ``(user, idempotency_key)`` record is read under that lock: a
    replay returns the original body and changes nothing.
    """
    key = _batch_key(idempotency_key)
    if action == "submit":
        require_judge(actor, event)
    else:
        require_chief_judge(actor, event)
    if action == "unlock" and not (reason or "").strip():
        raise error("reason_required", field="reason")
    fingerprint = _fingerprint(
        {"scope": f"sheets:{event.pk}", "action": action, "sheets": sheet_ids, "entries": entry_ids, "reason": reason}
    )
    _lock_standings_version(event)
    record = IdempotencyRecord.objects.filter(user=actor, key=key).first()
    if record is not None:
        return _replay(record, fingerprint)

    done = []
    for field, target in _bulk_targets(
        actor=actor, event=event, action=action, sheet_ids=sheet_ids, entry_ids=entry_ids
    ):
        try:
            done.append(_bulk_apply(actor=actor, action=action, target=target, reason=reason))
        except DomainError as refused:
            if field is not None and refused.field is None:
                refused.field = field
            if isinstance(target, Sheet):
                refused.extra = {**refused.extra, "sheet": target.pk}
            raise
    items = [{"id": s.pk, "entry": s.entry.code, "judge": s.judge_id, "state": s.state} for s in done]
    response = {"action": action, "count": len(items), "sheets": items}
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                user=actor, key=key, scope=f"sheets:{event.pk}", fingerprint=fingerprint, response=response
            )
    except IntegrityError:
        raise error("idempotency_key_reused", field="idempotency_key") from None
    return BatchResult(response, replayed=False)


# --------------------------------------------------------------------------
# Appeals


def _results_row_locked(event: Event) -> EventResults:
    EventResults.objects.get_or_create(event=event)
    return EventResults.objects.select_for_update().get(event=event)


@transaction.atomic
def appeal_file(
    *,
    user,
    entry: Entry,
    reason: str,
    appellant: str = Appeal.Appellant.UNIT,
    appellant_name: str = "",
    unit: Organisation | None = None,
) -> Appeal:
    """Record a written appeal (申诉) from a team leader or the contestant's unit, on their behalf.

    The chief judge or an organiser records it (DOMAIN.md: written, to the supervision and
    arbitration group). The appeal names who appeals and the unit, which must be the entry's
    own. It is accepted until ``EventResults.appeal_window_hours`` (2 by default) after the
    event ended, which is when the chief judge closed marking (``results_close_marking``);
    later: 400 ``appeal_window_closed``. Takes the event's EventResults row lock, so the
    window is read under the same lock the chain's steps take.
    """
    event = entry.event
    require_chief_judge(user, event)
    if not (reason or "").strip():
        raise error("reason_required", field="reason")
    if appellant not in Appeal.Appellant.values:
        raise error("invalid", field="appellant")
    own_unit = entry_unit(entry)
    if unit is not None and unit.pk != own_unit:
        raise error("appeal_unit_mismatch", field="unit")
    results = _results_row_locked(event)
    if results.marking_closed_at is not None:
        closes = results.marking_closed_at + timedelta(hours=results.appeal_window_hours)
        if timezone.now() > closes:
            raise error("appeal_window_closed", hours=results.appeal_window_hours)
    appeal = Appeal.objects.create(
        entry=entry,
        filed_by=user,
        reason=reason,
        appellant=appellant,
        appellant_name=(appellant_name or "").strip()[:60],
        unit_id=own_unit,
    )
    ResultsAudit.objects.create(
        event=event,
        action=ResultsAudit.Action.APPEAL_FILED,
        actor=user,
        reason=reason[:300],
        data={"appeal": appeal.pk, "entry": entry.pk, "appellant": appellant},
    )
    return appeal


@transaction.atomic
def appeal_decide(*, user, appeal: Appeal, status: str, decision: str) -> Appeal:
    """The arbitration group's final decision (arbitrators or organisers). Locks the appeal row; decided once."""
    appeal = Appeal.objects.select_for_update().select_related("entry__event__competition").get(pk=appeal.pk)
    require_arbitrator(user, appeal.entry.event)
    if status not in (Appeal.Status.UPHELD, Appeal.Status.DISMISSED):
        raise error("invalid_status", field="status")
    if not (decision or "").strip():
        raise error("decision_required", field="decision")
    if appeal.status != Appeal.Status.OPEN:
        raise error("appeal_not_open")
    appeal.status, appeal.decision = status, decision
    appeal.decided_by, appeal.decided_at = user, timezone.now()
    appeal.save()
    ResultsAudit.objects.create(
        event=appeal.entry.event,
        action=ResultsAudit.Action.APPEAL_DECIDED,
        actor=user,
        reason=decision[:300],
        data={"appeal": appeal.pk, "status": status},
    )
    return appeal


# --------------------------------------------------------------------------
# Declared attempts (a diver's dive list: per-entry difficulty)


@dataclass(frozen=True)
class AttemptInput:
    """One declared attempt as the API or the Excel import hands it over (difficulty still text)."""

    entry: int
    criterion: str
    attempt: int
    difficulty: str
    label: str = ""


# What a stored difficulty can hold (DeclaredAttempt.difficulty: 6 digits, 3 decimals).
_DIFFICULTY_LIMIT = Decimal("999.999")
_DIFFICULTY_PLACES = 3


def _declared_problems(*, event: Event, items: Sequence[AttemptInput]) -> tuple[list, list[tuple[str, str]]]:
    """Check declared attempts against the event and scheme.

    Returns ``(rows, problems)``: ``rows`` are ``(index, entry id, criterion, attempt, label,
    difficulty)`` for the items that passed, ``problems`` ``(field, code)`` for the rest.
    """
    scheme = MarkingScheme.objects.filter(event=event).first()
    criteria = {c.code: c for c in scheme.criteria.all()} if scheme else {}
    entries = set(Entry.objects.filter(event=event, pk__in={i.entry for i in items}).values_list("pk", flat=True))
    rows, problems, seen = [], [], set()
    for index, item in enumerate(items):
        here = f"attempts[{index}]"
        criterion = criteria.get(item.criterion)
        if item.entry not in entries:
            problems.append((f"{here}.entry", "entry_not_in_event"))
        elif criterion is None:
            problems.append((f"{here}.criterion", "unknown_criterion"))
        elif not 1 <= item.attempt <= criterion.attempts:
            problems.append((f"{here}.attempt", "attempt_out_of_range"))
        elif (item.entry, criterion.pk, item.attempt) in seen:
            problems.append((here, "duplicate_attempt"))
        else:
            try:
                difficulty = to_decimal(item.difficulty)
            except NotANumberError:
                problems.append((f"{here}.difficulty", "difficulty_invalid"))
                continue
            exponent = difficulty.as_tuple().exponent
            if not 0 < difficulty <= _DIFFICULTY_LIMIT or -exponent > _DIFFICULTY_PLACES:
                problems.append((f"{here}.difficulty", "difficulty_invalid"))
                continue
            seen.add((item.entry, criterion.pk, item.attempt))
            rows.append((index, item.entry, criterion, item.attempt, item.label[:30], difficulty))
    return rows, problems


@transaction.atomic
def declared_attempts_save(*, user, event: Event, items: Sequence[AttemptInput]) -> list[DeclaredAttempt]:
    """Upsert entries' declared attempts (organisers only), all or nothing.

    An entry's attempts on a criterion are frozen once it has a mark there: 409
    ``declared_attempts_frozen`` (the difficulty a panel's marks were multiplied by
    cannot change under them; a scheme revision is the audited way). Takes the
    event's standings lock, as mark batches do, so no first mark slips in between the
    check and the write, and bumps the standings version.
    """
    require_organiser(user, event.competition)
    standings = _lock_standings_version(event)
    rows, problems = _declared_problems(event=event, items=items)
    errors = _Errors()
    for field, code in problems:
        errors.add(field, code)
    errors.raise_if_any()
    touched = {(entry_id, criterion.pk) for _i, entry_id, criterion, *_rest in rows}
    marked = set(
        Mark.objects.filter(
            entry_id__in={e for e, _c in touched}, criterion_id__in={c for _e, c in touched}
        ).values_list("entry_id", "criterion_id")
    )
    frozen = sorted({entry_id for entry_id, criterion_id in touched & marked})
    if frozen:
        raise error("declared_attempts_frozen", extra={"entries": frozen})
    saved = []
    for _index, entry_id, criterion, attempt, label, difficulty in rows:
        declared, _created = DeclaredAttempt.objects.update_or_create(
            entry_id=entry_id,
            criterion=criterion,
            attempt=attempt,
            defaults={"label": label, "difficulty": difficulty},
        )
        saved.append(declared)
    if saved:
        _bump_standings_version(standings)
    return saved
