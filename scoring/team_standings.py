"""Team standings and excellent-organisation awards, built from an event's standings (pure: no ORM).

Public API::

    team_standings(member_results, team_of_member, method="sum"|"best_n", n=None,
                   policy=None, *, ranking="score_desc", decimals=2) -> Standings
    organisation_placings(standings, organisation_of) -> [(organisation_id, rank)]
    organisation_awards(placings, points_table, count=8) -> tuple[OrganisationResult, ...]

**Teams** (``team_standings``): ``sum`` adds every finishing member's total,
``best_n`` the best ``n``. A team with no scoring member, or fewer than ``n``
under ``best_n``, does not finish (``dns`` if all members were DNS, else
``dnf``) — unless members are still waiting for marks, in which case it waits
unranked too. Team countback compares the counting members' totals best first.

**Excellent-organisation awards** (``organisation_awards``): points from a
table over every placing of an organisation's teams or contestants; ties on
points are broken by countback on the number of firsts, seconds, …; equal
after that means a shared place, and everyone sharing a place within the
award count gets the award (so more than ``count`` awards are possible, never
fewer than the places allow). An organisation with no points gets no award.

Teams are ranked by the same rules as entries (``scoring.standings``: ties, ranks,
awards); only how a team's total is made differs.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scoring.decimal_rules import ZERO, quantize
from scoring.standings import EntryResult, Policy, Standings, _check_policy, _id_key, _rank, _row

__all__ = ["OrganisationResult", "organisation_awards", "organisation_placings", "team_standings"]


@dataclass(frozen=True, slots=True)
class OrganisationResult:
    """An organisation's excellent-organisation standing.

    ``places`` counts its placings per place (index 0 = firsts), only for
    the places the points table scores.
    """

    organisation_id: object
    points: int
    rank: int
    awarded: bool
    places: tuple[int, ...]


def team_standings(
    member_results: Iterable[EntryResult],
    team_of_member: Mapping[object, object],
    method: str = "sum",
    n: int | None = None,
    policy: Policy | None = None,
    *,
    ranking: str = "score_desc",
    decimals: int = 2,
) -> Standings:
    """Rank teams from their members' results (see the module docstring).

    ``team_of_member`` maps a member's entry id to its team id; members not in
    it are ignored. In the returned rows ``entry_id`` is the team id and
    ``criterion_scores`` maps ``str(member entry id)`` to the member totals
    that counted.
    """
    if method not in ("sum", "best_n"):
        raise ValueError(f"unknown team method {method!r}")
    if method == "best_n" and (n is None or n < 1):
        raise ValueError("best_n needs n >= 1")
    policy = _check_policy(policy or Policy())
    lower_is_better = ranking == "time_asc"
    members: dict[object, list[EntryResult]] = {}
    for result in member_results:
        team = team_of_member.get(result.entry_id)
        if team is not None:
            members.setdefault(team, []).append(result)

    rows = []
    for team, results in members.items():
        scoring = [r for r in results if r.finisher and r.total is not None]
        pending = any(r.finisher and r.total is None for r in results)
        scoring.sort(key=lambda r: (r.total if lower_is_better else -r.total, _id_key(r.entry_id)))
        needed = n if method == "best_n" else 1
        counting = scoring[:n] if method == "best_n" else scoring
        complete = all(r.complete for r in results) and not pending
        if len(scoring) < needed:
            if pending:
                rows.append(_row(team, None, {}, "ok", False, lower_is_better))
            else:
                status = "dns" if all(r.status == "dns" for r in results) else "dnf"
                rows.append(_row(team, None, {}, status, True, lower_is_better))
            continue
        total = quantize(sum((r.total for r in counting), ZERO), decimals)
        scores = {str(r.entry_id): r.total for r in counting}
        if policy.tie_break == "shared":
            tiebreak = tiebreak_norm = ()
        else:
            tiebreak = tuple(r.total for r in counting)
            tiebreak_norm = tuple(t if lower_is_better else -t for t in tiebreak)
        rows.append(_row(team, total, scores, "ok", complete, lower_is_better, tiebreak, tiebreak_norm))
    return _rank(rows, policy, lower_is_better)


def organisation_placings(
    standings: Standings, organisation_of: Mapping[object, object]
) -> list[tuple[object, int | None]]:
    """``(organisation_id, rank)`` for every row whose entry has an organisation."""
    return [
        (organisation_of[row.entry_id], row.rank)
        for row in standings.rows
        if organisation_of.get(row.entry_id) is not None
    ]


def organisation_awards(
    placings: Iterable[tuple[object, int | None]],
    points_table: Mapping[int, int],
    count: int = 8,
) -> tuple[OrganisationResult, ...]:
    """Excellent-organisation awards from a points table (module docstring).

    ``placings`` are ``(organisation_id, rank)`` pairs, one per team or
    contestant placing in any event; ``rank=None`` (unplaced) scores nothing
    but lists the organisation. Returns every organisation, best first.
    """
    deepest = max(points_table, default=0)
    points: dict[object, int] = {}
    places: dict[object, list[int]] = {}
    for organisation, rank in placings:
        points.setdefault(organisation, 0)
        counts = places.setdefault(organisation, [0] * deepest)
        if rank is None:
            continue
        points[organisation] += points_table.get(rank, 0)
        if 1 <= rank <= deepest:
            counts[rank - 1] += 1
    ordered = sorted(
        points,
        key=lambda org: (-points[org], tuple(-c for c in places[org]), _id_key(org)),
    )
    results = []
    previous = None
    rank = 0
    for position, organisation in enumerate(ordered, start=1):
        key = (points[organisation], tuple(places[organisation]))
        if key != previous:
            rank = position
            previous = key
        awarded = rank <= count and points[organisation] > 0
        results.append(OrganisationResult(organisation, points[organisation], rank, awarded, key[1]))
    return tuple(results)
