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

from config.settings import *  # noqa: F403

# In-process tests see each broadcast happen in the committing thread (their on-commit callbacks run
# inside the test's transaction); the Daphne servers the end-to-end tests start use the real default.
LIVE_BROADCAST_BACKGROUND = False
