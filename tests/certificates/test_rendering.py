import logging
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from certificates import selectors
from certificates.rendering.fonts import charset_of, check_environment, find_cjk_fonts, subset_font
from certificates.rendering.pages import PageSpec, RenderingUnavailable
from certificates.rendering.qr import qr_svg
from certificates.rendering.renderer import CertificateRenderer, _ParsedHTML
from certificates.rendering.sandbox import SandboxedURLFetcher
from tests.factories import CertificateFactory, CertificateTemplateFactory, CompetitionFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "certificates"


def run(tool: str, *args: str) -> str:
    # Fixed poppler-utils binaries on fixed arguments.
    result = subprocess.run([shutil.which(tool), *args], capture_output=True, text=True, check=True)  # noqa: S603
    return result.stdout


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    return run("pdftotext", "-layout", str(path), "-")


def pdf_pages(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "p.pdf"
    path.write_bytes(pdf)
    info = run("pdfinfo", str(path))
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])


@pytest.fixture
def drone_certificate():
    host = OrganisationFactory(name="某市总工会")
    competition = CompetitionFactory(title="2026年某市无人机应急救援职业技能竞赛", slug="drone", year=2026, host=host)
    return CertificateFactory(
        competition=competition,
        event__title="无人机应急搜救",
        holder_contestant__name="欧阳建国",
        holder_contestant__organisation__name="某区应急管理局",
    )


def test_certificate_pdf_contains_chinese_name_award_and_serial(drone_certificate, tmp_path):
    pdf = selectors.certificate_pdf(drone_certificate)
    text = pdf_text(pdf, tmp_path)
    compact = "".join(text.split())
    assert pdf[:5] == b"%PDF-"
    assert pdf_pages(pdf, tmp_path) == 1
    assert ("欧阳建国" in compact, "一等奖" in compact, "荣誉证书" in compact) == (True, True, True)
    assert ("CQ-2026-DRONE-0001" in compact, "某市总工会" in compact) == (True, True)
    assert len(pdf) < 150_000


def test_certificate_pdf_logs_no_weasyprint_steps(drone_certificate, caplog):
    # settings.LOGGING keeps WeasyPrint's per-step INFO lines (thousands per batch) out of the logs.
    with caplog.at_level(logging.INFO):
        selectors.certificate_pdf(drone_certificate)
    assert [r.name for r in caplog.records if r.name.startswith(("weasyprint", "fontTools"))] == []


