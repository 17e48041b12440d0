"""Settings for the test suite: the project's own, with a secret key and rate limits of its own.

``config.settings`` refuses to start without DEBUG and a real SECRET_KEY, and pytest
imports settings before any conftest runs, so the key is set here. It goes into the
environment, so the servers and workers the tests start in subprocesses inherit it.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-" + "k3y-f0r-the-suite-never-deployed-" * 2)
# Rate limits count in the cache, which outlives a test (and is a shared Redis on the services run):
# the suite runs with rates no test reaches; the throttling tests set their own, on a private cache.
os.environ.setdefault("LOGIN_RATE", "100000/min")
os.environ.setdefault("API_WRITE_RATE", "100000/min")

# Under pytest-xdist each worker gets a Redis database of its own (the channel layer's groups, the
# cache's counters and the tests that flush stay apart); the servers it starts inherit it. The test
# databases are apart already: pytest-django suffixes their names per worker.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL") and not os.environ.get("_REDIS_URL_FOR_WORKER"):
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    os.environ["REDIS_URL"] = f"{_base}/{(int(_db or 0) + 1 + int(_worker[2:])) % 16}"
    os.environ["_REDIS_URL_FOR_WORKER"] = os.environ["REDIS_URL"]

from config.settings import *  # noqa: E402, F403

# In-process tests see each broadcast happen in the committing thread (their on-commit callbacks run
# inside the test's transaction); the Daphne servers the end-to-end tests start use the real default.
LIVE_BROADCAST_BACKGROUND = False
