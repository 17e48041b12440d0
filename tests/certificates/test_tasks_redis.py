"""The same bulk-issue task on the Redis-backed worker pool (django-tasks-redis), on the real Redis.

The suite's first pass runs on the embedded defaults, but Redis runs on every machine that
runs the suite (CI included), so this test uses it in both passes, on a database number of
its own that it empties before and after.
"""

import os

import pytest
import redis
from django.core.management import call_command
from django.tasks import default_task_backend
from django.tasks.base import TaskResultStatus
from django.urls import reverse
from django_tasks_redis.management.commands.run_redis_tasks import Command as RunRedisTasks

from certificates.models import Certificate, CertificateBatch
from tests.certificates.test_batches import scored_event

pytestmark = pytest.mark.django_db(transaction=True)

# Database 14 of the Redis the suite uses: never the channel layer's or the cache's.
REDIS_TASKS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/14"


@pytest.fixture
def redis_tasks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CERTIFICATE_WORKERS = 1
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_redis.RedisTaskBackend",
            "QUEUES": ["default"],
            "OPTIONS": {"REDIS_URL": REDIS_TASKS_URL},
        }
    }
    server = redis.Redis.from_url(REDIS_TASKS_URL)
    server.flushdb()
    yield server
    server.flushdb()


def test_bulk_issue_is_queued_in_redis_and_a_redis_worker_runs_it(client, redis_tasks):
    panel = scored_event(["张伟", "李娜", "王芳"])
    client.force_login(panel.organiser)

    response = client.post(
        reverse("certificates-api:batches", args=[panel.competition.pk]),
        {"event": panel.event.pk},
        content_type="application/json",
    )

    assert (response.status_code, response.json()["status"]) == (202, "pending")
    batch = CertificateBatch.objects.get(pk=response.json()["id"])
    assert batch.task_id  # enqueued after the commit, in Redis
    assert default_task_backend.get_result(batch.task_id).status == TaskResultStatus.READY
    assert Certificate.objects.count() == 0  # nothing ran inside the request

    call_command(RunRedisTasks(), max_tasks=1, verbosity=0)

    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.done, batch.failed) == ("done", 3, 3, 0)
    assert sorted(Certificate.objects.values_list("holder_name", flat=True)) == ["张伟", "李娜", "王芳"]
    assert default_task_backend.get_result(batch.task_id).status == TaskResultStatus.SUCCESSFUL


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TASKS_BACKEND": "redis"}, "TASKS_BACKEND=redis needs REDIS_URL"),
        ({"TASKS_BACKEND": "celery"}, "TASKS_BACKEND must be one of database, immediate, redis, not 'celery'"),
    ],
)
def test_a_task_backend_that_cannot_work_is_refused_at_start_up(env, message):
    import subprocess
    import sys

    from tests.live_server import ROOT

    clean = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "TASKS_BACKEND")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr
