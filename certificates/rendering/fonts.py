"""CJK fonts: finding them, subsetting them with HarfBuzz, and the on-disk cache of subsets.

The system Noto CJK fonts are 20–27 MB collections; embedding from them costs
≈ 130 ms and ≈ 300 KB per PDF. We subset the CJK font ONCE per character set with
HarfBuzz (cached on disk; a cached subset that covers the characters is reused), and
WeasyPrint's per-PDF subsetting then works on a small font: fast and small PDFs.
Characters missing from a subset still render, through the system font named after
it in the ``font-family`` stack; they are never boxes.

Rendering refuses to run without libharfbuzz-subset (WeasyPrint would silently fall
back to fontTools, ≈ 7 s per certificate) or without a CJK font (Chinese would
silently become empty boxes).
"""

import contextlib
import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import get_template
from weasyprint.text import ffi as weasyprint_ffi

from certificates.rendering.pages import (
    BASE_CSS_TEMPLATE,
    DEFAULT_TEMPLATES,
    PageSpec,
    RenderingFailed,
    RenderingUnavailable,
)

SUBSET_FAMILY = "CertCJK"
SUBSET_RECIPE = "v3-harfbuzz-nolayout-desubr-nohint"  # part of the cache key: change it when the subset options change
PREFERRED_FAMILY = "Noto Serif CJK SC"
# Always in every subset: ASCII, digits and the characters of dates in Chinese numerals.
ALWAYS_CHARS = "".join(chr(c) for c in range(0x20, 0x7F)) + "〇一二三四五六七八九十年月日：，。、（）《》“”·—"


@dataclass(frozen=True)
class CJKFonts:
    regular: tuple[str, int]
    bold: tuple[str, int]
    family: str


# --- environment checks ------------------------------------------------------------


def check_harfbuzz_subset() -> None:
    if weasyprint_ffi.harfbuzz_subset is None:
        raise RenderingUnavailable("harfbuzz_subset_missing")


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
        raise RenderingUnavailable("cjk_font_missing")
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
        raise RenderingUnavailable("cjk_font_missing", detail=f"无法读取字体文件 {path}。")
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
            raise RenderingFailed("font_subset_failed", detail=f"HarfBuzz 无法生成字体子集：{path}")
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
