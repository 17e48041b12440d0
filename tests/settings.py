"""Settings for the test suite: the project's own, with a secret key of its own.

``config.settings`` refuses to start without DEBUG and a real SECRET_KEY, and pytest
imports settings before any conftest runs, so the key is set here. It goes into the
environment, so the servers and workers the tests start in subprocesses inherit it.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-" + "k3y-f0r-the-suite-never-deployed-" * 2)

from config.settings import *  # noqa: F403
