"""Templates render in a sandbox: no network, no arbitrary files.

The URL fetcher serves ``data:`` URLs and files under a few project directories only
(the font cache, static/certificates, uploaded backgrounds). Organisers' templates
compile in a bare template engine with no loaders.
"""

import functools
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template import Engine
from weasyprint.urls import URLFetcher

from certificates.rendering.fonts import font_cache_dir


class SandboxedURLFetcher(URLFetcher):
    """Serves ``data:`` URLs and files under ``roots`` only; everything else is refused."""

    def __init__(self, roots: Iterable[Path]):
        super().__init__(timeout=2, allowed_protocols=("file", "data"), allow_redirects=False)
        self.roots = [Path(root).resolve() for root in roots]
        self.refused: list[str] = []
        self.fetched: list[str] = []

    def allows(self, url: str) -> bool:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return True
        if scheme != "file":
            return False
        path = Path(url2pathname(urlsplit(url).path)).resolve()
        return path.is_file() and any(path.is_relative_to(root) for root in self.roots)

    def fetch(self, url, headers=None):
        if not self.allows(url):
            self.refused.append(url)
            raise ValueError(f"certificate templates may not fetch {url}")
        self.fetched.append(url)
        return super().fetch(url, headers)


def sandbox_roots() -> list[Path]:
    return [
        font_cache_dir(),
        Path(settings.BASE_DIR) / "static" / "certificates",
        Path(settings.MEDIA_ROOT) / "certificates" / "backgrounds",
    ]


@functools.cache
def custom_engine() -> Engine:
    # Organisers' templates get a bare engine: no loaders, so no {% include %} of project files.
    return Engine(autoescape=True, debug=False, loaders=[])


def validate_custom_template(html: str) -> None:
    """Raises django.template.TemplateSyntaxError when an uploaded template does not compile."""
    custom_engine().from_string(html)
