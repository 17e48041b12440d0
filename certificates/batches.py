"""Bulk issue: start a batch, run it as a background task, plan from the award rows, issue idempotently,
render in a recycled process pool.

The task runs on Django's task framework: the same API in-process, on a database
(``db_worker``) or on a Redis-backed worker pool (django-tasks-redis). A POST only
queues the batch (``certificate_batch_start``); ``certificate_batch_run`` is the task
a worker runs, and ``batch_execute`` does the work.

WeasyPrint's memory grows across documents, so bulk rendering runs in a
``ProcessPoolExecutor`` whose workers are replaced after ``MAX_CHUNKS_PER_WORKER``
chunks (a new pool per generation): memory stays bounded however large the batch. Workers get plain data
(``PageSpec``) and never touch the database; the parent writes every PDF to disk
as chunks come back, updates the batch's progress, then writes the ZIP and concatenates
the chunks' own multi-page PDFs (every certificate of the chunk, in order) into one
print file. A failure on one certificate is recorded in the batch and the others are
still produced.
"""

import multiprocessing
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from certificates.models import Certificate, CertificateBatch, CertificateKind
from certificates.selectors import certificate_queryset, page_spec_for, pdf_filename
from certificates.services import IssueRequest, certificates_issue_many
from competitions.models import Competition, Event
from config.errors import error
from scoring.results_selectors import final_event_ids

CHUNK_SIZE = 40
MAX_CHUNKS_PER_WORKER = 20  # 800 certificates; the 1514-certificate bench peaks at ≈ 440 MB (parent or worker)


def requests_for_event(event, *, include_participation: bool) -> list[IssueRequest]:
    """Certificates an event's results call for, from the scoring module's award rows."""
    from scoring.selectors import event_award_rows

    requests = []
    for row in event_award_rows(event=event):
        entry = row["entry"]
        award = row.get("award")
        if award:
            kind = CertificateKind.TEAM if entry.team_id else CertificateKind.INDIVIDUAL
        elif include_participation:
            kind = CertificateKind.PARTICIPATION
        else:
            continue
        requests.append(
            IssueRequest(
                kind=kind,
                event=event,
                award_level=award or None,
                holder_contestant=entry.contestant if entry.contestant_id else None,
                holder_team=entry.team if entry.team_id else None,
            )
        )
    return requests


def requests_for_organisations(competition) -> list[IssueRequest]:
    """Excellent-organisation (优秀组织奖) certificates for the units the scoring module awards them to."""
    from scoring.selectors import organisation_award_rows

    return [
        IssueRequest(kind=CertificateKind.ORGANISATION, holder_organisation=row["organisation"])
        for row in organisation_award_rows(competition=competition)
        if row["awarded"]
    ]


@dataclass
class RenderedFiles:
    paths: dict[str, Path] = field(default_factory=dict)  # certificate key -> its own PDF
    errors: dict[str, str] = field(default_factory=dict)  # certificate key -> message
    print_parts: list[Path] = field(default_factory=list)  # chunk PDFs, in spec order: the merged print PDF


