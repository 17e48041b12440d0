"""Imported once by the forkserver the rendering workers are forked from.

Django's setup (≈ 0.6 s: every app, DRF, Channels…) and WeasyPrint's import (≈ 1 s)
then happen once per forkserver, before any worker exists, instead of in each new
worker while the batch waits. The forkserver lives as long as the process that started
it (a ``db_worker``), so later batches start with warm workers.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)

from certificates.rendering import workers  # noqa: E402, F401 -- imported for its side effect: loaded once, forked warm
