"""The Content-Security-Policy header, and templates that need no inline script to honour it.

Other work adds templates all the time: the scan below refuses an inline ``<script>``
without a nonce and any ``on…=`` handler attribute, so a new page cannot quietly need
'unsafe-inline'. Behaviour goes in static/*.js, wired by data attributes.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>"
)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
NONCED_STYLE = re.compile(r'<style nonce="([^"]+)">')


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


def test_pages_send_a_policy_without_inline_scripts(client):
    directives = _directives(client.get("/"))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_an_inline_style_carries_the_nonce_of_its_response(client):
    certificate = CertificateFactory()
    response = client.get(f"/verify/{certificate.verification_code}/")
    assert response.status_code == 200
    nonce = NONCED_STYLE.search(response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in _directives(response)["style-src"]
    # A nonce is per response.
    again = client.get(f"/verify/{certificate.verification_code}/")
    assert NONCED_STYLE.search(again.content.decode()).group(1) != nonce


def test_the_api_docs_alone_may_load_swagger_from_its_cdn(client):
    docs = _directives(client.get("/api/docs/"))
    assert "https://cdn.jsdelivr.net" in docs["script-src"]
    assert "'unsafe-inline'" not in docs["script-src"]
    assert "https://cdn.jsdelivr.net" not in _directives(client.get("/"))["script-src"]


def test_templates_have_no_inline_script_or_handler_attribute():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if "pdf" in path.relative_to(TEMPLATES).parts:
            continue  # rendered by WeasyPrint, never by a browser
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(TEMPLATES)}: {m.group(0)[:60]}" for m in INLINE_SCRIPT.finditer(text)]
        offenders += [f"{path.relative_to(TEMPLATES)}: {m.group(0)[:60]}" for m in HANDLER.finditer(text)]
    assert offenders == []
