"""Reads of head-to-head events: the resolved bracket, group tables, placings and the public view.

Everything a reader sees is computed from the stored sources of each match and the
confirmed results, through the pure ``matches.brackets.resolve`` and
``matches.groups.group_standings``. The same function serves the services (to move a
winner on) and the public page, which may ask for the state "as of" the freeze.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from competitions.models import Competition, Event
from matches import brackets
from matches.groups import Result, group_standings
from matches.models import End, Group, Match, MatchEvent


def source_from_json(data: dict) -> brackets.Source:
    kind = data.get("kind", brackets.BYE)
    ref = data.get("ref")
    if kind == brackets.GROUP:
        ref = (ref[0], int(ref[1]))
    return brackets.Source(kind, ref)


def source_to_json(source: brackets.Source) -> dict:
    ref = list(source.ref) if isinstance(source.ref, tuple) else source.ref
    return {"kind": source.kind, "ref": ref}


def ends_won(match: Match, ends: list[End]) -> tuple[int, int]:
    """Ends won by home and away; a walkover, forfeit or DSQ counts as a win by the ends needed."""
    if match.outcome != Match.Outcome.PLAYED and match.winner_id:
        need = match.match_event.best_of // 2 + 1
        return (need, 0) if match.winner_id == match.home_id else (0, need)
    home = sum(1 for e in ends if e.winner == End.Side.HOME)
    return home, len(ends) - home


@dataclass
class Resolved:
    match_event: MatchEvent
    matches: list[Match]
    ends: dict[int, list[End]]
    confirmed: set[int]  # ids of matches whose result counts (as of the cut-off)
    groups: list[Group] = field(default_factory=list)
    members: dict[int, list[int]] = field(default_factory=dict)  # group id -> entry ids
    tables: dict[int, list] = field(default_factory=dict)  # group id -> standings rows
    complete_groups: set[int] = field(default_factory=set)
    sides: dict[str, tuple] = field(default_factory=dict)  # knockout key -> (home entry id, away entry id)
    results: dict[str, int] = field(default_factory=dict)  # knockout key -> winner entry id
    specs: list = field(default_factory=list)


def resolve_event(match_event: MatchEvent, *, as_of: datetime | None = None) -> Resolved:
    """The event's bracket and tables from the results confirmed (by ``as_of``, if given). A few queries."""
    matches = list(match_event.matches.select_related("match_event").order_by("order", "id"))
    ends = defaultdict(list)
    for end in End.objects.filter(match__match_event=match_event).order_by("number"):
        ends[end.match_id].append(end)
    confirmed = {
        m.pk
        for m in matches
        if m.status == Match.Status.CONFIRMED and (as_of is None or (m.confirmed_at and m.confirmed_at <= as_of))
    }
    out = Resolved(match_event, matches, ends, confirmed)
    out.groups = list(match_event.groups.order_by("label"))
    for group_id, entry_id in Group.entries.through.objects.filter(group__match_event=match_event).values_list(
        "group_id", "entry_id"
    ):
        out.members.setdefault(group_id, []).append(entry_id)
    entrants: dict = {}
    for group in out.groups:
        own = [m for m in matches if m.group_id == group.pk]
        results = []
        for m in own:
            if m.pk in confirmed:
                home_ends, away_ends = ends_won(m, ends[m.pk])
                results.append(Result(m.home_id, m.away_id, m.winner_id, home_ends, away_ends))
        rows = group_standings(
            out.members.get(group.pk, []),
            results,
            rules=match_event.rules,
            lots_seed=f"{match_event.lots_seed}:{group.label}",
        )
        out.tables[group.pk] = rows
        if own and all(m.pk in confirmed for m in own):
            out.complete_groups.add(group.pk)
            for row in rows:
                entrants[brackets.Source(brackets.GROUP, (group.label, row.rank))] = row.team
    for number, entry_id in enumerate(match_event.draw_result.get("seeds", []), start=1):
        entrants[brackets.Source(brackets.SEED, number)] = entry_id
    knockout = [m for m in matches if m.stage == Match.Stage.KNOCKOUT]
    out.specs = [
        brackets.MatchSpec(
            m.key, m.round, m.number, source_from_json(m.home_source), source_from_json(m.away_source), m.placing
        )
        for m in knockout
    ]
    out.results = {m.key: m.winner_id for m in knockout if m.pk in confirmed and m.winner_id}
    out.sides = brackets.resolve(out.specs, entrants, out.results)
    return out


def placings(resolved: Resolved) -> dict[int, int]:
    """``{entry id: place}`` decided so far: the knockout's placing matches, or a single round-robin group."""
    if resolved.specs:
        return brackets.placings(resolved.specs, resolved.sides, resolved.results)
    if len(resolved.groups) == 1 and resolved.groups[0].pk in resolved.complete_groups:
        return {row.team: row.rank for row in resolved.tables[resolved.groups[0].pk]}
    return {}


