import os

# Inherited by the real Daphne servers the tests start; in-process settings are set below.
os.environ.setdefault("FAST_PASSWORD_HASHER", "1")

import pytest
from django.conf import settings as django_settings
from django.utils import translation
from pytest_django.fixtures import _set_suffix_to_test_databases


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # Each pytest process gets its own server-side test database (test_test_<pid>),
    # so two runs against the same PostgreSQL never drop each other's database.
    _set_suffix_to_test_databases(suffix=f"p{os.getpid()}")


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # Tests talk plain HTTP to the test client; production redirects to HTTPS.
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _default_language():
    # A test that activates English must not leave it on for the next test of its worker.
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def flushable_history(transactional_db):
    """Let pytest-django flush a SQLite test database that has mark history.

    The history table is append-only by trigger; SQLite's flush is a DELETE, which the
    trigger refuses (PostgreSQL's TRUNCATE does not fire it). Before the flush, empty the
    table with the DELETE trigger briefly dropped, then put the trigger back.
    """
    yield
    from importlib import import_module

    from django.db import connection

    if connection.vendor != "sqlite":
        return
    migration = import_module("scoring.migrations.0003_mark_history_append_only")
    no_delete = next(sql for sql in migration.SQLITE_FORWARD if "no_delete" in sql)
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS scoring_markhistory_no_delete")
        cursor.execute(f"DELETE FROM {migration.TABLE}")  # noqa: S608 - a constant table name
        cursor.execute(no_delete)
