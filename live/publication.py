"""Publication policies and deltas, as pure functions over serialised standings rows.

Every path that shows standings to the public (the socket messages, the HTTP
standings, the pages) goes through ``public_board``, so the frozen, hidden and
reveal modes cannot hold on one path and leak on another.

- live: the current rows.
- frozen: the rows as of the freeze (a snapshot taken when the board was frozen);
  entries with marks changed since are flagged ``pending``, as in ICPC's freeze.
  The version is the current one, so clients never see a gap they cannot fill.
- hidden: no rows and no version: not even the pace of marking leaks.
- reveal: places are shown from last to first, ``revealed`` rows at a time.

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
) -> dict:
    """The board a spectator may see under ``policy``: ``{"type", "event", "policy", "version", "rows", "hidden"}``."""
    board = {"type": "standings.full", "event": event_id, "policy": policy, "version": version, "hidden": 0}
    if policy == LIVE:
        board["rows"] = list(rows)
    elif policy == FROZEN:
        pending = set(pending)
        board["rows"] = [{**row, "pending": row["key"] in pending} for row in (frozen_rows or [])]
    elif policy == REVEAL:
        shown = max(0, min(revealed, len(rows)))
        board["rows"] = list(rows[len(rows) - shown :])
        board["hidden"] = len(rows) - shown
    else:
        # Hidden, and any policy this module does not know: show nothing at all.
        board.update(policy=HIDDEN, version=None, rows=[], hidden=len(rows))
    return board


def _same(previous: Mapping, board: Mapping) -> bool:
    """Whether a screen showing ``previous`` already shows ``board`` (the generation aside)."""
    return all(previous.get(name) == board.get(name) for name in ("policy", "version", "rows", "hidden"))


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
    if previous is None or previous["policy"] != board["policy"] or board["policy"] == REVEAL:
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
