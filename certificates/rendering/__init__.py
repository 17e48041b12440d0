"""Certificate PDFs: the only module that imports WeasyPrint.

Why it is built this way (see docs/PERFORMANCE.md, "Certificates"):

* The system Noto CJK fonts are 20–27 MB collections; embedding from them costs
  ≈ 130 ms and ≈ 300 KB per PDF. We subset the CJK font ONCE per character set with
  HarfBuzz (cached on disk; a cached subset that covers the characters is reused), and
  WeasyPrint's per-PDF subsetting then works on a small font: fast and small PDFs.
  Characters missing from a subset still render, through the system font named
  after it in the ``font-family`` stack; they are never boxes.
* Many certificates are laid out AND written as ONE multi-page PDF (WeasyPrint's
  per-PDF costs, font subsetting above all, are paid once per chunk), which pikepdf
  (qpdf) then splits into one PDF per certificate, each page carrying only the
  resources its content uses. The chunk PDF itself is the chunk's part of the merged
  print PDF, so no page is drawn twice.
* ``CSS`` and ``FontConfiguration`` objects are built once per renderer and reused.
* Our default templates render well-formed XML, so a chunk's HTML is parsed by expat
  (≈ 0.06 ms per page) instead of WeasyPrint's pure-Python HTML5 parser (≈ 2 ms);
  organisers' templates keep the HTML5 parser.
* Rendering refuses to run without libharfbuzz-subset (WeasyPrint would silently
  fall back to fontTools, ≈ 7 s per certificate) or without a CJK font (Chinese
  would silently become empty boxes).
* Templates render in a sandbox: the URL fetcher serves ``data:`` URLs and files
  under a few project directories only; no network, no arbitrary files.

Inputs are plain data (``PageSpec``), never ORM objects, so worker processes of the
bulk issue need no database.
"""

import contextlib
import functools
import gc
import hashlib
import io
import logging
import os
import resource
import shutil
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import cssselect2
import pikepdf
import segno
from django.conf import settings
from django.template import Context, Engine
from django.template.loader import get_template
from weasyprint import CSS, HTML
from weasyprint.text import ffi as weasyprint_ffi
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from config.errors import DomainError

# WeasyPrint logs every layout step (and fontTools, which it may use, every subset) at INFO.
for _noisy in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

DEFAULT_TEMPLATES = {
    "individual": "certificates/pdf/individual.html",
    "team": "certificates/pdf/team.html",
    "organisation": "certificates/pdf/organisation.html",
    "participation": "certificates/pdf/participation.html",
}
BASE_CSS_TEMPLATE = "certificates/pdf/certificate.css"
SUBSET_FAMILY = "CertCJK"
SUBSET_RECIPE = "v3-harfbuzz-nolayout-desubr-nohint"  # part of the cache key: change it when the subset options change
PREFERRED_FAMILY = "Noto Serif CJK SC"
# Always in every subset: ASCII, digits and the characters of dates in Chinese numerals.
ALWAYS_CHARS = "".join(chr(c) for c in range(0x20, 0x7F)) + "〇一二三四五六七八九十年月日：，。、（）《》“”·—"


class RenderingUnavailable(DomainError):
    status = 503
    code = "renderer_unavailable"


class RenderingFailed(DomainError):
    status = 500
    code = "render_failed"


@dataclass(frozen=True)
class CJKFonts:
    regular: tuple[str, int]
    bold: tuple[str, int]
    family: str


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


# --- environment checks ------------------------------------------------------------


def check_harfbuzz_subset() -> None:
    if weasyprint_ffi.harfbuzz_subset is None:
        raise RenderingUnavailable(
            "缺少 libharfbuzz-subset0：证书生成会极慢，已拒绝运行。请安装 libharfbuzz-subset0（make install）。",
            code="harfbuzz_subset_missing",
        )


