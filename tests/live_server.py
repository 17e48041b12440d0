"""A real Daphne server, in a subprocess, on the test database.

pytest-django's ``live_server`` runs a WSGI thread inside the test process; the
tests that need the real thing (a browser, WebSockets through the ASGI stack,
several processes) use ``daphne_server`` instead::

    from tests.live_server import daphne_server  # noqa: F401  (in a conftest.py)

    def test_home(daphne_server):
        urlopen(daphne_server.url + "/")

The subprocess sees the test data because the fixture requests ``transactional_db``
(rows are committed, not rolled back) and the test database is a real database:
on PostgreSQL the ``test_…`` database pytest-django created, on SQLite a file
(settings make the SQLite test database a file; see ``DATABASES[...]["TEST"]``).

One Daphne process serves the whole session (starting one costs about a second);
``restart()`` replaces it, e.g. to test reconnecting clients. The subprocess has
its own settings: ``settings`` overrides made inside a test do not reach it, and
it runs with ``DEBUG=1`` (plain HTTP, static files from the finders).
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent.parent
DAPHNE = Path(sys.executable).with_name("daphne")
# A loaded CI machine may take longer to import Django: DAPHNE_STARTUP_TIMEOUT raises it.
STARTUP_TIMEOUT = float(os.environ.get("DAPHNE_STARTUP_TIMEOUT", "30"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL (django-environ syntax) for the database the test process is using now."""
    engine = settings_dict["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        name = str(settings_dict["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError("a server subprocess cannot see an in-memory SQLite test database")
        return f"sqlite:///{Path(name).resolve()}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"
    raise RuntimeError(f"no DATABASE_URL syntax for {engine}")


@dataclass
class DaphneServer:
    database_url: str
    host: str = "127.0.0.1"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.database_url,
            DEBUG="1",
            SECURE_SSL_REDIRECT="0",
            DJANGO_SETTINGS_MODULE="config.settings",
            PYTHONUNBUFFERED="1",
        )
        return env

    def start(self) -> None:
        if self.log_path is None:
            self.log_path = Path(tempfile.gettempdir()) / f"daphne-test-{os.getpid()}-{self.port}.log"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
            [str(DAPHNE), "-b", self.host, "-p", str(self.port), "config.asgi:application"],
            cwd=ROOT,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2):  # noqa: S310 - http://127.0.0.1 only
                    return
            except urllib.error.HTTPError:
                return  # it answered; the status is the page's business
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"daphne did not answer on {self.url} within {STARTUP_TIMEOUT:.0f} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def restart(self) -> None:
        """Stop and start again on the same port (clients see a real disconnect)."""
        self.stop()
        self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path and self.log_path.exists() else ""


@pytest.fixture(scope="session")
def _daphne_process(django_db_setup, django_db_blocker):
    from django.db import connection

    with django_db_blocker.unblock():
        url = database_url(connection.settings_dict)
    server = DaphneServer(database_url=url)
    server.start()
    yield server
    server.stop()
    if server.log_path and server.log_path.exists():
        server.log_path.unlink()


@pytest.fixture
def daphne_server(transactional_db, _daphne_process) -> DaphneServer:
    """The session's Daphne server; data the test writes is committed, so the server sees it."""
    if _daphne_process.process is None or _daphne_process.process.poll() is not None:
        _daphne_process.start()  # a previous test stopped it, or it died
    return _daphne_process
