"""Writes of the roster import: the whole uploaded sheet, all rows or none.

Reading and checking the sheet (``imports.read_sheet``, ``imports.build_preview``) write
nothing and live in ``competitions.imports``; this module writes what the preview found.
The service is atomic, takes keyword-only arguments, and locks the competition row with
``select_for_update()``, so two organisers importing at once queue up instead of interleaving.
"""

from django.db import transaction

from competitions import signals
from competitions.imports import GENDERS, ImportPreview, build_preview
from competitions.models import Competition, Contestant, Entry, Organisation, Team
from config.errors import DomainError


class ImportRejected(DomainError):
    code = "import_has_errors"


@transaction.atomic
def contestants_import(*, competition: Competition, raw_rows: list[dict]) -> ImportPreview:
    """Write the roster in ``raw_rows`` (from ``imports.read_sheet``): all rows or none.

    The preview is built again under a lock on the competition, so it reflects the
    database at the moment of writing, not at upload time. Raises ``ImportRejected``
    (``import_has_errors``, with the row errors) if any row is invalid.
    """
    Competition.objects.select_for_update().filter(pk=competition.pk).first()
    preview = build_preview(competition=competition, raw_rows=raw_rows)
    if preview.has_errors:
        raise ImportRejected(
            extra={"counts": preview.counts, "errors": [row.as_dict() for row in preview.errors]},
            count=len(preview.errors),
        )
    rows = preview.rows
    org_names = {row.values["organisation"] for row in rows}
    organisations = {org.name: org for org in Organisation.objects.filter(name__in=org_names)}
    for name in preview.organisations_new:
        organisations[name] = Organisation.objects.create(name=name, parent=competition.host)
    teams = {team.name: team for team in competition.teams.all()}
    for row in rows:
        name = row.values.get("team")
        if name and name not in teams:
            teams[name] = Team.objects.create(
                competition=competition, organisation=organisations[row.values["organisation"]], name=name
            )

    to_create, to_update, update_fields = [], [], set()
    for row in rows:
        contestant = row.contestant or Contestant(competition=competition, id_number=row.values["id_number"])
        fields = _contestant_fields(row.values, organisations, teams)
        changed = {key for key, value in fields.items() if getattr(contestant, key) != value}
        for key, value in fields.items():
            setattr(contestant, key, value)
        if row.contestant is None:
            to_create.append(contestant)
            row.contestant = contestant
        elif changed:
            to_update.append(contestant)
            update_fields |= changed
    Contestant.objects.bulk_create(to_create)
    if to_update:
        Contestant.objects.bulk_update(to_update, sorted(update_fields))

    new_entries = []
    for row in rows:
        for event, team_name in row.new_entries:
            if team_name is None:
                new_entries.append(Entry(event=event, contestant=row.contestant))
            else:
                new_entries.append(Entry(event=event, team=teams[team_name]))
    Entry.objects.bulk_create(new_entries)
    touched = {entry.event_id for entry in new_entries}
    touched |= set(Entry.objects.filter(contestant__in=to_update).values_list("event_id", flat=True))
    signals.entries_changed_on_commit(touched)
    return preview


def _contestant_fields(values: dict, organisations: dict, teams: dict) -> dict:
    fields = {"organisation_id": organisations[values["organisation"]].id, "name": values["name"]}
    if "team" in values:
        fields["team_id"] = teams[values["team"]].id if values["team"] else None
    if "gender" in values:
        fields["gender"] = GENDERS.get(values["gender"], "")
    for key in ("phone", "job_title"):
        if key in values:
            fields[key] = values[key]
    return fields
