"""Publication policies and deltas, as pure functions over serialised standings rows.

Every path that shows standings to the public (the socket messages, the HTTP
standings, the pages) goes through ``public_board``, so the frozen, hidden and
reveal modes cannot hold on one path and leak on another.

- live: the current rows.
- frozen: the rows as of the freeze (a snapshot taken when the board was frozen);
  entries with marks changed since are flagged ``pending``, as in ICPC's freeze.
  The version is the current one, so clients never see a gap they cannot fill.
- hidden: no rows and no version: not even the pace of marking leaks.
- reveal: the award ceremony, ``revealed`` steps taken (``reveal_steps``): rows never scored
  are skipped, the places without an award come first in one step, then the award tiers from
  the lowest (third prizes, then second, then first), one name per step, from last place up.
  The board says which tier is on (``reveal``), so a screen can head it.

A row is a dict with at least ``key`` (the row's opaque public key, ``live.board.row_keys``;
never the entry id, which judges once knew entries by) and ``pos`` (its place in
board order, best first, as the scoring engine orders them); rows come in that order.
"""

from collections.abc import Iterable, Mapping

LIVE = "live"
FROZEN = "frozen"
HIDDEN = "hidden"
REVEAL = "reveal"


def public_board(
    *,
    event_id: int,
    policy: str,
    version: int,
    rows: list[dict],
    frozen_rows: list[dict] | None = None,
    pending: Iterable[str] = (),
    revealed: int = 0,
    sealed: bool = False,
) -> dict:
    """The board a spectator may see under ``policy``: ``{"type", "event", "policy", "version", "rows", "hidden"}``.

    A ``sealed`` board (a blind event before decoding: codes and progress, no scores) says so.
    """
    board = {"type": "standings.full", "event": event_id, "policy": policy, "version": version, "hidden": 0}
    if sealed:
        board["sealed"] = True
    if policy == LIVE:
        board["rows"] = list(rows)
    elif policy == FROZEN:
        pending = set(pending)
        board["rows"] = [{**row, "pending": row["key"] in pending} for row in (frozen_rows or [])]
    elif policy == REVEAL:
        steps = reveal_steps(rows)
        taken = max(0, min(revealed, len(steps)))
        shown = {key for _tier, keys in steps[:taken] for key in keys}
        board["rows"] = [row for row in rows if row["key"] in shown]
        board["hidden"] = sum(len(keys) for _tier, keys in steps) - len(shown)
        board["reveal"] = {
            "tier": steps[taken - 1][0] if taken else None,
            "next": steps[taken][0] if taken < len(steps) else None,
            "left": len(steps) - taken,
        }
    else:
        # Hidden, and any policy this module does not know: show nothing at all.
        board.pop("sealed", None)
        board.update(policy=HIDDEN, version=None, rows=[], hidden=len(rows))
    return board


def _scored(row: Mapping) -> bool:
    """A row with a result to announce: a total, a rank or award, or a non-finish (DNF, DSQ…)."""
    return (
        row.get("total") is not None
        or row.get("rank") is not None
        or bool(row.get("award"))
        or row.get("status", "ok") != "ok"
    )


def reveal_steps(rows: list[dict]) -> list[tuple[int, list[str]]]:
    """The ceremony's steps, in order: ``(tier, row keys shown by that step)``; tier 0 = no award.

    Rows not scored never show. The scored places without an award (non-finishers with them)
    are one step; then each award tier from the lowest prize to the first, one row per step,
    from last place up. With awards 1/2/3 a 41-entry event takes 7 steps, not 41.
    """
    scored = [row for row in rows if _scored(row)]
    unawarded = [row["key"] for row in scored if not row.get("award")]
    steps: list[tuple[int, list[str]]] = [(0, unawarded)] if unawarded else []
    for tier in sorted({row["award"] for row in scored if row.get("award")}, reverse=True):
        steps += [(tier, [row["key"]]) for row in reversed(scored) if row.get("award") == tier]
    return steps


def _same(previous: Mapping, board: Mapping) -> bool:
    """Whether a screen showing ``previous`` already shows ``board`` (the generation aside)."""
    names = ("policy", "version", "rows", "hidden", "sealed", "reveal")
    return all(previous.get(name) == board.get(name) for name in names)


def board_delta(previous: Mapping | None, board: Mapping) -> Mapping | None:
    """The socket message that takes a client from ``previous`` to ``board``, or None if there is nothing to send.

    ``board["gen"]`` is the generation it will be sent at; ``previous["gen"]`` the one before it.
    A delta names that exact ``base``, and a client applies it only on that base (any other
    base means a message was missed or came out of order: it refetches). Builds are serialised
    per event (``live.board.build``), so ``previous`` is always the board every client got last.
    Across a policy change, a reveal step or an unknown previous board, the whole public
    board is sent instead: every client replaces its rows, whatever it held.
    """
    if previous is not None and _same(previous, board):
        return None
    if board["policy"] == HIDDEN:
        return board if previous is None or previous["policy"] != HIDDEN else None
    if (
        previous is None
        or previous["policy"] != board["policy"]
        or board["policy"] == REVEAL
        or previous.get("sealed") != board.get("sealed")
    ):
        return board
    old = {row["key"]: row for row in previous["rows"]}
    new_keys = {row["key"] for row in board["rows"]}
    return {
        "type": "standings.delta",
        "event": board["event"],
        "policy": board["policy"],
        "version": board["version"],
        "gen": board["gen"],
        "base": previous["gen"],
        "rows": [row for row in board["rows"] if old.get(row["key"]) != row],
        "removed": sorted(key for key in old if key not in new_keys),
        "hidden": board["hidden"],
    }
