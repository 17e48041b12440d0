"""Writes for online knowledge contests: sign-in, attempts, answers, submit, review, prize draws.

Fair play is the server's (issue #15): the deadline is ``Attempt.deadline`` on the server's
clock; the page never receives an answer key before its attempt is finished; the database
allows one open attempt per participant and round (partial unique index); attempt limits are
counted under a lock on the participant row.

Concurrency:

- ``attempt_start`` locks the participant row (``select_for_update``), so two taps on "start"
  from two tabs serialise: the second finds the first's open attempt and resumes it.
- ``answer_save`` and ``attempt_submit`` lock the attempt row. Only its participant writes
  it, so the lock never waits on anyone else; it serialises a retried save against a submit.
- Finishing an attempt (submit, deadline or the sweep) updates the participant's ``Result``
  in the same transaction, locked, by the round's counting rule; so a double submit is scored
  once and the aggregate can never disagree with the attempts.

An abandoned attempt is closed at its deadline lazily, by whoever reads or writes it next
(``attempt_expire_if_due``), and by ``manage.py quiz_close_expired`` for the ones nobody reads.
"""

import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from competitions.models import Organisation
from competitions.signals import online_certificate_url
from config.errors import error
from quizzes import papers
from quizzes.models import Attempt, Participant, PrizeDraw, Question, Result, Round, UnitHeadcount
from quizzes.selectors import question_pool, unit_ids_in_tree

# A save sent just before the deadline may arrive just after it.
GRACE = timedelta(seconds=2)
KIND_LETTERS = {"single": "s", "multiple": "m", "true_false": "t", "fill": "f"}
KINDS_BY_LETTER = {letter: kind for kind, letter in KIND_LETTERS.items()}


def normalise_mobile(mobile: str) -> str:
    digits = "".join(character for character in mobile if character in "0123456789")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) != 11 or not digits.startswith("1"):
        raise error("quiz_mobile_invalid", field="mobile")
    return digits


def _require_open(round_: Round, now) -> None:
    if not round_.opens_at <= now < round_.closes_at:
        raise error("quiz_round_closed")


@transaction.atomic
def participant_sign_in(*, round_: Round, name: str, mobile: str, unit_id: int, now=None) -> Participant:
    """The participant for this mobile number in the round's competition, created on first sign-in.

    The name must match the one first given (a typo'd mobile number must not land in someone
    else's results); the unit can change only before the participant's first attempt.
    """
    now = now or timezone.now()
    _require_open(round_, now)
    name = " ".join(name.split())
    if not name:
        raise error("required", field="name")
    mobile = normalise_mobile(mobile)
    if unit_id not in unit_ids_in_tree(round_, needs=unit_id):
        raise error("quiz_unit_outside", field="unit")
    if round_.eligibility == Round.Eligibility.ROSTER and not round_.roster.filter(mobile=mobile, name=name).exists():
        raise error("quiz_not_on_roster")
    participant = (
        Participant.objects.select_for_update().filter(competition_id=round_.competition_id, mobile=mobile).first()
    )
    if participant is None:
        try:
            with transaction.atomic():
                return Participant.objects.create(
                    competition_id=round_.competition_id, name=name, mobile=mobile, unit_id=unit_id
                )
        except IntegrityError:  # the same phone signed in twice at once
            participant = Participant.objects.select_for_update().get(
                competition_id=round_.competition_id, mobile=mobile
            )
    if participant.name != name:
        raise error("quiz_name_mismatch", field="name")
    if participant.unit_id != unit_id and not participant.attempts.exists():
        participant.unit_id = unit_id
        participant.save(update_fields=["unit"])
    return participant


def _local_day(moment):
    return timezone.localtime(moment).date()


@transaction.atomic
def attempt_start(*, round_: Round, participant: Participant, now=None, seed: int | None = None) -> Attempt:
    """A new attempt with a freshly drawn paper, or the participant's open attempt if there is one (resume)."""
    now = now or timezone.now()
    Participant.objects.select_for_update().only("id").get(pk=participant.pk)
    open_attempt = Attempt.objects.filter(round=round_, participant=participant, status=Attempt.Status.OPEN).first()
    if open_attempt is not None and not attempt_expire_if_due(open_attempt, now=now):
        return open_attempt
    _require_open(round_, now)
    done = list(Attempt.objects.filter(round=round_, participant=participant).values_list("day", flat=True))
    if len(done) >= round_.attempts_total:
        raise error("quiz_total_limit", limit=round_.attempts_total)
    today = _local_day(now)
    if sum(1 for day in done if day == today) >= round_.attempts_per_day:
        raise error("quiz_daily_limit", limit=round_.attempts_per_day)
    seed = secrets.randbits(62) if seed is None else seed
    pool = question_pool(round_.competition_id)
    try:
        paper = papers.draw_paper(seed, pool.values(), round_.draw_rules)
    except papers.NotEnoughQuestions as exc:
        raise error("quiz_pool_too_small") from exc
    max_score = sum(pool[question_id].points for question_id in paper.question_ids)
    return Attempt.objects.create(
        round=round_,
        participant=participant,
        number=len(done) + 1,
        day=today,
        seed=seed,
        question_ids=paper.question_ids,
        option_orders=paper.option_orders,
        kinds="".join(KIND_LETTERS[pool[question_id].kind] for question_id in paper.question_ids),
        started_at=now,
        deadline=min(now + timedelta(seconds=round_.time_limit_seconds), round_.closes_at),
        max_score=max_score,
    )