def render_pdfs(
    specs: list,
    *,
    workdir: Path,
    workers: int,
    on_progress: Callable[[int], None] = lambda n: None,
    chunk_size: int = CHUNK_SIZE,
    stats: dict | None = None,
) -> RenderedFiles:
    """Render every spec to ``workdir/<key>.pdf``, and each chunk to ``workdir/part-<n>.pdf``.

    ``stats``, if given, receives the rendering CPU seconds and the workers' peak RSS.
    """
    stats = {} if stats is None else stats
    stats.update(cpu_s=0.0, peak_rss_kb=0)
    from certificates.rendering.fonts import charset_of
    from certificates.rendering.sandbox import sandbox_roots
    from certificates.rendering.workers import render_chunk, worker_init

    charset = charset_of(specs)
    roots = [str(r) for r in sandbox_roots()]
    chunks = _chunks(specs, chunk_size, workers)
    files = RenderedFiles()
    parts: dict[tuple[int, int], Path] = {}

    def collect(index, result):
        chunk_specs = chunks[index]
        stats["cpu_s"] += result.cpu_s
        stats["peak_rss_kb"] = max(stats["peak_rss_kb"], result.peak_rss_kb)
        for spec in chunk_specs:
            if spec.key in result.pdfs:
                path = workdir / f"{spec.key}.pdf"
                path.write_bytes(result.pdfs[spec.key])
                files.paths[spec.key] = path
            else:
                files.errors[spec.key] = result.errors.get(spec.key, "not rendered")
        for number, data in enumerate(result.merged):
            path = parts[index, number] = workdir / f"part-{index:05d}-{number:03d}.pdf"
            path.write_bytes(data)
        on_progress(len(chunk_specs))

    def finished():
        files.print_parts = [parts[key] for key in sorted(parts)]
        return files

    if workers <= 1 or len(chunks) <= 1:
        for index, chunk in enumerate(chunks):
            try:
                collect(index, render_chunk(chunk, charset, roots))
            except Exception as exc:
                collect(index, _failed(chunk, exc))
        return finished()

    from certificates.rendering.fonts import check_environment, subset_font

    fonts = check_environment()
    context = _worker_context()
    # Workers are recycled by generations: a fresh pool every ``workers * MAX_CHUNKS_PER_WORKER``
    # chunks. Not ``max_tasks_per_child``: with a queued backlog it deadlocks on the Python 3.13.0
    # used here (CPython gh-115634, fixed in later releases): exited workers are never replaced.
    generation = workers * MAX_CHUNKS_PER_WORKER
    for start in range(0, len(chunks), generation):
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=worker_init) as pool:
            if start == 0:
                # Both weights' subsets at once, one per worker, before any chunk needs them (cached on disk).
                for future in [pool.submit(subset_font, face, charset) for face in (fonts.regular, fonts.bold)]:
                    future.result()
            futures = {
                pool.submit(render_chunk, chunks[index], charset, roots): index
                for index in range(start, min(start + generation, len(chunks)))
            }
            for future in as_completed(futures):
                index = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # a crashed worker fails its chunk only
                    result = _failed(chunks[index], exc)
                collect(index, result)
    return finished()


def _worker_context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["certificates.rendering.preload"])  # only before the forkserver starts
    return context


def workers_warm_up() -> None:
    """Start the forkserver now (≈ 1.7 s of imports and Django setup), while the caller issues certificates."""
    from multiprocessing import forkserver

    _worker_context()
    forkserver.ensure_running()


def _chunks(specs: list, size: int, workers: int) -> list[list]:
    """Chunks of ``size``, the last ``workers`` of them cut in quarters.

    A chunk of 40 takes ≈ 1.5 s; with whole chunks to the end, one worker often sat idle
    while the other finished its last one. Small chunks at the end let both finish together.
    """
    chunks = [specs[i : i + size] for i in range(0, len(specs), size)]
    if workers > 1 and len(chunks) > 2 * workers:
        tail = [spec for chunk in chunks[-workers:] for spec in chunk]
        small = max(1, size // 4)
        chunks = chunks[:-workers] + [tail[i : i + small] for i in range(0, len(tail), small)]
    return chunks


def _failed(chunk, exc):
    from certificates.rendering.pages import RenderedChunk

    return RenderedChunk(errors={spec.key: f"{type(exc).__name__}: {exc}" for spec in chunk})


def write_outputs(items: list[tuple[str, Path]], *, print_parts: list[Path], zip_path: Path, print_path: Path) -> None:
    """One ZIP of PDFs (stored: PDFs are already compressed) and one print PDF, the parts concatenated in order."""
    from certificates.rendering.pdf import merge_pdfs

    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_STORED) as archive:
        for arcname, path in items:
            archive.write(path, arcname=arcname)
    if print_parts:
        merge_pdfs(print_parts, print_path)


