"""Real servers for the live board's end-to-end tests: a private Redis and Daphne processes on it.

The tests get their OWN redis-server (a free port, no persistence), so they can stop
and restart it without touching the shared Redis other test runs use, and no stray
frame or cache entry from another run can reach them. Daphne processes come from
``tests/live_server.py`` with ``REDIS_URL`` pointing at that private Redis, so two of
them share one channel layer, as in production.
"""

import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from tests.live_server import DaphneServer, database_url, free_port

REDIS_SERVER = shutil.which("redis-server")


@dataclass
class RedisServer:
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@dataclass
class RedisDaphne(DaphneServer):
    redis_url: str = ""

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env["REDIS_URL"] = self.redis_url
        env.pop("SQLITE_TEST_FILE", None)
        return env


@pytest.fixture(scope="module")
def private_redis():
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def daphne_pair(django_db_setup, django_db_blocker, private_redis):
    """Two Daphne processes, A and B, on the private Redis and the test database."""
    from django.db import connection

    with django_db_blocker.unblock():
        url = database_url(connection.settings_dict)
    servers = [RedisDaphne(database_url=url, redis_url=private_redis.url) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(RedisDaphne.start, servers))
    yield servers
    for server in servers:
        server.stop()