def _locked_attempt(attempt_id: int, participant: Participant, *, related: bool = True) -> Attempt:
    """The attempt, row-locked; 404 unless it is ``participant``'s. ``related=False`` (the answer save, the hot
    path at ~200 a second) joins neither the round nor the participant: that save reads only the attempt."""
    attempts = Attempt.objects.select_for_update(of=("self",))
    if related:
        attempts = attempts.select_related("round", "participant")
    attempt = attempts.filter(pk=attempt_id).first()
    if attempt is None or attempt.participant_id != participant.pk:
        raise error("not_found")
    return attempt


def attempt_expire_if_due(attempt: Attempt, *, now=None) -> bool:
    """Close ``attempt`` (scored on the answers saved) if its deadline has passed; True if it is closed now.

    Call inside a transaction holding the attempt's row lock, or on a fresh row: it re-reads
    the row locked before closing.
    """
    now = now or timezone.now()
    if attempt.status != Attempt.Status.OPEN:
        return True
    if now <= attempt.deadline + GRACE:
        return False
    with transaction.atomic():
        locked = (
            Attempt.objects.select_for_update(of=("self",)).select_related("round", "participant").get(pk=attempt.pk)
        )
        if locked.status == Attempt.Status.OPEN:
            _finish(locked, finished_at=locked.deadline, status=Attempt.Status.EXPIRED)
        attempt.refresh_from_db()
    return True


def answer_save(*, attempt_id: int, participant: Participant, position: int, value: str, rev: int, now=None) -> dict:
    """Save one answer; idempotent. ``rev`` is the phone's counter: an older or repeated save changes nothing.

    Late saves are refused with ``quiz_deadline_passed`` (and the attempt is closed).
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked_attempt(attempt_id, participant, related=False)
        if attempt.status != Attempt.Status.OPEN:
            raise error("quiz_attempt_closed")
        late = now > attempt.deadline + GRACE
        if not late:
            if not 0 <= position < len(attempt.question_ids):
                raise error("quiz_position_invalid", field="position")
            kind = KINDS_BY_LETTER[attempt.kinds[position]]
            try:
                original = papers.to_original(kind, value, attempt.option_orders[position]) if value else ""
            except ValueError as exc:
                raise error("quiz_answer_invalid", field="value") from exc
            key = str(position)
            saved = attempt.answers.get(key)
            if saved is None or rev > saved[1]:
                attempt.answers[key] = [original, rev]
                attempt.save(update_fields=["answers"])
            return {"position": position, "rev": attempt.answers[key][1], "saved": len(attempt.answers)}
    attempt_expire_if_due(attempt, now=now)
    raise error("quiz_deadline_passed")


def attempt_submit(*, attempt_id: int, participant: Participant, now=None) -> Attempt:
    """Finish the attempt and score it; a second submit returns the same, already scored attempt."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked_attempt(attempt_id, participant)
        if attempt.status == Attempt.Status.OPEN:
            if now > attempt.deadline + GRACE:
                _finish(attempt, finished_at=attempt.deadline, status=Attempt.Status.EXPIRED)
            else:
                _finish(attempt, finished_at=now, status=Attempt.Status.SUBMITTED)
    return attempt


def _finish(attempt: Attempt, *, finished_at, status) -> None:
    """Grade a locked open attempt, close it, and fold it into the participant's Result."""
    questions = Question.objects.in_bulk(attempt.question_ids)
    score = correct = 0
    for position, question_id in enumerate(attempt.question_ids):
        question = questions.get(question_id)
        saved = attempt.answers.get(str(position))
        if question is not None and saved and papers.is_correct(question.kind, question.answer, saved[0]):
            score += question.points
            correct += 1
    attempt.status = status
    attempt.finished_at = finished_at
    attempt.duration_ms = max(0, int((finished_at - attempt.started_at).total_seconds() * 1000))
    attempt.score = score
    attempt.correct = correct
    round_ = attempt.round
    floor_ms = round_.min_seconds_per_question * len(attempt.question_ids) * 1000
    attempt.flagged = attempt.duration_ms < floor_ms
    attempt.save(update_fields=["status", "finished_at", "duration_ms", "score", "correct", "flagged"])
    result_fold(attempt)


