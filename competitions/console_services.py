"""Writes of the organiser console that the set-up services do not cover on their own.

A team or contestant form also says which events the holder enters; ``holder_entries_set``
makes the entries match, adding and removing through ``entry_save`` and ``object_delete``
so the usual rules hold (an individual event takes contestants).

Deleting anything that takes entries with it first asks the rooms above
(``signals.entries_delete_requested``): scoring refuses when marks exist (409
``entries_have_marks``), so no organiser wipes scored results by deleting a contestant.
No row locks: the unique constraints settle races, and a mark written while a deletion
runs either commits first (and the veto sees it) or finds its entry gone.
"""

from django.db import transaction

from competitions.models import Competition, Contestant, Entry, Event, Team
from competitions.services import contestant_save, entry_save, object_delete
from competitions.signals import entries_delete_requested


def holder_entries_set(*, holder: Contestant | Team, events) -> None:
    """Make ``holder`` enter exactly ``events`` (all of its own competition)."""
    field = "team" if isinstance(holder, Team) else "contestant"
    wanted = {event.pk: event for event in events}
    current = {entry.event_id: entry for entry in Entry.objects.filter(**{field: holder})}
    dropped = [entry for event_id, entry in current.items() if event_id not in wanted]
    if dropped:
        entries_delete_requested.send(sender=Entry, entry_ids={entry.pk for entry in dropped})
    for entry in dropped:
        object_delete(instance=entry)
    for event_id, event in wanted.items():
        if event_id not in current:
            entry_save(event=event, **{field: holder})


@transaction.atomic
def team_save(*, competition: Competition, team: Team | None = None, events=(), **fields) -> Team:
    """Create or update a team of ``competition`` and the team events it enters."""
    team = team or Team(competition=competition)
    for name, value in fields.items():
        setattr(team, name, value)
    team.competition = competition
    team.save()
    holder_entries_set(holder=team, events=events)
    return team


@transaction.atomic
def contestant_save_with_events(
    *, competition: Competition, contestant: Contestant | None = None, events=(), **fields
) -> Contestant:
    """Create or update a contestant of ``competition`` and the individual events they enter."""
    contestant = contestant_save(contestant=contestant or Contestant(competition=competition), **fields)
    holder_entries_set(holder=contestant, events=events)
    return contestant


@transaction.atomic
def console_object_delete(*, instance) -> None:
    """Delete an event, contestant, team or unit, unless entries with marks would go with it."""
    entries = {Event: "event", Contestant: "contestant", Team: "team"}.get(type(instance))
    if entries is not None:
        entry_ids = set(Entry.objects.filter(**{entries: instance}).values_list("pk", flat=True))
        if entry_ids:
            entries_delete_requested.send(sender=Entry, entry_ids=entry_ids)
    object_delete(instance=instance)
