"""Writes of head-to-head events: the draw and the generated matches, ends, confirmation, corrections,
rosters and the weigh-in.

Concurrency: every write to a match takes its row lock (``select_for_update``) inside the
transaction and checks the client's ``version`` (409 ``match_version_conflict``). Recording an
end is idempotent per (user, ``Idempotency-Key``), reusing the marks' ``IdempotencyRecord``: a
retry gets the first answer back and never counts an end twice. Confirming a result moves the
winner on at once: ``_advance`` re-resolves the bracket from the confirmed results and fills
the next matches' teams, under the match event's row lock so two confirmations don't race.
"""

import hashlib
import json
import secrets
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from competitions.access import require_chief_judge, require_judge, require_organiser
from competitions.models import Contestant, Entry, Event
from config.errors import error
from matches import brackets
from matches.groups import HOME, draw_groups, lots_order, match_winner
from matches.models import End, Group, GroupMember, Match, MatchAudit, MatchEvent, RosterMember
from matches.selectors import resolve_event, source_to_json
from scoring.models import IdempotencyRecord

WAITS_ON = (brackets.WINNER, brackets.LOSER)
CONFIG_FIELDS = (
    "format",
    "best_of",
    "group_count",
    "advance_per_group",
    "third_place",
    "placings_to",
    "tie_rules",
    "pullers",
    "weight_limit",
    "men_required",
    "women_required",
    "courts",
    "slot_minutes",
    "starts_at",
    "seeded",
)


@transaction.atomic
def match_event_configure(*, actor, event: Event, **fields) -> MatchEvent:
    """Make ``event`` head-to-head, or change its settings. Organisers only.

    The format, groups and seeds cannot change once a match has been played (409 ``matches_started``).
    """
    require_organiser(actor, event.competition)
    match_event, _ = MatchEvent.objects.select_for_update().get_or_create(event=event)
    structural = {"format", "group_count", "advance_per_group", "third_place", "placings_to", "seeded", "best_of"}
    changing = {k for k, v in fields.items() if k in structural and getattr(match_event, k) != v}
    if changing and _played(match_event):
        raise error("matches_started")
    if fields.get("best_of", match_event.best_of) % 2 == 0:
        raise error("best_of_odd", field="best_of")
    seeded = fields.get("seeded")
    if seeded and set(seeded) - set(event.entries.values_list("pk", flat=True)):
        raise error("entry_not_in_event", field="seeded")
    for name, value in fields.items():
        if name in CONFIG_FIELDS:
            setattr(match_event, name, value)
    match_event.save()
    return match_event


def _played(match_event: MatchEvent) -> bool:
    return (
        End.objects.filter(match__match_event=match_event).exists()
        or match_event.matches.filter(status=Match.Status.CONFIRMED).exists()
    )


def _entries(event: Event) -> list[Entry]:
    return list(
        event.entries.exclude(status__in=[Entry.Status.DNS, Entry.Status.DSQ]).select_related("team").order_by("pk")
    )


