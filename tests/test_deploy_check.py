"""`manage.py check --deploy` passes with production settings (DESIGN.md's public contract).

It also runs drf-spectacular's schema check, so a schema warning fails it too.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent


def test_deploy_check_passes_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "example.org",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def _start(env_overrides: dict, *args) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DEBUG")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603 (this interpreter, our own arguments)
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"DEBUG": "0"},
        {},  # DEBUG is off unless set
        {"DEBUG": "0", "SECRET_KEY": "django-insecure-local-only-do-not-deploy"},
        {"DEBUG": "0", "SECRET_KEY": "short-but-set"},
        {"DEBUG": "0", "SECRET_KEY": "ab" * 30},
    ],
)
def test_server_refuses_to_start_without_debug_and_a_real_secret_key(overrides):
    # The ASGI application Daphne loads, and manage.py, both stop on the settings.
    for args in (["-c", "import config.asgi"], ["manage.py", "check"]):
        result = _start(overrides, *args)
        assert result.returncode != 0
        assert "ImproperlyConfigured: SECRET_KEY is missing or weak, and DEBUG is off: refusing to start." in (
            result.stderr
        )


def test_debug_runs_start_on_the_local_fallback_key():
    result = _start({"DEBUG": "1"}, "manage.py", "check")
    assert result.returncode == 0, result.stderr
