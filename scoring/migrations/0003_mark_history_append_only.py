"""Make scoring_markhistory append-only in the database itself.

A trigger refuses every UPDATE and DELETE of a history row, whatever issues it
(the ORM, raw SQL, a console). SQLite and PostgreSQL need different SQL, so the
backend is picked from ``schema_editor.connection.vendor``.
"""

from django.db import migrations

TABLE = "scoring_markhistory"
MESSAGE = "scoring_markhistory is append-only"

SQLITE_FORWARD = [
    f"""CREATE TRIGGER scoring_markhistory_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER scoring_markhistory_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS scoring_markhistory_no_update;",
    "DROP TRIGGER IF EXISTS scoring_markhistory_no_delete;",
]
POSTGRES_FORWARD = [
    f"""CREATE OR REPLACE FUNCTION scoring_markhistory_append_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}'; END;
        $$ LANGUAGE plpgsql;""",
    f"""CREATE TRIGGER scoring_markhistory_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION scoring_markhistory_append_only();""",
]
POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS scoring_markhistory_append_only ON {TABLE};",
    "DROP FUNCTION IF EXISTS scoring_markhistory_append_only();",
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_FORWARD)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_BACKWARD)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0002_judging_workflow")]

    operations = [migrations.RunPython(forward, backward)]