@transaction.atomic
def matches_draw(*, actor, event: Event, seed: str | None = None) -> MatchEvent:
    """Draw the groups (or the knockout seeds) by lot and generate every match and the schedule.

    Seeded teams (``MatchEvent.seeded``) head the groups, or take the top seeds of a knockout;
    the rest are placed by lot with ``seed`` (generated when not given, stored for replay).
    A redraw replaces all matches, and is refused once one has been played (409 ``matches_started``).
    """
    require_organiser(actor, event.competition)
    match_event = MatchEvent.objects.select_for_update().filter(event=event).first()
    if match_event is None:
        raise error("not_match_event")
    if _played(match_event):
        raise error("matches_started")
    entries = _entries(event)
    if len(entries) < 2:
        raise error("too_few_teams")
    seed = seed or secrets.token_hex(16)
    units = [(e.pk, e.team.organisation_id if e.team_id else None) for e in entries]
    seeded = [pk for pk in match_event.seeded if pk in {e.pk for e in entries}]
    match_event.matches.all().delete()
    match_event.groups.all().delete()
    fmt = match_event.format
    result: dict = {}
    group_matches: list[Match] = []
    if fmt == MatchEvent.Format.KNOCKOUT:
        drawn = knockout_seeds(seed, [e.pk for e in entries], seeded)
        result["seeds"] = drawn
        specs = brackets.single_elimination(
            len(drawn), third_place=match_event.third_place, placings_to=match_event.placings_to
        )
    else:
        count = 1 if fmt == MatchEvent.Format.ROUND_ROBIN else match_event.group_count
        if count < 1 or count > len(entries) // 2:
            raise error("group_count_invalid", field="group_count")
        drawn = draw_groups(seed, units, count, seeded=seeded)
        labels = brackets.group_labels(count)
        result["groups"] = dict(zip(labels, drawn, strict=True))
        for label, members in zip(labels, drawn, strict=True):
            group = Group.objects.create(match_event=match_event, label=label)
            GroupMember.objects.bulk_create(
                GroupMember(group=group, entry_id=pk, position=i) for i, pk in enumerate(members)
            )
            for round_, pairs in enumerate(brackets.round_robin(members), start=1):
                for number, (home, away) in enumerate(pairs, start=1):
                    group_matches.append(
                        Match(
                            match_event=match_event,
                            stage=Match.Stage.GROUP,
                            group=group,
                            key=f"{label}{round_}-{number}",
                            round=round_,
                            number=number,
                            home_id=home,
                            away_id=away,
                            status=Match.Status.SCHEDULED,
                        )
                    )
        # Round by round across the groups, so every group advances together.
        group_matches.sort(key=lambda m: (m.round, m.group.label, m.number))
        for order, m in enumerate(group_matches, start=1):
            m.order = order
        Match.objects.bulk_create(group_matches)
        specs = []
        if fmt == MatchEvent.Format.GROUPS_KNOCKOUT:
            slots = brackets.crossover_slots(labels, advance=match_event.advance_per_group)
            specs = brackets.knockout(slots, third_place=match_event.third_place, placings_to=match_event.placings_to)
    # Knockout rounds come after the groups; in a round, the placing matches before the final.
    play_order = sorted(specs, key=lambda s: (s.round, s.placing is not None, -(s.placing or 0), s.number))
    Match.objects.bulk_create(
        Match(
            match_event=match_event,
            stage=Match.Stage.KNOCKOUT,
            key=spec.key,
            round=spec.round,
            number=spec.number,
            placing=spec.placing,
            home_source=source_to_json(spec.home),
            away_source=source_to_json(spec.away),
            order=len(group_matches) + i,
        )
        for i, spec in enumerate(play_order, start=1)
    )
    match_event.draw_seed = seed
    match_event.draw_result = result
    match_event.lots_seed = match_event.lots_seed or seed
    match_event.save()
    bracket_advance(match_event)
    _schedule(match_event)
    return match_event


def knockout_seeds(seed: str, entry_ids: list[int], seeded: list[int]) -> list[int]:
    """Seed order of a knockout: the seeded teams as given, then the rest by lot (replayable)."""
    return [*seeded, *lots_order(seed, set(entry_ids) - set(seeded))]


def groups_replay(match_event: MatchEvent) -> bool:
    """Whether the stored draw replays from its seed to the same groups (or seeds), for audit."""
    entries = [pk for group in match_event.draw_result.get("groups", {}).values() for pk in group]
    entries = entries or match_event.draw_result.get("seeds", [])
    units = dict(Entry.objects.filter(pk__in=entries).values_list("pk", "team__organisation_id"))
    pairs = [(pk, units.get(pk)) for pk in sorted(entries)]
    seeded = [pk for pk in match_event.seeded if pk in units]
    if "seeds" in match_event.draw_result:
        return (
            knockout_seeds(match_event.draw_seed, [pk for pk, _ in pairs], seeded) == match_event.draw_result["seeds"]
        )
    groups = draw_groups(match_event.draw_seed, pairs, len(match_event.draw_result["groups"]), seeded=seeded)
    return groups == list(match_event.draw_result["groups"].values())


def _schedule(match_event: MatchEvent) -> None:
    """Courts and time slots for every match, in play order (``brackets.schedule``)."""
    matches = list(match_event.matches.exclude(status=Match.Status.BYE).order_by("order", "id"))
    group_keys = frozenset(m.key for m in matches if m.stage == Match.Stage.GROUP)

    def needs(m: Match) -> frozenset:
        kinds = {m.home_source.get("kind"), m.away_source.get("kind")}
        refs = {src.get("ref") for src in (m.home_source, m.away_source) if src.get("kind") in WAITS_ON}
        return frozenset(refs) | (group_keys if brackets.GROUP in kinds else frozenset())

    slots = brackets.schedule(
        [(m.key, frozenset(t for t in (m.home_id, m.away_id) if t), needs(m)) for m in matches], match_event.courts
    )
    start = match_event.starts_at
    for m in matches:
        slot, court = slots[m.key]
        m.court = court
        m.starts_at = start + timedelta(minutes=match_event.slot_minutes * (slot - 1)) if start else None
    Match.objects.bulk_update(matches, ["court", "starts_at"])


