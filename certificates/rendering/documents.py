"""Print sheets of our own (judges' login QR codes, …) as one PDF.

A certificate is one page from a template of known shape; a print sheet is a whole HTML
document of any length that another room renders from its own template and hands over
as a string. It gets the same care as a certificate: the CJK font subset to the
document's characters (fast and small; HarfBuzz required, as ``fonts.check_environment``
insists) and the sandboxed URL fetcher (no network, no arbitrary files).
"""

from pathlib import Path

from django.conf import settings
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from certificates.rendering.fonts import SUBSET_FAMILY, check_environment, subset_font
from certificates.rendering.sandbox import SandboxedURLFetcher, sandbox_roots


def document_pdf(html: str) -> bytes:
    """``html`` (a whole document, its text already escaped by its template) as PDF bytes."""
    fonts = check_environment()
    regular = subset_font(fonts.regular, html)
    bold = subset_font(fonts.bold, html)
    font_config = FontConfiguration()
    fetcher = SandboxedURLFetcher(sandbox_roots())
    faces = CSS(
        string=(
            f'@font-face {{ font-family: "{SUBSET_FAMILY}"; font-weight: 400; src: url("{regular.as_uri()}"); }}\n'
            f'@font-face {{ font-family: "{SUBSET_FAMILY}"; font-weight: 700; src: url("{bold.as_uri()}"); }}\n'
            f'body {{ font-family: "{SUBSET_FAMILY}", "{fonts.family}"; }}\n'
        ),
        font_config=font_config,
        url_fetcher=fetcher,
    )
    document = HTML(string=html, base_url=Path(settings.BASE_DIR).as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[faces], font_config=font_config)
