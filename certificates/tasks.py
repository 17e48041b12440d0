"""Background tasks (Django's task framework): the same API in-process, on a database or on a worker pool."""

from django.tasks import task


@task()
def certificate_batch_run(batch_id: int) -> dict:
    from certificates.bulk import batch_execute

    return batch_execute(batch_id)
