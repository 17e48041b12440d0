"""Writes that set a competition up: competitions, organisations, entries, contestants, assignments.

The API and the admin both call these, so the cross-object rules (an entry's holder
belongs to the event's competition, an individual event takes contestants, a team
event takes teams…) hold whichever way the data comes in. Each rule breaks with a
``DomainError`` naming the field, which the API reports as a 400.

None of these needs a row lock: they write rows that nobody else updates concurrently,
and the database's unique constraints settle races (the API reports them as 400).

The other writes of competitions have their own modules: ``draw_services`` (the draws by
lot) and ``roster_services`` (the roster import).
"""

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from competitions.models import Competition, Contestant, Entry, Event, JudgeAssignment, Organisation
from config.errors import error


@transaction.atomic
def competition_create(*, created_by, **fields) -> Competition:
    """Create a competition; its creator becomes its organiser."""
    competition = Competition.objects.create(**fields)
    JudgeAssignment.objects.create(user=created_by, competition=competition, role=JudgeAssignment.Role.ORGANISER)
    return competition


@transaction.atomic
def organisation_save(*, organisation: Organisation | None = None, **fields) -> Organisation:
    """Create or update an organisation; its parent chain must not loop back to itself."""
    organisation = organisation or Organisation()
    for name, value in fields.items():
        setattr(organisation, name, value)
    ancestor = organisation.parent
    while ancestor is not None and organisation.pk is not None:
        if ancestor.pk == organisation.pk:
            raise error("organisation_cycle", field="parent")
        ancestor = ancestor.parent
    organisation.save()
    return organisation


@transaction.atomic
def event_save(*, event: Event | None = None, **fields) -> Event:
    """Create or update an event. Its kind cannot change once it has entries: they would hold the wrong kind."""
    if event is not None and "kind" in fields and fields["kind"] != event.kind and event.entries.exists():
        raise error("event_has_entries", field="kind")
    event = event or Event()
    for name, value in fields.items():
        setattr(event, name, value)
    event.save()
    return event


@transaction.atomic
def event_decode(*, event: Event, actor) -> Event:
    """Decode (解密) a blind event: from now on its names and units appear beside its codes.

    This only records who decoded it and when. The checks that come first (sheets locked,
    review complete) and the audit belong to the results chain (``scoring``), which calls
    this. It does NOT broadcast: competitions cannot reach the live board, so the caller
    sends ``scoring.signals.event_decoded`` after commit (``event_decoded_on_commit``),
    and every screen then gets the whole board with names at once. Decoding twice keeps
    the first time. Takes the event's row lock, so two decodes are serialised.
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.decoded_at is None:
        event.decoded_at = timezone.now()
        event.decoded_by = actor
        event.save(update_fields=["decoded_at", "decoded_by"])
    return event


def entry_check_holder(entry: Entry) -> None:
    """An individual event takes a contestant, a team event a team, from the event's competition."""
    event = entry.event
    if event.kind == Event.Kind.INDIVIDUAL:
        if entry.team_id is not None:
            raise error("entry_wrong_holder", field="team")
        if entry.contestant_id is None:
            raise error("entry_holder_missing", field="contestant")
        if entry.contestant.competition_id != event.competition_id:
            raise error("entry_other_competition", field="contestant")
    else:
        if entry.contestant_id is not None:
            raise error("entry_wrong_holder", field="contestant")
        if entry.team_id is None:
            raise error("entry_holder_missing", field="team")
        if entry.team.competition_id != event.competition_id:
            raise error("entry_other_competition", field="team")


@transaction.atomic
def entry_save(*, entry: Entry | None = None, **fields) -> Entry:
    """Create or update an entry, checking its holder against its event."""
    entry = entry or Entry()
    for name, value in fields.items():
        setattr(entry, name, value)
    entry_check_holder(entry)
    entry.save()
    return entry


def contestant_check_team(contestant: Contestant) -> None:
    if contestant.team is not None and contestant.team.competition_id != contestant.competition_id:
        raise error("contestant_other_competition", field="team")


@transaction.atomic
def contestant_save(*, contestant: Contestant | None = None, **fields) -> Contestant:
    """Create or update a contestant; their team must be in the same competition."""
    contestant = contestant or Contestant()
    for name, value in fields.items():
        setattr(contestant, name, value)
    contestant_check_team(contestant)
    contestant.save()
    return contestant


def judge_assignment_check(assignment: JudgeAssignment) -> None:
    """An organiser's role covers the whole competition; a judge's event is in the competition."""
    if assignment.event is not None:
        if assignment.role == JudgeAssignment.Role.ORGANISER:
            raise error("organiser_event", field="event")
        if assignment.event.competition_id != assignment.competition_id:
            raise error("assignment_other_competition", field="event")


@transaction.atomic
def judge_assignment_save(*, assignment: JudgeAssignment | None = None, **fields) -> JudgeAssignment:
    """Create or update an assignment, checked by ``judge_assignment_check``."""
    assignment = assignment or JudgeAssignment()
    for name, value in fields.items():
        setattr(assignment, name, value)
    judge_assignment_check(assignment)
    assignment.save()
    return assignment


@transaction.atomic
def object_delete(*, instance) -> None:
    """Delete, turning a protected reference (an organisation still in use) into a 409."""
    try:
        instance.delete()
    except ProtectedError as exc:
        raise error("protected") from exc