def _better(attempt: Attempt, result: Result) -> bool:
    return (attempt.score, -attempt.duration_ms) > (result.score, -result.duration_ms)


def result_fold(attempt: Attempt, *, count_attempt: bool = True) -> Result:
    """Fold a finished attempt into its participant's Result (locked), by the round's counting rule.

    A flagged attempt counts for participation but not for the ranking until it is accepted.
    """
    result, _created = Result.objects.select_for_update().get_or_create(
        round_id=attempt.round_id,
        participant_id=attempt.participant_id,
        defaults={"unit_id": attempt.participant.unit_id},
    )
    if count_attempt:
        result.attempts += 1
    if not attempt.flagged:
        counting = attempt.round.counting
        takes = (
            not result.ranked
            or counting == Round.Counting.LAST
            or (counting == Round.Counting.BEST and _better(attempt, result))
        )
        if counting == Round.Counting.FIRST and result.ranked:
            takes = False
        if takes:
            result.ranked = True
            result.attempt = attempt
            result.score = attempt.score
            result.duration_ms = attempt.duration_ms
    result.save()
    return result


@transaction.atomic
def attempt_review(*, attempt: Attempt, user, accept: bool) -> Attempt:
    """An organiser accepts a flagged attempt into the ranking, or confirms it stays out."""
    attempt = Attempt.objects.select_for_update(of=("self",)).select_related("round", "participant").get(pk=attempt.pk)
    if not attempt.flagged:
        raise error("quiz_not_flagged")
    attempt.reviewed_by = user
    if accept:
        attempt.flagged = False
    attempt.save(update_fields=["flagged", "reviewed_by"])
    if accept:
        result_fold(attempt, count_attempt=False)
    return attempt


def attempts_close_expired(*, now=None, batch: int = 500) -> int:
    """Close every open attempt past its deadline (the sweep behind ``manage.py quiz_close_expired``)."""
    now = now or timezone.now()
    closed = 0
    while True:
        ids = list(
            Attempt.objects.filter(status=Attempt.Status.OPEN, deadline__lt=now - GRACE).values_list("id", flat=True)[
                :batch
            ]
        )
        if not ids:
            return closed
        for attempt_id in ids:
            with transaction.atomic():
                attempt = (
                    Attempt.objects.select_for_update(of=("self",))
                    .select_related("round", "participant")
                    .get(pk=attempt_id)
                )
                if attempt.status == Attempt.Status.OPEN:
                    _finish(attempt, finished_at=attempt.deadline, status=Attempt.Status.EXPIRED)
                    closed += 1


@transaction.atomic
def certificate_for(*, round_: Round, participant_id: int) -> str | None:
    """The verification path of the participant's e-certificate for ``round_``, issued on first ask; else None.

    Only when the round awards them and the participant's counted, ranked score reaches its
    threshold. The certificates room issues it (``competitions.signals.online_certificate_requested``):
    once per participant and round, with the name and unit they signed in with.
    """
    if round_.certificate_min_score is None:
        return None
    result = (
        Result.objects.filter(round=round_, participant_id=participant_id, ranked=True)
        .select_related("participant", "unit")
        .first()
    )
    if result is None or result.score < round_.certificate_min_score:
        return None
    return online_certificate_url(
        sender=Round,
        competition=round_.competition,
        holder_ref=f"quiz:{round_.pk}:{participant_id}",
        holder_name=result.participant.name,
        holder_unit=result.unit.name,
        award_title=round_.certificate_title or gettext("优秀答题者"),
    )


def prize_draw_create(*, round_: Round, title: str, min_score: int, winners: int, user) -> PrizeDraw:
    """Draw ``winners`` by lot among ranked participants scoring at least ``min_score``; seed recorded."""
    candidates = sorted(
        Result.objects.filter(round=round_, ranked=True, score__gte=min_score).values_list("participant_id", flat=True)
    )
    if not candidates:
        raise error("quiz_no_candidates")
    if winners < 1:
        raise error("invalid", field="winners")
    seed = secrets.token_hex(16)
    return PrizeDraw.objects.create(
        round=round_,
        title=title,
        min_score=min_score,
        winners=winners,
        seed=seed,
        candidate_ids=candidates,
        winner_ids=papers.draw_winners(seed, candidates, winners),
        drawn_by=user,
    )


@transaction.atomic
def headcount_set(*, organisation: Organisation, headcount: int | None) -> None:
    """Set (or clear, with None) a unit's staff count, the denominator of its participation rate."""
    if headcount is None:
        UnitHeadcount.objects.filter(organisation=organisation).delete()
    else:
        UnitHeadcount.objects.update_or_create(organisation=organisation, defaults={"headcount": headcount})
