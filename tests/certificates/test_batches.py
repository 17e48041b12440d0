import os
import subprocess
import sys
import time
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from certificates import batches, selectors
from certificates.models import Certificate, CertificateBatch
from certificates.rendering.pages import PageSpec
from tests.certificates.test_rendering import run
from tests.factories import (
    CertificateFactory,
    CompetitionFactory,
    MarkFactory,
    UserFactory,
    judged_event_factory,
    results_final,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CERTIFICATE_WORKERS = 1


def scored_event(names):
    """An event whose award rows (from scoring) give 1st, 2nd, 2nd, 3rd to the entries in order."""
    panel = judged_event_factory(
        entries=len(names),
        judges=1,
        criteria=[{"code": "total", "title": "总分", "max_value": Decimal("100"), "aggregation": "single"}],
    )
    for index, (entry, name) in enumerate(zip(panel.entries, names, strict=True)):
        entry.contestant.name = name
        entry.contestant.save()
        MarkFactory(entry=entry, criterion=panel.criteria[0], judge=panel.judges[0], value=Decimal(95 - 5 * index))
    results_final(panel.event)  # award certificates follow final results
    return panel


def run_worker():
    """The database queue's own worker, in this process: runs every queued task, then returns."""
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


def start_batch(client, panel, django_capture_on_commit_callbacks, **body):
    """POST the batch (it is only queued), then let a worker run it."""
    client.force_login(panel.organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("certificates-api:batches", args=[panel.competition.pk]),
            {"event": panel.event.pk, **body},
            content_type="application/json",
        )
    assert (response.status_code, response.json()["status"]) == (202, "pending")
    run_worker()
    return CertificateBatch.objects.get(pk=response.json()["id"])


def zip_names(batch):
    with batch.zip_file.open("rb") as fh, zipfile.ZipFile(fh) as archive:
        return sorted(archive.namelist())


def print_pages(batch, tmp_path):
    path = tmp_path / "print.pdf"
    path.write_bytes(batch.print_file.read())
    info = run("pdfinfo", str(path))
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])


@pytest.mark.django_db(transaction=True)
def test_batch_issues_awards_from_scoring_and_produces_zip_and_print_pdf(
    client, django_capture_on_commit_callbacks, tmp_path
):
    panel = scored_event(["张伟", "李娜", "王芳", "赵磊"])
    batch = start_batch(client, panel, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.done, batch.failed, batch.progress_text) == ("done", 4, 4, 0, "4 / 4")
    certificates = list(Certificate.objects.order_by("sequence"))
    assert [(c.holder_name, c.award_title) for c in certificates] == [
        ("张伟", "一等奖"),
        ("李娜", "二等奖"),
        ("王芳", "二等奖"),
        ("赵磊", "三等奖"),
    ]
    assert zip_names(batch) == sorted(selectors.pdf_filename(c) for c in certificates)
    assert print_pages(batch, tmp_path) == 4
    progress = client.get(reverse("certificates-api:batch", args=[batch.pk])).json()
    assert (progress["progress"], progress["status"]) == ("4 / 4", "done")


@pytest.mark.django_db(transaction=True)
def test_batch_twice_creates_no_duplicates(client, django_capture_on_commit_callbacks):
    panel = scored_event(["张伟", "李娜"])
    first = start_batch(client, panel, django_capture_on_commit_callbacks)
    serials = list(Certificate.objects.order_by("sequence").values_list("serial", flat=True))
    second = start_batch(client, panel, django_capture_on_commit_callbacks)
    assert second.pk != first.pk
    assert list(Certificate.objects.order_by("sequence").values_list("serial", flat=True)) == serials
    second.refresh_from_db()
    assert (second.status, second.total, second.done) == ("done", 2, 2)


@pytest.mark.django_db(transaction=True)
def test_batch_reports_one_failing_certificate_and_produces_the_others(client, django_capture_on_commit_callbacks):
    panel = scored_event(["张伟", " ", "王芳"])
    batch = start_batch(client, panel, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.done, batch.failed) == ("done", 3, 2, 1)
    assert [e["code"] for e in batch.errors] == ["holder_name_missing"]
    assert len(zip_names(batch)) == 2


