"""The worker-process side of the bulk issue: set-up and rendering one chunk, renderer reused per process.

The forkserver the workers are forked from preloads ``certificates.rendering.preload``.
"""

import gc
import os
import resource
import time
from pathlib import Path

from certificates.rendering.pages import PageSpec, RenderedChunk
from certificates.rendering.renderer import CertificateRenderer

_worker_renderers: dict[tuple, CertificateRenderer] = {}


def worker_init() -> None:
    """Process-pool initializer: Django settings and templates, no database (usually done by the forkserver)."""
    from django.apps import apps

    if not apps.ready:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        django.setup(set_prefix=False)


def render_chunk(specs: list[PageSpec], charset: str, roots: list[str]) -> RenderedChunk:
    """Render one chunk of a batch; the renderer (fonts, CSS) is reused across chunks of a process."""
    key = (charset, tuple(roots))
    renderer = _worker_renderers.get(key)
    if renderer is None:
        _worker_renderers.clear()
        renderer = _worker_renderers[key] = CertificateRenderer(charset=charset, roots=[Path(r) for r in roots])
        # Layout allocates millions of short-lived objects; with the default thresholds the cyclic GC
        # keeps re-walking the long-lived ones (Django, WeasyPrint, the renderer). Freeze those and
        # collect less often: the worker is recycled after a few chunks anyway.
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 1000)
    started = time.process_time()
    chunk = renderer.render(specs, merged=True)
    chunk.cpu_s = time.process_time() - started
    chunk.peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return chunk