def _fc_list(pattern: str) -> list[str]:
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return []
    result = subprocess.run(  # noqa: S603 -- fixed binary, fixed arguments
        [fc_list, pattern, "-f", "%{file}|%{index}|%{family[0]}|%{weight}\n"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    return [line for line in result.stdout.splitlines() if line.strip()]


@functools.cache
def find_cjk_fonts(pattern: str = ":lang=zh") -> CJKFonts:
    """The CJK font files fontconfig knows, preferring Noto Serif CJK SC. Raises if there is none."""
    faces = []
    for line in _fc_list(pattern):
        path, index, family, weight = line.split("|")
        if path.lower().endswith((".ttc", ".otf", ".ttf")):
            faces.append((family, int(float(weight or 80)), path, int(index or 0)))
    if not faces:
        raise RenderingUnavailable(
            "找不到中文字体（fc-list :lang=zh 为空），拒绝生成会显示为方框的证书。请安装 fonts-noto-cjk。",
            code="cjk_font_missing",
        )
    families = {f[0] for f in faces}
    family = PREFERRED_FAMILY if PREFERRED_FAMILY in families else sorted(families)[0]
    same = sorted((f for f in faces if f[0] == family), key=lambda f: f[1])
    regular = min(same, key=lambda f: abs(f[1] - 80))
    bold = max(same, key=lambda f: f[1])
    return CJKFonts(regular=(regular[2], regular[3]), bold=(bold[2], bold[3]), family=family)


def check_environment() -> CJKFonts:
    check_harfbuzz_subset()
    return find_cjk_fonts()


# --- font subsets --------------------------------------------------------------------


def font_cache_dir() -> Path:
    path = Path(settings.CERTIFICATE_FONT_CACHE) if settings.CERTIFICATE_FONT_CACHE else None
    if path is None:
        path = Path(tempfile.gettempdir()) / f"skillcontest-fonts-{os.getuid()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


MAX_CACHED_SUBSETS = 32  # the oldest (by last use) go first; a batch touches the subset it uses


def subset_font(source: tuple[str, int], chars: str) -> Path:
    """A subset of one face of ``source`` covering ``chars``: a cached one if any covers them, else a new one.

    Each subset has a ``.chars`` file beside it: its recipe line, then its characters. A
    certificate downloaded on its own after a batch is covered by the batch's subset, so it
    costs no subsetting and leaves no new file behind.
    """
    path, index = source
    charset = "".join(sorted(set(chars) | set(ALWAYS_CHARS)))
    recipe = f"{SUBSET_RECIPE}|{path}|{index}|{os.path.getmtime(path)}"
    cache = font_cache_dir()
    needed = set(charset)
    covering = []
    for chars_file in cache.glob("cjk-*.chars"):
        recipe_line, _, covered = _read_text(chars_file).partition("\n")
        if recipe_line == recipe and needed <= set(covered) and chars_file.with_suffix(".otf").exists():
            covering.append((len(covered), chars_file))
    if covering:
        _, chars_file = min(covering)  # the smallest: WeasyPrint loads the whole file for every renderer
        _touch(chars_file)
        return chars_file.with_suffix(".otf")
    digest = hashlib.sha256(f"{recipe}|{charset}".encode()).hexdigest()[:24]
    target = cache / f"cjk-{digest}.otf"
    data = _harfbuzz_subset(path, index, charset)
    # Atomic: several worker processes may build the same subset at once. The font first, then the
    # .chars file that makes it findable.
    fd, tmp = tempfile.mkstemp(dir=cache, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    Path(tmp).replace(target)
    fd, tmp = tempfile.mkstemp(dir=cache, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"{recipe}\n{charset}")
    Path(tmp).replace(target.with_suffix(".chars"))
    _prune_subsets(cache)
    return target


_HB_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
void hb_set_clear (hb_set_t *set);
hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set (hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""
_HB_SUBSET_FLAGS = 0x1 | 0x4 | 0x40  # NO_HINTING (print), DESUBROUTINIZE (WeasyPrint would, per PDF), NOTDEF_OUTLINE
_HB_SUBSET_SETS_LAYOUT_FEATURE_TAG = 6


@functools.cache
def _harfbuzz():
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(_HB_CDEF)
    return ffi, ffi.dlopen("libharfbuzz.so.0"), ffi.dlopen("libharfbuzz-subset.so.0")


def _harfbuzz_subset(path: str, index: int, charset: str) -> bytes:
    """HarfBuzz's subsetter (the library WeasyPrint requires anyway): ≈ 10 ms where fontTools took ≈ 1 s.

    No layout features (the SC face maps SC glyphs directly; WeasyPrint drops GSUB/GPOS
    from every PDF anyway), no hinting, desubroutinized CFF.
    """
    ffi, hb, hb_subset = _harfbuzz()
    blob = hb.hb_blob_create_from_file_or_fail(os.fsencode(path))
    if blob == ffi.NULL:
        raise RenderingUnavailable(f"无法读取字体文件 {path}。", code="cjk_font_missing")
    face = hb.hb_face_create(blob, index)
    subset_input = hb_subset.hb_subset_input_create_or_fail()
    try:
        unicodes = hb_subset.hb_subset_input_unicode_set(subset_input)
        for char in charset:
            hb.hb_set_add(unicodes, ord(char))
        hb.hb_set_clear(hb_subset.hb_subset_input_set(subset_input, _HB_SUBSET_SETS_LAYOUT_FEATURE_TAG))
        hb_subset.hb_subset_input_set_flags(subset_input, _HB_SUBSET_FLAGS)
        subset = hb_subset.hb_subset_or_fail(face, subset_input)
        if subset == ffi.NULL:
            raise RenderingFailed(f"HarfBuzz 无法生成字体子集：{path}", code="font_subset_failed")
        result = hb.hb_face_reference_blob(subset)
        length = ffi.new("unsigned int *")
        data = ffi.buffer(hb.hb_blob_get_data(result, length), length[0])[:]
        hb.hb_blob_destroy(result)
        hb.hb_face_destroy(subset)
        return data
    finally:
        hb_subset.hb_subset_input_destroy(subset_input)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # pruned by another process meanwhile
        return 0.0


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def _touch(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.touch()


def _prune_subsets(cache: Path) -> None:
    chars_files = sorted(cache.glob("cjk-*.chars"), key=_mtime, reverse=True)
    for stale in chars_files[MAX_CACHED_SUBSETS:]:
        for suffix in (".chars", ".otf"):
            stale.with_suffix(suffix).unlink(missing_ok=True)


def charset_of(specs: Iterable[PageSpec]) -> str:
    """Every character a set of pages can show: template sources plus context strings."""
    chars = set()
    sources_seen = set()
    for spec in specs:
        for value in spec.context.values():
            if isinstance(value, str) and not value.startswith("<svg"):
                chars.update(value)
        if spec.template_key not in sources_seen:
            sources_seen.add(spec.template_key)
            chars.update(spec.template_html)
            chars.update(spec.template_css)
            if spec.template_key.startswith("default:"):
                chars.update(_default_template_source(spec.template_key.split(":", 1)[1]))
    return "".join(sorted(chars))


@functools.cache
def _default_template_source(kind: str) -> str:
    template = get_template(DEFAULT_TEMPLATES[kind])
    sources = [template.template.source]
    base = get_template("certificates/pdf/base.html")
    sources.append(base.template.source)
    # Generated content (``content: "◆"``) must be in the subset too, or it falls back to the
    # 20 MB system font and every PDF pays for subsetting that.
    sources.append(get_template(BASE_CSS_TEMPLATE).template.source)
    return "".join(sources)


# --- sandboxed fetching --------------------------------------------------------------


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
def _custom_engine() -> Engine:
    # Organisers' templates get a bare engine: no loaders, so no {% include %} of project files.
    return Engine(autoescape=True, debug=False, loaders=[])


def validate_custom_template(html: str) -> None:
    """Raises django.template.TemplateSyntaxError when an uploaded template does not compile."""
    _custom_engine().from_string(html)


def qr_svg(url: str, *, size_mm: float = 25, dark: str = "#3a1f0f") -> str:
    """segno's QR code as inline SVG, exactly ``size_mm`` wide: vector, sharp at any print resolution.

    The whole symbol is ONE stroked line snaking through the rows (left to right, one
    step down in the quiet zone, right to left, …) whose ``stroke-dasharray`` spells
    the dark and light runs. WeasyPrint's SVG code costs per path point and per
    element; segno's own SVG (one segment per run, ~900 points) doubled the PDF
    writing time of a certificate, this has two points per row and one element.
    """
    qr = segno.make(url, error="m")
    rows = [[bool(m) for m in row] for row in qr.matrix_iter(scale=1, border=0)]
    size = len(rows)
    dashes: list[int] = []  # alternating dark, light lengths along the line, starting with dark

    def add(dark_run: bool, length: int) -> None:
        if (len(dashes) % 2 == 0) == dark_run:
            dashes.append(length)
        else:
            dashes[-1] += length

    path = []
    for y, row in enumerate(rows):
        ordered = row if y % 2 == 0 else row[::-1]
        for module in ordered:
            add(module, 1)
        if y < size - 1:
            add(False, 1)  # the step down to the next row: a gap, never painted
        path.append(f"H{size if y % 2 == 0 else 0}" + (f"V{y + 1.5}" if y < size - 1 else ""))
    if len(dashes) % 2:
        dashes.append(size)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_mm}mm" height="{size_mm}mm" '
        f'viewBox="0 0 {size} {size}" class="qr-code"><path d="M0 0.5{"".join(path)}" fill="none" '
        f'stroke="{dark}" stroke-width="1" stroke-dasharray="{" ".join(map(str, dashes))}"/></svg>'
    )


# --- rendering -------------------------------------------------------------------------


class _ParsedHTML(HTML):
    """A WeasyPrint ``HTML`` for an already parsed tree (what ``HTML.__init__`` sets after parsing)."""

    def __init__(self, root: ElementTree.Element, *, base_url: str, url_fetcher: URLFetcher):
        self.base_url = base_url
        self.url_fetcher = url_fetcher
        self.media_type = "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element


class CertificateRenderer:
    """Renders pages for one character set; reuse one instance for a whole chunk of a batch."""

    def __init__(self, *, charset: str, roots: Iterable[Path] | None = None):
        fonts = check_environment()
        self.family = fonts.family
        self.regular = subset_font(fonts.regular, charset)
        self.bold = subset_font(fonts.bold, charset)
        self.font_config = FontConfiguration()
        self.fetcher = SandboxedURLFetcher(roots if roots is not None else sandbox_roots())
        self._css: dict[str, list[CSS]] = {}
        self._templates: dict = {}
        self.base_url = Path(settings.BASE_DIR).as_uri() + "/"

    def _font_faces(self) -> str:
        return (
            f'@font-face {{ font-family: "{SUBSET_FAMILY}"; font-weight: 400; src: url("{self.regular.as_uri()}"); }}\n'
            f'@font-face {{ font-family: "{SUBSET_FAMILY}"; font-weight: 700; src: url("{self.bold.as_uri()}"); }}\n'
            f'body {{ font-family: "{SUBSET_FAMILY}", "{self.family}"; }}\n'
        )

    def stylesheets(self, spec: PageSpec) -> list[CSS]:
        if spec.template_key not in self._css:
            base = get_template(BASE_CSS_TEMPLATE).template.source
            sheets = [
                CSS(string=self._font_faces(), font_config=self.font_config, url_fetcher=self.fetcher),
                CSS(string=base, font_config=self.font_config, url_fetcher=self.fetcher, base_url=self.base_url),
            ]
            if spec.template_css:
                sheets.append(
                    CSS(
                        string=spec.template_css,
                        font_config=self.font_config,
                        url_fetcher=self.fetcher,
                        base_url=self.base_url,
                    )
                )
            self._css[spec.template_key] = sheets
        return self._css[spec.template_key]

    def page_html(self, spec: PageSpec) -> str:
        if spec.template_key.startswith("default:"):
            template = self._templates.get(spec.template_key)
            if template is None:
                template = self._templates[spec.template_key] = get_template(
                    DEFAULT_TEMPLATES[spec.template_key.split(":", 1)[1]]
                )
            return template.render(spec.context)
        template = self._templates.get(spec.template_key)
        if template is None:
            template = self._templates[spec.template_key] = _custom_engine().from_string(spec.template_html)
        body = template.render(Context(spec.context))
        return f'<section class="certificate custom">{body}</section>'

    def _html(self, specs: list[PageSpec], bodies: list[str]) -> HTML:
        body = "".join(bodies)
        if specs[0].template_key.startswith("default:"):
            # Our own templates are well-formed XML (escaped context, our QR SVG): expat parses a
            # chunk in ≈ 0.1 ms per page where WeasyPrint's pure-Python HTML5 parser takes ≈ 2 ms.
            # Organisers' templates always go through the HTML5 parser (``<div/>`` means
            # something else there); so does anything expat refuses.
            # No DTD can get in (context values are escaped), so no entity expansion.
            with contextlib.suppress(ElementTree.ParseError):
                root = ElementTree.fromstring(  # noqa: S314
                    f'<html lang="zh-Hans"><head><meta charset="utf-8"/></head><body>{body}</body></html>'
                )
                return _ParsedHTML(root, base_url=self.base_url, url_fetcher=self.fetcher)
        html = f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"></head><body>{body}</body></html>'
        return HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher)

    def _document(self, specs: list[PageSpec], bodies: list[str]):
        document = self._html(specs, bodies).render(
            stylesheets=self.stylesheets(specs[0]), font_config=self.font_config
        )
        if len(document.pages) != len(specs):
            raise RenderingFailed(
                f"排版溢出：{len(specs)} 张证书排成了 {len(document.pages)} 页", code="render_overflow"
            )
        return document

    def render(self, specs: list[PageSpec], *, merged: bool = True) -> RenderedChunk:
        """Render pages; a failing page is reported in ``errors`` and never stops the others."""
        chunk = RenderedChunk()
        groups: list[list[PageSpec]] = []
        for spec in specs:
            if groups and groups[-1][0].template_key == spec.template_key:
                groups[-1].append(spec)
            else:
                groups.append([spec])
        for group in groups:
            self._render_group(group, chunk, merged=merged)
        return chunk

    def _render_group(self, group: list[PageSpec], chunk: RenderedChunk, *, merged: bool) -> None:
        bodies = []
        good = []
        for spec in group:
            try:
                bodies.append(self.page_html(spec))
                good.append(spec)
            except Exception as exc:
                chunk.errors[spec.key] = f"{type(exc).__name__}: {exc}"
        if not good:
            return
        try:
            document = self._document(good, bodies)
        except Exception:
            if len(good) == 1:
                raise
            for spec in good:
                try:
                    self._render_group([spec], chunk, merged=merged)
                except Exception as exc:
                    chunk.errors[spec.key] = f"{type(exc).__name__}: {exc}"
            return
        whole = document.write_pdf()
        if len(good) == 1:
            chunk.pdfs[good[0].key] = whole
        else:
            pages, whole = split_pdf(whole)
            chunk.pdfs.update(zip((spec.key for spec in good), pages, strict=True))
        if merged:
            chunk.merged.append(whole)

    def render_one(self, spec: PageSpec) -> bytes:
        chunk = self.render([spec], merged=False)
        if spec.key in chunk.errors:
            raise RenderingFailed(chunk.errors[spec.key])
        return chunk.pdfs[spec.key]


# Content-stream operators that name a resource, and the resource category they name.
_RESOURCE_OPERATORS = {
    "Tf": "/Font",
    "gs": "/ExtGState",
    "scn": "/Pattern",
    "SCN": "/Pattern",
    "cs": "/ColorSpace",
    "CS": "/ColorSpace",
    "sh": "/Shading",
    "Do": "/XObject",
    "BDC": "/Properties",
    "DP": "/Properties",
}
_SAVE_OPTIONS = {
    # The streams are WeasyPrint's, already compressed: copy them as they are.
    "stream_decode_level": pikepdf.StreamDecodeLevel.none,
    "object_stream_mode": pikepdf.ObjectStreamMode.generate,
}


def _used_resources(content) -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for operands, operator in pikepdf.parse_content_stream(content, " ".join(_RESOURCE_OPERATORS)):
        names = [o for o in operands if isinstance(o, pikepdf.Name)]
        if names:
            # BDC/DP name the tag first and the property list last; the others name one resource.
            used.setdefault(_RESOURCE_OPERATORS[str(operator)], set()).add(str(names[-1]))
    return used


def _own_resources(page: pikepdf.Page) -> None:
    """Give a page a resource dictionary of only what its content names.

    WeasyPrint shares ONE resource dictionary between all pages of a document, so a page
    copied on its own would drag every other page's patterns along. A page that draws
    form XObjects keeps the shared dictionary (their content may name anything in it):
    bigger, never wrong.
    """
    resources = page.obj.get("/Resources")
    if resources is None:
        return
    used = _used_resources(page.obj)
    if "/XObject" in used:
        return
    own = pikepdf.Dictionary()
    for category, names in used.items():
        if category in resources:
            shared = resources[category]
            own[category] = pikepdf.Dictionary({name: shared[name] for name in names if name in shared})
    page.obj.Resources = own


def _save(pdf: pikepdf.Pdf) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer, **_SAVE_OPTIONS)
    return buffer.getvalue()


def split_pdf(data: bytes) -> tuple[list[bytes], bytes]:
    """One PDF per page of ``data``, and ``data`` again with the same lean page resources.

    qpdf copies each page with the objects it references: its content stream, the
    fonts it uses (the chunk's subset, embedded once per file) and its own patterns.
    """
    with pikepdf.open(io.BytesIO(data)) as source:
        for page in source.pages:
            _own_resources(page)
        pages = []
        for page in source.pages:
            with pikepdf.new() as single:
                single.pages.append(page)
                pages.append(_save(single))
        return pages, _save(source)


def render_naive(spec: PageSpec) -> bytes:
    """The obvious way, kept for the benchmark: one document, system font, nothing reused."""
    fonts = check_environment()
    template = get_template(DEFAULT_TEMPLATES[spec.template_key.split(":", 1)[1]])
    css = get_template(BASE_CSS_TEMPLATE).template.source
    style = f'body {{ font-family: "{fonts.family}"; }}\n{css}'
    html = (
        f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><style>{style}</style></head>'
        f"<body>{template.render(spec.context)}</body></html>"
    )
    return HTML(string=html, base_url=Path(settings.BASE_DIR).as_uri() + "/").write_pdf()


def merge_pdfs(parts: list[Path], target: Path) -> None:
    """Concatenate PDFs, in order, with pikepdf (qpdf): each part's fonts are copied once."""
    if len(parts) == 1:
        shutil.copyfile(parts[0], target)
        return
    with contextlib.ExitStack() as stack:
        merged = stack.enter_context(pikepdf.new())
        for part in parts:
            # Stream data is copied lazily, when ``merged`` is saved: the parts stay open until then.
            merged.pages.extend(stack.enter_context(pikepdf.open(part)).pages)
        merged.save(target, **_SAVE_OPTIONS)


# --- worker-process entry point (bulk issue) ------------------------------------------------

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
