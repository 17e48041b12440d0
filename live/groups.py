"""Channel-layer group names: the ONLY place they are built.

Group names carry ids, never free text, and every sender and every receiver asks
this module for them, so a typo cannot silently split a broadcast in two.
"""

EVENT = "event"
COMPETITION = "competition"
MONITOR = "monitor"
JUDGE = "judge"
_SCOPES = frozenset({EVENT, COMPETITION, MONITOR})


def group_name(scope: str, object_id: int) -> str:
    """``live.<scope>.<id>``: the group of an event's board, a competition's overview or an event's monitor."""
    if scope not in _SCOPES:
        raise ValueError(f"unknown live group scope {scope!r}")
    return f"live.{scope}.{int(object_id)}"


def judge_group_name(event_id: int, user_id: int) -> str:
    """``live.judge.<event>.<user>``: one judge's tablets on one event (their sheets' locks, corrections)."""
    return f"live.{JUDGE}.{int(event_id)}.{int(user_id)}"