def event_placings(event: Event) -> list[dict]:
    """Final placings 1–8 of a head-to-head event with the award (1/2/3), best first; ``[]`` otherwise.

    Rows: ``{"place", "entry", "team", "organisation", "award"}``. Certificates reach this
    through ``scoring.signals.placings_requested`` (siblings do not import each other).
    """
    match_event = MatchEvent.objects.filter(event=event).first()
    if match_event is None:
        return []
    places = placings(resolve_event(match_event))
    entries = {e.pk: e for e in event.entries.select_related("team__organisation").filter(pk__in=places)}
    rows = []
    for entry_id, place in sorted(places.items(), key=lambda item: (item[1], item[0])):
        if place > 8:
            continue
        entry = entries[entry_id]
        rows.append(
            {
                "place": place,
                "entry": entry_id,
                "team": entry.team.name if entry.team_id else str(entry),
                "organisation": entry.team.organisation.name if entry.team_id else "",
                "award": place if place <= 3 else None,
            }
        )
    return rows


def is_visible(event: Event) -> bool:
    competition = event.competition
    return competition.is_public and competition.publication != Competition.Publication.HIDDEN


def _entry_labels(event: Event) -> dict[int, dict]:
    return {
        e.pk: {
            "id": e.pk,
            "code": e.code,
            "name": e.team.name if e.team_id else str(e),
            "unit": (e.team.organisation.short_name or e.team.organisation.name) if e.team_id else "",
        }
        for e in event.entries.select_related("team__organisation")
    }


def bracket_data(match_event: MatchEvent, *, as_of: datetime | None = None) -> dict:
    """The bracket, group tables, next matches and placings, as JSON-ready dicts (ids are entry ids)."""
    resolved = resolve_event(match_event, as_of=as_of)
    event = match_event.event
    labels = _entry_labels(event)
    confirmed = resolved.confirmed

    def side(entry_id):
        return labels.get(entry_id) if entry_id else None

    def match_row(m: Match, home, away):
        shown = m.pk in confirmed
        home_ends, away_ends = ends_won(m, resolved.ends[m.pk]) if shown else (None, None)
        return {
            "key": m.key,
            "stage": m.stage,
            "round": m.round,
            "placing": m.placing,
            "home": side(home),
            "away": side(away),
            "home_source": m.home_source,
            "away_source": m.away_source,
            "court": m.court,
            "starts_at": m.starts_at.isoformat() if m.starts_at else None,
            "status": m.status if shown or m.status != Match.Status.CONFIRMED else Match.Status.DECIDED,
            "outcome": m.outcome if shown else None,
            "winner": m.winner_id if shown else None,
            "ends": [home_ends, away_ends] if shown else None,
            "bye": m.status == Match.Status.BYE,
        }

    by_key = {m.key: m for m in resolved.matches}
    groups = []
    for group in resolved.groups:
        groups.append(
            {
                "label": group.label,
                "complete": group.pk in resolved.complete_groups,
                "table": [
                    {
                        "rank": row.rank,
                        "team": side(row.team),
                        "played": row.played,
                        "won": row.won,
                        "lost": row.lost,
                        "ends_won": row.ends_won,
                        "ends_lost": row.ends_lost,
                        "decided_by": row.decided_by,
                    }
                    for row in resolved.tables[group.pk]
                ],
                "matches": [match_row(m, m.home_id, m.away_id) for m in resolved.matches if m.group_id == group.pk],
            }
        )
    rounds = defaultdict(list)
    for spec in resolved.specs:
        home, away = resolved.sides[spec.key]
        rounds[spec.round].append(match_row(by_key[spec.key], home, away))
    upcoming = [
        match_row(m, m.home_id, m.away_id)
        for m in resolved.matches
        if m.pk not in confirmed and m.status in (Match.Status.SCHEDULED, Match.Status.PLAYING, Match.Status.DECIDED)
    ][:12]
    places = placings(resolved)
    return {
        "event": event.pk,
        "title": event.title,
        "format": match_event.format,
        "best_of": match_event.best_of,
        "groups": groups,
        "rounds": [{"round": r, "matches": rounds[r]} for r in sorted(rounds)],
        "next": upcoming,
        "placings": [
            {"place": place, "team": side(entry_id)}
            for entry_id, place in sorted(places.items(), key=lambda item: (item[1], item[0]))
        ],
    }


def public_bracket(event: Event) -> dict:
    """What the public may see under the competition's publication policy: nothing when hidden or not public;
    when frozen, the results confirmed before the freeze only."""
    competition = event.competition
    if not is_visible(event):
        return {"event": event.pk, "policy": Competition.Publication.HIDDEN, "hidden": True}
    match_event = MatchEvent.objects.select_related("event").filter(event=event).first()
    if match_event is None:
        return {"event": event.pk, "policy": competition.publication, "hidden": True}
    as_of = None
    if competition.publication == Competition.Publication.FROZEN:
        as_of = competition.frozen_at or datetime.min.replace(tzinfo=UTC)
    data = bracket_data(match_event, as_of=as_of)
    return {**data, "policy": competition.publication, "hidden": False}
