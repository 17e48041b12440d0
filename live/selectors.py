"""Reads for the live pages and sockets: who may watch what, and the board each audience may see.

Boards are computed by ``live.board`` for both the broadcast and the HTTP endpoints, so a
socket message and an HTTP refetch of the same version always agree.
"""

from competitions.models import Competition, Event
from competitions.selectors import competitions_visible_to, is_chief_judge
from live import publication
from live.board import FOR_MONITOR, current_board, event_rows, overview_entry
from scoring import selectors as scoring_selectors


def can_see_everything(user, event: Event) -> bool:
    """Chief judges and organisers see the live standings whatever the publication policy."""
    return bool(user and user.is_authenticated) and is_chief_judge(user, event)


def public_standings(*, event: Event, user=None) -> dict:
    """The standings ``user`` may see: the full live board for chief judges and organisers, else the public board.

    This is the one filter for every path (REST, pages, sockets). The full board is
    labelled as the monitor is: codes, and names only once the event is decoded.
    """
    if can_see_everything(user, event):
        version, rows = event_rows(event=event, audience=FOR_MONITOR)
        return {
            "type": "standings.full",
            "event": event.pk,
            "policy": publication.LIVE,
            "version": version,
            "rows": rows,
            "hidden": 0,
            "preview": event.publication_policy != publication.LIVE,
        }
    return current_board(event)


def reveal_state(*, event: Event) -> dict | None:
    """Where the event's award ceremony stands (``publication.public_board``'s ``reveal``), for its chief judge."""
    return current_board(event).get("reveal")


def visible_event(*, user, event_id: int) -> Event | None:
    """The event if its competition is visible to ``user`` (public, or the user has a role in it)."""
    return (
        Event.objects.filter(pk=event_id, competition__in=competitions_visible_to(user))
        .select_related("competition")
        .first()
    )


def visible_competition(*, user, competition_id: int) -> Competition | None:
    return competitions_visible_to(user).filter(pk=competition_id).first()


def monitored_event(*, user, event_id: int) -> Event | None:
    """The event if ``user`` is its chief judge or an organiser of its competition."""
    event = Event.objects.filter(pk=event_id).select_related("competition").first()
    if event is None or not (user and user.is_authenticated) or not is_chief_judge(user, event):
        return None
    return event


def competition_overview(*, competition: Competition, leaders: int = 3) -> dict:
    """Every event of the competition with its public leaders."""
    events = [
        overview_entry(event, current_board(event), leaders)
        for event in competition.events.all().select_related("competition")
    ]
    return {"type": "overview.full", "competition": competition.pk, "events": events}


def event_monitor(*, event: Event) -> dict:
    """The chief judge's view: missing marks per judge and per entry, and variance alerts.

    Entries appear by code only (no entry id anywhere), with names once the event is decoded.
    """
    version, rows = event_rows(event=event, audience=FOR_MONITOR)
    return {
        "type": "monitor.full",
        "event": event.pk,
        "version": version,
        "progress": scoring_selectors.progress_by_code(scoring_selectors.event_progress(event=event)),
        "alerts": scoring_selectors.alerts_by_code(scoring_selectors.variance_alerts(event=event)),
        "rows": rows,
    }