def bracket_advance(match_event: MatchEvent) -> None:
    """Fill every knockout match's teams from the confirmed results; settle byes. One step per result.

    A match whose teams change is reset to pending/scheduled only while nothing has been played in it.
    """
    resolved = resolve_event(match_event)
    changed = []
    for m in resolved.matches:
        if m.stage != Match.Stage.KNOCKOUT:
            continue
        home, away = resolved.sides[m.key]
        bye = brackets.BYE in (m.home_source.get("kind"), m.away_source.get("kind"))
        if bye:
            winner = home or away
            if (m.home_id, m.away_id, m.winner_id, m.status) != (home, away, winner, Match.Status.BYE):
                m.home_id, m.away_id, m.winner_id, m.status = home, away, winner, Match.Status.BYE
                changed.append(m)
            continue
        if (m.home_id, m.away_id) == (home, away):
            continue
        if m.status in (Match.Status.PLAYING, Match.Status.DECIDED, Match.Status.CONFIRMED):
            raise error("match_downstream_played", field=m.key)
        m.home_id, m.away_id = home, away
        m.status = Match.Status.SCHEDULED if home and away else Match.Status.PENDING
        changed.append(m)
    if changed:
        Match.objects.bulk_update(changed, ["home", "away", "winner", "status"])


def _moves_anyone(match: Match) -> bool:
    """A group match moves nobody on until its group is complete (then the knockout fills)."""
    if match.stage != Match.Stage.GROUP:
        return True
    if not match.match_event.matches.filter(stage=Match.Stage.KNOCKOUT).exists():
        return False
    return not match.match_event.matches.filter(group_id=match.group_id).exclude(status=Match.Status.CONFIRMED).exists()


def _lock(match: Match, version: int | None) -> Match:
    locked = Match.objects.select_for_update().select_related("match_event__event__competition").get(pk=match.pk)
    if version is not None and version != locked.version:
        raise error("match_version_conflict", extra={"version": locked.version})
    return locked


def _state(match: Match) -> dict:
    return {
        "status": match.status,
        "outcome": match.outcome,
        "winner": match.winner_id,
        "ends": [e.winner for e in match.ends.order_by("number")],
        "version": match.version,
    }