def test_certificate_pdf_page_one_renders_to_png(drone_certificate, tmp_path):
    pdf_path = tmp_path / "c.pdf"
    pdf_path.write_bytes(selectors.certificate_pdf(drone_certificate))
    run("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf_path), str(tmp_path / "p"))
    png = (tmp_path / "p.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # A4 landscape at 60 dpi: 297 mm x 210 mm -> 702 x 497 pixels (poppler rounds up).
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (702, 497)


def test_sandboxed_fetcher_refuses_local_files_and_network(tmp_path):
    fetcher = SandboxedURLFetcher([tmp_path])
    allowed = tmp_path / "bg.svg"
    allowed.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
    assert fetcher.allows(allowed.as_uri()) is True
    for url in ["file:///etc/passwd", "http://example.com/x.css", "https://example.com/", f"{tmp_path.as_uri()}/../x"]:
        assert fetcher.allows(url) is False
        with pytest.raises(ValueError, match="may not fetch"):
            fetcher.fetch(url)
    assert fetcher.fetched == []


def test_custom_template_cannot_read_files_or_network(tmp_path):
    competition = CompetitionFactory()
    CertificateTemplateFactory(
        competition=competition,
        html='<img src="file:///etc/passwd"><p>{{ holder_name }}</p>'
        '<link rel="stylesheet" href="http://example.com/evil.css">',
        css='@import url("file:///etc/passwd"); body { background: url("http://example.com/x.png"); }',
    )
    certificate = CertificateFactory(competition=competition, holder_contestant__name="孙小梅")
    spec = selectors.page_spec_for(certificate)
    renderer = CertificateRenderer(charset=charset_of([spec]))
    pdf = renderer.render_one(spec)
    assert "孙小梅" in "".join(pdf_text(pdf, tmp_path).split())
    assert "root:" not in pdf_text(pdf, tmp_path)
    assert sorted(set(renderer.fetcher.refused)) == [
        "file:///etc/passwd",
        "http://example.com/evil.css",
        "http://example.com/x.png",
    ]
    assert [url for url in renderer.fetcher.fetched if "passwd" in url or "example.com" in url] == []


def test_subset_font_reuses_a_cached_subset_that_covers_the_characters(settings, tmp_path):
    settings.CERTIFICATE_FONT_CACHE = str(tmp_path / "fonts")
    face = check_environment().regular
    batch = subset_font(face, "张伟李娜王芳")
    assert subset_font(face, "李娜") == batch  # a download after the batch: no fontTools run
    assert len(list((tmp_path / "fonts").iterdir())) == 2  # the font and its .chars
    other = subset_font(face, "欧阳")
    assert other != batch
    assert sorted(p.suffix for p in (tmp_path / "fonts").iterdir()) == [".chars", ".chars", ".otf", ".otf"]


def test_subset_cache_drops_the_least_recently_used(settings, tmp_path, monkeypatch):
    monkeypatch.setattr("certificates.rendering.fonts.MAX_CACHED_SUBSETS", 2)
    settings.CERTIFICATE_FONT_CACHE = str(tmp_path / "fonts")
    face = check_environment().regular
    first = subset_font(face, "甲")
    second = subset_font(face, "乙")
    os.utime(first.with_suffix(".chars"), (1, 1))
    os.utime(second.with_suffix(".chars"), (2, 2))
    assert subset_font(face, "甲") == first  # used again: now the most recent
    third = subset_font(face, "丙")
    assert sorted((tmp_path / "fonts").glob("*.otf")) == sorted([first, third])


def test_render_refuses_without_a_cjk_font():
    find_cjk_fonts.cache_clear()
    try:
        with pytest.raises(RenderingUnavailable) as excinfo:
            find_cjk_fonts(":family=No Such Font Family At All")
        assert excinfo.value.code == "cjk_font_missing"
    finally:
        find_cjk_fonts.cache_clear()


def test_render_environment_has_harfbuzz_subset_and_noto_cjk():
    from weasyprint.text import ffi as weasyprint_ffi

    fonts = check_environment()
    assert fonts.family == "Noto Serif CJK SC"
    assert weasyprint_ffi.harfbuzz_subset is not None


def test_render_many_pages_one_pdf_per_certificate(tmp_path):
    competition = CompetitionFactory(slug="skill")
    certificates = [
        CertificateFactory(competition=competition, holder_contestant__name=name, award_level=level)
        for name, level in [("张伟", 1), ("李娜", 2), ("王芳", 3)]
    ]
    specs = [selectors.page_spec_for(c) for c in certificates]
    chunk = CertificateRenderer(charset=charset_of(specs)).render(specs, merged=True)
    assert sorted(chunk.pdfs) == [c.serial for c in certificates]
    texts = ["".join(pdf_text(chunk.pdfs[c.serial], tmp_path).split()) for c in certificates]
    assert [("张伟" in t, "李娜" in t, "王芳" in t) for t in texts] == [
        (True, False, False),
        (False, True, False),
        (False, False, True),
    ]
    assert [pdf_pages(chunk.pdfs[c.serial], tmp_path) for c in certificates] == [1, 1, 1]
    assert pdf_pages(chunk.merged[0], tmp_path) == 3
    assert chunk.errors == {}


def test_render_split_pages_carry_their_own_fonts_pattern_and_qr_only(tmp_path):
    import pikepdf

    competition = CompetitionFactory(slug="skill")
    certificates = [CertificateFactory(competition=competition, holder_contestant__name=n) for n in ["赵敏", "钱进"]]
    specs = [selectors.page_spec_for(c) for c in certificates]
    chunk = CertificateRenderer(charset=charset_of(specs)).render(specs, merged=False)
    for certificate, spec in zip(certificates, specs, strict=True):
        data = chunk.pdfs[certificate.serial]
        path = tmp_path / "one.pdf"
        path.write_bytes(data)
        fonts = run("pdffonts", str(path)).splitlines()[2:]
        assert [(line.split()[-5], line.split()[-4]) for line in fonts] == [("yes", "yes")] * 2  # embedded, subset
        with pikepdf.open(path) as pdf:
            page = pdf.pages[0]
            assert len(page.Resources.Pattern) == 1  # its own background, not the whole chunk's
            dashes = [
                [float(x) for x in operands[0]]
                for operands, op in pikepdf.parse_content_stream(page, "d")
                if len(operands[0]) > 10
            ]
        qr = spec.context["qr_svg"]
        expected = [float(x) for x in qr.split('stroke-dasharray="')[1].split('"')[0].split()]
        assert [[round(d / dashes[0][0] * expected[0], 3) for d in dashes[0]]] == [[round(e, 3) for e in expected]]
        assert len(data) < 150_000


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils")
def test_sample_certificate_in_docs_is_current():
    # The sample is committed (docs/certificates/); regenerate with `python -m bench.certificates --sample`.
    assert (DOCS / "sample.pdf").stat().st_size > 10_000
    assert (DOCS / "sample.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_qr_svg_draws_exactly_segnos_modules(tmp_path):
    import segno
    from PIL import Image
    from weasyprint import HTML

    url = "http://127.0.0.1:8000/verify/CQ-2026-DRONE-0001.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG/"
    html = f"<style>@page {{ size: 25mm 25mm; margin: 0 }} body {{ margin: 0 }}</style>{qr_svg(url)}"
    (tmp_path / "qr.pdf").write_bytes(HTML(string=html).write_pdf())
    run("pdftoppm", "-png", "-r", "300", "-gray", "-singlefile", str(tmp_path / "qr.pdf"), str(tmp_path / "qr"))
    image = Image.open(tmp_path / "qr.png").convert("L")
    matrix = [[bool(m) for m in row] for row in segno.make(url, error="m").matrix_iter(scale=1, border=0)]
    size, pixels = len(matrix), image.size[0]
    drawn = [
        [image.getpixel((int((x + 0.5) * pixels / size), int((y + 0.5) * pixels / size))) < 128 for x in range(size)]
        for y in range(size)
    ]
    assert drawn == matrix


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils")
def test_default_templates_parse_as_xml_and_render_like_the_html5_parser(tmp_path):
    from weasyprint import HTML

    competition = CompetitionFactory(slug="skill")
    certificate = CertificateFactory(competition=competition, holder_contestant__name="<张&伟>\"'")
    spec = selectors.page_spec_for(certificate)
    renderer = CertificateRenderer(charset=charset_of([spec]))
    assert isinstance(renderer._html([spec], [renderer.page_html(spec)]), _ParsedHTML)
    fast = renderer.render_one(spec)

    def html5(specs, bodies):
        body = "".join(bodies)
        html = f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"></head><body>{body}</body></html>'
        return HTML(string=html, base_url=renderer.base_url, url_fetcher=renderer.fetcher)

    renderer._html = html5
    slow = renderer.render_one(spec)
    pngs = []
    for name, data in (("fast", fast), ("slow", slow)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        run("pdftoppm", "-png", "-r", "50", "-singlefile", str(tmp_path / f"{name}.pdf"), str(tmp_path / name))
        pngs.append((tmp_path / f"{name}.png").read_bytes())
    assert pngs[0] == pngs[1]
    assert "<张&伟>\"'" in "".join(pdf_text(fast, tmp_path).split())


def test_custom_templates_keep_the_html5_parser():
    spec = PageSpec(
        key="c1",
        template_key="custom:1",
        template_html="<div/><p>{{ holder_name }}</p>",
        context={"holder_name": "张伟"},
    )
    renderer = CertificateRenderer(charset=charset_of([spec]))
    parsed = renderer._html([spec], [renderer.page_html(spec)])
    assert not isinstance(parsed, _ParsedHTML)