@pytest.mark.django_db(transaction=True)
def test_batch_includes_manually_issued_certificates_of_the_scope(client, django_capture_on_commit_callbacks):
    panel = scored_event(["张伟"])
    CertificateFactory(
        competition=panel.competition, event=panel.event, kind="participation", holder_contestant__name="观摩选手"
    )
    batch = start_batch(client, panel, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert (batch.total, batch.done) == (2, 2)


@pytest.mark.django_db(transaction=True)
def test_batch_post_only_queues_and_a_separate_worker_process_runs_it(client, settings):
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from tests.live_server import ROOT, database_url

    panel = scored_event(["张伟", "李娜", "王芳", "赵磊"])
    client.force_login(panel.organiser)
    response = client.post(
        reverse("certificates-api:batches", args=[panel.competition.pk]),
        {"event": panel.event.pk},
        content_type="application/json",
    )
    # The request only queued the work: nothing issued yet, one task waiting in the database.
    assert (response.status_code, response.json()["status"], response.json()["progress"]) == (202, "pending", "0 / 0")
    assert Certificate.objects.count() == 0
    task = DBTaskResult.objects.get()
    batch = CertificateBatch.objects.get(pk=response.json()["id"])
    assert (task.status, task.task_path, batch.task_id) == (
        "READY",
        "certificates.batches.certificate_batch_run",
        str(task.id),
    )

    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CERTIFICATE_WORKERS": "1",
        "TASKS_BACKEND": "database",
        "DEBUG": "0",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay", "-v", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    seen = []
    url = reverse("certificates-api:batch", args=[batch.pk])
    while True:
        exited = worker.poll() is not None
        body = client.get(url).json()
        if not seen or seen[-1] != (body["status"], body["progress"]):
            seen.append((body["status"], body["progress"]))
        if exited:
            break
        time.sleep(0.05)
    assert worker.returncode == 0, worker.stdout.read().decode()
    order = ["pending", "running", "done"]
    statuses = [status for status, _ in seen]
    assert statuses == sorted(statuses, key=order.index)  # never goes back
    assert seen[-1] == ("done", "4 / 4")
    task.refresh_from_db()
    batch.refresh_from_db()
    assert (task.status, task.return_value) == ("SUCCESSFUL", {"total": 4, "done": 4, "failed": 0})
    assert len(zip_names(batch)) == 4


@pytest.mark.django_db(transaction=True)
def test_batch_queued_under_the_old_task_path_still_runs(client):
    # Rows queued before the task moved from certificates/tasks.py name the old dotted path.
    from django_tasks_db.models import DBTaskResult

    panel = scored_event(["张伟", "李娜"])
    client.force_login(panel.organiser)
    client.post(
        reverse("certificates-api:batches", args=[panel.competition.pk]),
        {"event": panel.event.pk},
        content_type="application/json",
    )
    assert DBTaskResult.objects.update(task_path="certificates.tasks.certificate_batch_run") == 1
    run_worker()
    task = DBTaskResult.objects.get()
    assert (task.status, task.return_value) == ("SUCCESSFUL", {"total": 2, "done": 2, "failed": 0})
    assert CertificateBatch.objects.get().status == "done"


@pytest.mark.django_db(transaction=True)
def test_batch_progress_is_written_after_every_chunk(client, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(batches, "CHUNK_SIZE", 1)
    panel = scored_event(["张伟", "李娜", "王芳"])
    client.force_login(panel.organiser)
    client.post(
        reverse("certificates-api:batches", args=[panel.competition.pk]),
        {"event": panel.event.pk},
        content_type="application/json",
    )
    with CaptureQueriesContext(connection) as queries:
        run_worker()
    step = 'UPDATE "certificates_certificatebatch" SET "done" = ('
    progress = [q["sql"] for q in queries if q["sql"].startswith(step)]
    assert len(progress) == 3  # one "n / 3" step per one-certificate chunk, while the batch runs
    assert CertificateBatch.objects.get().progress_text == "3 / 3"


@pytest.mark.django_db(transaction=True)
def test_competition_batch_issues_excellent_organisation_awards_once(client):
    from scoring.selectors import organisation_award_rows

    panel = scored_event(["张伟", "李娜", "王芳", "赵磊"])
    rows = organisation_award_rows(competition=panel.competition)
    awarded = sorted(row["organisation"].name for row in rows if row["awarded"])
    assert len(awarded) >= 1
    client.force_login(panel.organiser)
    url = reverse("certificates-api:batches", args=[panel.competition.pk])
    for _ in range(2):  # issuing twice creates no duplicates
        assert client.post(url, {}, content_type="application/json").status_code == 202
        run_worker()
    organisation = Certificate.objects.filter(kind="organisation")
    assert sorted(organisation.values_list("holder_name", flat=True)) == awarded
    assert set(organisation.values_list("award_title", "event")) == {("优秀组织奖", None)}
    batch = CertificateBatch.objects.order_by("pk").last()
    assert (batch.status, batch.total, batch.done) == ("done", 4 + len(awarded), 4 + len(awarded))
    # An event's batch stays the event's: no organisation awards in it.
    body = {"event": panel.event.pk}
    assert client.post(url, body, content_type="application/json").status_code == 202
    run_worker()
    assert CertificateBatch.objects.order_by("pk").last().total == 4


def test_batch_api_only_organisers(client):
    competition = CompetitionFactory()
    client.force_login(UserFactory(password="!"))
    url = reverse("certificates-api:batches", args=[competition.pk])
    assert client.post(url, {}, content_type="application/json").status_code == 403
    assert CertificateBatch.objects.count() == 0


def test_batch_progress_page_for_organiser_only(client):
    panel = judged_event_factory(entries=1, judges=1)
    batch = CertificateBatch.objects.create(competition=panel.competition, total=1514, done=412)
    client.force_login(UserFactory(password="!"))
    assert client.get(reverse("certificates:batch", args=[batch.pk])).status_code == 404
    client.force_login(panel.organiser)
    response = client.get(reverse("certificates:batch", args=[batch.pk]))
    assert response.status_code == 200
    assert "412 / 1514" in response.content.decode()


def test_render_pdfs_in_a_recycled_process_pool(tmp_path, monkeypatch):
    # One chunk per worker per generation: 3 chunks on 2 workers need two pools.
    monkeypatch.setattr(batches, "MAX_CHUNKS_PER_WORKER", 1)
    competition = CompetitionFactory()
    certificates = [
        CertificateFactory(competition=competition, holder_contestant__name=n) for n in ["甲", "乙", "丙", "丁"]
    ]
    specs = [selectors.page_spec_for(c) for c in certificates]
    broken = PageSpec(key="BROKEN", template_key="custom:0", context={}, template_html="{% if %}", template_css="")
    seen = []
    rendered = batches.render_pdfs([*specs, broken], workdir=tmp_path, workers=2, chunk_size=2, on_progress=seen.append)
    assert sorted(rendered.paths) == sorted(c.serial for c in certificates)
    assert [path.read_bytes()[:5] for path in rendered.paths.values()] == [b"%PDF-"] * 4
    assert list(rendered.errors) == ["BROKEN"]
    assert sorted(seen) == [1, 2, 2]
    # The print PDF is the chunks' own PDFs, in order: every certificate once, the broken one nowhere.
    batches.write_outputs(
        [], print_parts=rendered.print_parts, zip_path=tmp_path / "z.zip", print_path=tmp_path / "p.pdf"
    )
    text = "".join(run("pdftotext", str(tmp_path / "p.pdf"), "-").split())
    assert [text.count(name) for name in ["甲", "乙", "丙", "丁"]] == [1, 1, 1, 1]
    assert text.index("甲") < text.index("乙") < text.index("丙") < text.index("丁")


def test_chunks_end_small_so_the_workers_finish_together():
    sizes = [len(chunk) for chunk in batches._chunks(list(range(1514)), 40, 2)]
    assert (sum(sizes), sizes[:36], sizes[36:]) == (1514, [40] * 36, [10] * 7 + [4])
    assert [len(chunk) for chunk in batches._chunks(list(range(100)), 40, 2)] == [40, 40, 20]  # too few to cut


@pytest.mark.django_db(transaction=True)
def test_batch_files_download_for_organiser_only(client, django_capture_on_commit_callbacks):
    panel = scored_event(["张伟"])
    batch = start_batch(client, panel, django_capture_on_commit_callbacks)
    zip_url = reverse("certificates-api:batch-file", args=[batch.pk, "zip"])
    print_url = reverse("certificates-api:batch-file", args=[batch.pk, "print"])
    response = client.get(print_url)
    assert (response.status_code, b"".join(response.streaming_content)[:5]) == (200, b"%PDF-")
    assert client.get(zip_url).status_code == 200
    assert client.get(reverse("certificates-api:batch-file", args=[batch.pk, "other"])).status_code == 404
    client.force_login(UserFactory(password="!"))
    assert client.get(zip_url).status_code == 403
