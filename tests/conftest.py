import os

# Inherited by the real Daphne servers the tests start; in-process settings are set below.
os.environ.setdefault("FAST_PASSWORD_HASHER", "1")

import pytest
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
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