@transaction.atomic
def certificate_batch_start(
    *,
    competition: Competition,
    event: Event | None = None,
    include_participation: bool = False,
    requested_by,
    override_reason: str = "",
) -> CertificateBatch:
    """Start a bulk issue in the background; a batch already queued or running for the same scope is returned.

    Award certificates follow final results (``certificates.services``). A batch whose scope
    has an event that is not final is refused with 409 ``results_not_final``, unless it also
    issues participation certificates (then the awards are reported in the batch's errors,
    and the participation certificates are issued) or the organiser gives ``override_reason``.
    The task is enqueued after commit, so the worker always finds the batch row.
    """
    if event is not None and event.competition_id != competition.pk:
        raise error("event_not_in_competition", field="event")
    override_reason = (override_reason or "").strip()[:300]
    scope = [event] if event is not None else list(competition.events.all())
    if not (override_reason or include_participation) and final_event_ids(scope) != {e.pk for e in scope}:
        raise error("results_not_final", field="event")
    Competition.objects.select_for_update().get(pk=competition.pk)
    running = CertificateBatch.objects.filter(
        competition=competition,
        event=event,
        status__in=[CertificateBatch.Status.PENDING, CertificateBatch.Status.RUNNING],
    ).first()
    if running is not None:
        return running
    batch = CertificateBatch.objects.create(
        competition=competition,
        event=event,
        include_participation=include_participation,
        requested_by=requested_by,
        override_reason=override_reason,
    )

    def enqueue():
        result = certificate_batch_run.enqueue(batch_id=batch.pk)
        CertificateBatch.objects.filter(pk=batch.pk).update(task_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
    return batch


@task()
def certificate_batch_run(batch_id: int) -> dict:
    return batch_execute(batch_id)


def batch_execute(batch_id: int) -> dict:
    """Run one batch end to end. Never raises for a single bad certificate; records it instead."""
    batch = CertificateBatch.objects.select_related("competition", "event").get(pk=batch_id)
    CertificateBatch.objects.filter(pk=batch.pk).update(
        status=CertificateBatch.Status.RUNNING, started_at=timezone.now(), done=0, failed=0, errors=[]
    )
    try:
        if settings.CERTIFICATE_WORKERS > 1:
            workers_warm_up()
        events = [batch.event] if batch.event_id else list(batch.competition.events.all())
        requests = []
        for event in events:
            requests.extend(requests_for_event(event, include_participation=batch.include_participation))
        if not batch.event_id:  # the excellent-organisation award is the whole competition's, not an event's
            requests.extend(requests_for_organisations(batch.competition))
        _, issue_errors = certificates_issue_many(
            competition=batch.competition,
            requests=requests,
            issued_by=batch.requested_by,
            batch=batch,
            override_reason=batch.override_reason,
        )
        # Every valid certificate in scope: the ones just issued, earlier ones, and manual ones
        # (such as a participation certificate issued by hand), so the ZIP is always the complete set.
        scope = certificate_queryset().filter(competition=batch.competition, status=Certificate.Status.VALID)
        if batch.event_id:
            scope = scope.filter(event=batch.event)
        certificates = list(scope.order_by("sequence"))
        errors = list(issue_errors)
        CertificateBatch.objects.filter(pk=batch.pk).update(
            total=len(certificates) + len(issue_errors), failed=len(issue_errors), done=0, errors=errors
        )

        def progress(n):
            CertificateBatch.objects.filter(pk=batch.pk).update(done=F("done") + n)

        specs = [page_spec_for(c) for c in certificates]
        with tempfile.TemporaryDirectory(prefix="certificates-") as tmp:
            workdir = Path(tmp)
            rendered = render_pdfs(
                specs,
                workdir=workdir,
                workers=settings.CERTIFICATE_WORKERS,
                on_progress=progress,
                chunk_size=CHUNK_SIZE,
            )
            for serial, message in rendered.errors.items():
                errors.append({"holder": serial, "code": "render_failed", "detail": message})
            zip_path, print_path = workdir / "certificates.zip", workdir / "print.pdf"
            paths = rendered.paths
            items = [(pdf_filename(c), paths[c.serial]) for c in certificates if c.serial in paths]
            write_outputs(items, print_parts=rendered.print_parts, zip_path=zip_path, print_path=print_path)
            batch.refresh_from_db()
            stamp = timezone.now().strftime("%Y%m%d%H%M%S")
            base = f"{batch.competition.slug}-{batch.pk}-{stamp}"
            with zip_path.open("rb") as fh:
                batch.zip_file.save(f"{base}.zip", File(fh), save=False)
            if print_path.exists():
                with print_path.open("rb") as fh:
                    batch.print_file.save(f"{base}-print.pdf", File(fh), save=False)
        batch.errors = errors
        batch.failed = len(errors)
        batch.done = len(paths)
        batch.status = CertificateBatch.Status.DONE
        batch.finished_at = timezone.now()
        batch.save()
    except Exception as exc:
        CertificateBatch.objects.filter(pk=batch.pk).update(
            status=CertificateBatch.Status.FAILED,
            finished_at=timezone.now(),
            errors=[{"holder": "", "code": getattr(exc, "code", "batch_failed"), "detail": str(exc)}],
        )
        raise
    return {"total": batch.total, "done": batch.done, "failed": batch.failed}
