"""What rendering takes and gives: plain data (``PageSpec`` in, ``RenderedChunk`` out), and its errors.

No ORM objects here, so worker processes of the bulk issue need no database.
"""

from dataclasses import dataclass, field

from config.errors import DomainError

DEFAULT_TEMPLATES = {
    "individual": "certificates/pdf/individual.html",
    "team": "certificates/pdf/team.html",
    "organisation": "certificates/pdf/organisation.html",
    "participation": "certificates/pdf/participation.html",
    "online": "certificates/pdf/online.html",
}
BASE_CSS_TEMPLATE = "certificates/pdf/certificate.css"


class RenderingUnavailable(DomainError):
    """The machine cannot render (fonts or HarfBuzz missing): 503, with the reason in ``detail``."""

    code = "renderer_unavailable"


class RenderingFailed(DomainError):
    """A certificate did not render: 500, with the reason in ``detail``."""

    code = "render_failed"


@dataclass(frozen=True)
class PageSpec:
    """One certificate page: which template, and the strings to put in it."""

    key: str  # serial, used for file names and error reports
    template_key: str  # "default:<kind>" or "custom:<id>"
    context: dict
    template_html: str = ""  # only for custom templates
    template_css: str = ""


@dataclass
class RenderedChunk:
    pdfs: dict[str, bytes] = field(default_factory=dict)  # key -> PDF bytes
    merged: list[bytes] = field(default_factory=list)  # print-PDF parts, in page order
    errors: dict[str, str] = field(default_factory=dict)  # key -> message
    cpu_s: float = 0.0  # CPU time the chunk took in its process (for the benchmark)
    peak_rss_kb: int = 0  # the rendering process's peak resident set so far
