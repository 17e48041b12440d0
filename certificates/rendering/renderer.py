"""CertificateRenderer: pages of one character set, laid out and written as one PDF per chunk.

* Many certificates are laid out AND written as ONE multi-page PDF (WeasyPrint's
  per-PDF costs, font subsetting above all, are paid once per chunk), which
  ``pdf.split_pdf`` then splits into one PDF per certificate. The chunk PDF itself is
  the chunk's part of the merged print PDF, so no page is drawn twice.
* ``CSS`` and ``FontConfiguration`` objects are built once per renderer and reused.
* Our default templates render well-formed XML, so a chunk's HTML is parsed by expat
  (≈ 0.06 ms per page) instead of WeasyPrint's pure-Python HTML5 parser (≈ 2 ms);
  organisers' templates keep the HTML5 parser.
"""

import contextlib
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from pathlib import Path

import cssselect2
from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from certificates.rendering.fonts import SUBSET_FAMILY, check_environment, subset_font
from certificates.rendering.pages import (
    BASE_CSS_TEMPLATE,
    DEFAULT_TEMPLATES,
    PageSpec,
    RenderedChunk,
    RenderingFailed,
)
from certificates.rendering.pdf import split_pdf
from certificates.rendering.sandbox import SandboxedURLFetcher, custom_engine, sandbox_roots


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
            template = self._templates[spec.template_key] = custom_engine().from_string(spec.template_html)
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
                "render_overflow", detail=f"排版溢出：{len(specs)} 张证书排成了 {len(document.pages)} 页"
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
            raise RenderingFailed(detail=chunk.errors[spec.key])
        return chunk.pdfs[spec.key]