def _fingerprint(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def roster_check(*, match_event: MatchEvent, entry: Entry) -> None:
    """409 unless ``entry``'s roster may start: the pullers counted, weighed, under the weight limit,
    and the men/women mix as set. A roster is required only when the event sets a weight or mix rule."""
    members = list(RosterMember.objects.filter(entry=entry, substitute=False).select_related("contestant"))
    rules = match_event.weight_limit is not None or match_event.men_required is not None
    rules = rules or match_event.women_required is not None
    if not members and not rules:
        return
    if len(members) != match_event.pullers:
        raise error("roster_incomplete", field=str(entry.pk), pullers=match_event.pullers)
    if match_event.weight_limit is not None:
        if any(m.weight is None for m in members):
            raise error("weigh_in_missing", field=str(entry.pk))
        total = sum((m.weight for m in members), Decimal(0))
        if total > match_event.weight_limit:
            raise error("roster_overweight", field=str(entry.pk), total=total, limit=match_event.weight_limit)
    genders = Counter(m.contestant.gender for m in members)
    if match_event.men_required is not None and genders[Contestant.Gender.MALE] != match_event.men_required:
        raise error("roster_gender_mix", field=str(entry.pk))
    if match_event.women_required is not None and genders[Contestant.Gender.FEMALE] != match_event.women_required:
        raise error("roster_gender_mix", field=str(entry.pk))


@transaction.atomic
def end_record(
    *,
    referee,
    match: Match,
    winner: str,
    idempotency_key: str,
    version: int | None,
    home_score: Decimal | None = None,
    away_score: Decimal | None = None,
    device: str = "",
) -> dict:
    """Record the next end of ``match`` (its winner, and the score where the game has one).

    The referee is a judge (or chief judge) of the event. The first end starts the match:
    both rosters must pass ``roster_check``. After the deciding end the match awaits the
    chief referee's confirmation. Returns ``{"match": state}``; a retry with the same key
    returns the first answer and records nothing.

    Errors: 403 ``not_assigned``; 400 ``idempotency_key_required``/``idempotency_key_reused``,
    ``invalid`` (side); 409 ``match_version_conflict``, ``match_not_ready``, ``match_decided``,
    and the roster codes.
    """
    key = (idempotency_key or "").strip()
    if not key:
        raise error("idempotency_key_required", field="idempotency_key")
    if len(key) > 100:
        raise error("idempotency_key_invalid", field="idempotency_key")
    event = match.match_event.event
    require_judge(referee, event)
    payload = {"match": match.pk, "winner": winner, "home_score": home_score, "away_score": away_score}
    fingerprint = _fingerprint(payload)
    locked = _lock(match, None)
    record = IdempotencyRecord.objects.filter(user=referee, key=key).first()
    if record is not None:
        if record.fingerprint != fingerprint:
            raise error("idempotency_key_reused", field="idempotency_key")
        return record.response
    if version is not None and version != locked.version:
        raise error("match_version_conflict", extra={"version": locked.version})
    if winner not in (End.Side.HOME, End.Side.AWAY):
        raise error("invalid", field="winner")
    if not (locked.home_id and locked.away_id) or locked.status in (Match.Status.PENDING, Match.Status.BYE):
        raise error("match_not_ready")
    if locked.status in (Match.Status.DECIDED, Match.Status.CONFIRMED):
        raise error("match_decided")
    me = locked.match_event
    ends = [e.winner for e in locked.ends.order_by("number")]
    if not ends:
        roster_check(match_event=me, entry=locked.home)
        roster_check(match_event=me, entry=locked.away)
    before = _state(locked)
    End.objects.create(
        match=locked,
        number=len(ends) + 1,
        winner=winner,
        home_score=home_score,
        away_score=away_score,
        recorded_by=referee,
    )
    decided = match_winner([*ends, winner], me.best_of)
    locked.status = Match.Status.DECIDED if decided else Match.Status.PLAYING
    locked.version += 1
    locked.save(update_fields=["status", "version"])
    after = _state(locked)
    MatchAudit.objects.create(match=locked, actor=referee, action="end", before=before, after=after, device=device)
    response = {"match": {"key": locked.key, **after}}
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                user=referee, key=key, scope=f"match:{locked.pk}", fingerprint=fingerprint, response=response
            )
    except IntegrityError:
        raise error("idempotency_key_reused", field="idempotency_key") from None
    return response


def _settle(match: Match, *, actor, action: str, before: dict, reason: str = "") -> Match:
    match.confirmed_at = timezone.now()
    match.confirmed_by = actor
    match.status = Match.Status.CONFIRMED
    match.version += 1
    match.save()
    MatchEvent.objects.select_for_update().get(pk=match.match_event_id)
    if _moves_anyone(match):
        bracket_advance(match.match_event)
    MatchAudit.objects.create(
        match=match, actor=actor, action=action, before=before, after=_state(match), reason=reason
    )
    return match


@transaction.atomic
def match_confirm(*, actor, match: Match, version: int | None) -> Match:
    """The chief referee confirms a decided match: the winner moves on at once (409 ``match_not_decided``)."""
    require_chief_judge(actor, match.match_event.event)
    locked = _lock(match, version)
    if locked.status != Match.Status.DECIDED:
        raise error("match_not_decided")
    before = _state(locked)
    side = match_winner([e.winner for e in locked.ends.order_by("number")], locked.match_event.best_of)
    locked.winner_id = locked.home_id if side == HOME else locked.away_id
    locked.outcome = Match.Outcome.PLAYED
    return _settle(locked, actor=actor, action="confirm", before=before)


@transaction.atomic
def match_walkover(*, actor, match: Match, outcome: str, winner: str, reason: str, version: int | None) -> Match:
    """The chief referee ends a match by walkover, forfeit or disqualification, with a reason; it is confirmed."""
    require_chief_judge(actor, match.match_event.event)
    if not (reason or "").strip():
        raise error("reason_required", field="reason")
    if outcome not in (Match.Outcome.WALKOVER, Match.Outcome.FORFEIT, Match.Outcome.DSQ):
        raise error("invalid", field="outcome")
    if winner not in (End.Side.HOME, End.Side.AWAY):
        raise error("invalid", field="winner")
    locked = _lock(match, version)
    if not (locked.home_id and locked.away_id):
        raise error("match_not_ready")
    if locked.status == Match.Status.CONFIRMED:
        raise error("match_decided")
    before = _state(locked)
    locked.outcome = outcome
    locked.winner_id = locked.home_id if winner == End.Side.HOME else locked.away_id
    return _settle(locked, actor=actor, action=outcome, before=before, reason=reason.strip())


