"""Where the bulk-issue task used to be defined; it is ``certificates.batches.certificate_batch_run`` now.

Both task backends (django-tasks-db, django-tasks-redis) find a queued task by importing
the dotted path stored with it, and rows queued before the move name
``certificates.tasks.certificate_batch_run``: this name keeps them running. Delete this
module once no such row can still be waiting.
"""

from certificates.batches import certificate_batch_run  # noqa: F401 -- the old dotted task path
