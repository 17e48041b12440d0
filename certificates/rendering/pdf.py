"""Splitting a chunk's PDF into one PDF per certificate, and merging chunks into the print PDF, with pikepdf (qpdf).

Each split page carries only the resources its content uses.
"""

import contextlib
import io
import shutil
from pathlib import Path

import pikepdf

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