@transaction.atomic
def match_correct(*, actor, match: Match, ends: list[str], reason: str, version: int | None) -> Match:
    """The chief referee corrects a match's ends (更正), with a reason; audited.

    A decided correction of a confirmed match stays confirmed and moves the new winner on,
    refused (409 ``match_downstream_played``) once the next match has started.
    """
    require_chief_judge(actor, match.match_event.event)
    if not (reason or "").strip():
        raise error("reason_required", field="reason")
    locked = _lock(match, version)
    me = locked.match_event
    try:
        side = match_winner(ends, me.best_of)
    except ValueError as exc:
        raise error("invalid", field="ends", detail=str(exc)) from None
    before = _state(locked)
    old = {e.number: e for e in locked.ends.all()}
    locked.ends.all().delete()
    End.objects.bulk_create(
        End(match=locked, number=i, winner=w, recorded_by=old[i].recorded_by if i in old else actor)
        for i, w in enumerate(ends, start=1)
    )
    locked.outcome = Match.Outcome.PLAYED
    if locked.status == Match.Status.CONFIRMED and side:
        locked.winner_id = locked.home_id if side == HOME else locked.away_id
        return _settle(locked, actor=actor, action="correct", before=before, reason=reason.strip())
    locked.winner = None
    locked.confirmed_at = None
    locked.status = Match.Status.DECIDED if side else (Match.Status.PLAYING if ends else Match.Status.SCHEDULED)
    locked.version += 1
    locked.save()
    bracket_advance(me)
    MatchAudit.objects.create(
        match=locked, actor=actor, action="correct", before=before, after=_state(locked), reason=reason.strip()
    )
    return locked


@transaction.atomic
def match_schedule_edit(*, actor, match: Match, court: int | None, starts_at, version: int | None) -> Match:
    """An organiser moves a match to another court or time."""
    require_organiser(actor, match.match_event.event.competition)
    locked = _lock(match, version)
    before = {"court": locked.court, "starts_at": str(locked.starts_at)}
    locked.court, locked.starts_at = court, starts_at
    locked.version += 1
    locked.save(update_fields=["court", "starts_at", "version"])
    MatchAudit.objects.create(
        match=locked, actor=actor, action="schedule", before=before, after={"court": court, "starts_at": str(starts_at)}
    )
    return locked


@transaction.atomic
def roster_set(*, actor, entry: Entry, members: list[dict]) -> list[RosterMember]:
    """Replace a team entry's roster: ``[{"contestant": id, "substitute": bool}]``, members of its team only.

    Weights already recorded for a contestant who stays on the roster are kept.
    """
    require_organiser(actor, entry.event.competition)
    if not entry.team_id:
        raise error("roster_team_only")
    ids = [m["contestant"] for m in members]
    if len(set(ids)) != len(ids):
        raise error("invalid", field="members")
    if set(ids) - set(Contestant.objects.filter(team_id=entry.team_id).values_list("pk", flat=True)):
        raise error("roster_not_team_member", field="members")
    kept = {r.contestant_id: r for r in RosterMember.objects.filter(entry=entry)}
    RosterMember.objects.filter(entry=entry).exclude(contestant_id__in=ids).delete()
    out = []
    for m in members:
        row = kept.get(m["contestant"]) or RosterMember(entry=entry, contestant_id=m["contestant"])
        row.substitute = bool(m.get("substitute"))
        row.save()
        out.append(row)
    return out


@transaction.atomic
def weigh_in(*, actor, entry: Entry, weights: dict[int, Decimal]) -> list[RosterMember]:
    """Record body weights at the weigh-in (称重), by contestant id; the chief referee or an organiser."""
    require_chief_judge(actor, entry.event)
    rows = {r.contestant_id: r for r in RosterMember.objects.select_for_update().filter(entry=entry)}
    if set(weights) - set(rows):
        raise error("roster_not_team_member", field="weights")
    now = timezone.now()
    for contestant_id, weight in weights.items():
        if weight is None or weight <= 0:
            raise error("invalid", field="weights")
        rows[contestant_id].weight = weight
        rows[contestant_id].weighed_at = now
    RosterMember.objects.bulk_update(rows.values(), ["weight", "weighed_at"])
    return list(rows.values())
