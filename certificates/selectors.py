"""Reads about certificates: verification, lists, and the plain data a PDF page needs."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from certificates.models import Certificate, CertificateBatch, CertificateKind
from certificates.signing import serial_from_code, verify_url
from competitions.models import Competition
from competitions.selectors import names_visible

CHINESE_DIGITS = "〇一二三四五六七八九"


def chinese_date(value) -> str:
    """2026-11-22 -> 二〇二六年十一月二十二日, as dates are written on Chinese certificates."""

    def number(n: int) -> str:
        if n < 10:
            return CHINESE_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十" + (CHINESE_DIGITS[ones] if ones else "")

    year = "".join(CHINESE_DIGITS[int(d)] for d in str(value.year))
    return f"{year}年{number(value.month)}月{number(value.day)}日"


def certificate_queryset() -> QuerySet[Certificate]:
    return Certificate.objects.select_related("competition", "competition__host", "event", "template")


def certificate_for_code(code: str) -> Certificate | None:
    """The certificate a verification code stands for, or None for a forged or altered code."""
    serial = serial_from_code(code)
    if serial is None:
        return None
    return certificate_queryset().filter(serial=serial, verification_code=code).first()


def certificates_for_competition(competition: Competition) -> QuerySet[Certificate]:
    return certificate_queryset().filter(competition=competition).order_by("sequence")


def is_sealed(certificate: Certificate) -> bool:
    """Whether the certificate's event is blind and not yet decoded (解密): its holder stays unnamed in public.

    A certificate names its holder and award; shown before decoding, it would pair a name
    with a place that the board shows by code. Competition-wide certificates are never sealed.
    """
    return certificate.event is not None and not names_visible(certificate.event)


def certificate_find(*, serial: str, name: str) -> Certificate | None:
    """A holder finds their own certificate: the serial and the exact holder name must both match.

    Certificates of an undecoded blind event are not found: a match would confirm the name.
    """
    serial = (serial or "").strip().upper()
    name = (name or "").strip()
    if not serial or not name:
        return None
    certificate = certificate_queryset().filter(serial=serial, holder_name=name).first()
    return None if certificate is None or is_sealed(certificate) else certificate


def batch_for_competition(competition: Competition) -> QuerySet[CertificateBatch]:
    return CertificateBatch.objects.filter(competition=competition).select_related("event")


def doc_title_for(kind: str) -> str:
    return _("参赛证书") if kind == CertificateKind.PARTICIPATION else _("荣誉证书")


def page_spec_for(certificate: Certificate):
    """Plain data for one PDF page (no ORM inside, so worker processes need no database)."""
    from certificates.rendering.pages import PageSpec
    from certificates.rendering.qr import qr_svg

    url = verify_url(certificate.verification_code)
    template = certificate.template
    context = {
        "kind": certificate.kind,
        "doc_title": doc_title_for(certificate.kind),
        "competition_title": certificate.competition.title,
        "event_title": certificate.event.title if certificate.event_id else "",
        "holder_name": certificate.holder_name,
        "holder_unit": certificate.holder_unit,
        "award_title": certificate.award_title,
        "issuer_name": certificate.issuer_name,
        "issued_on_text": chinese_date(certificate.issued_on),
        "serial": certificate.serial,
        "verify_url": url,
        "qr_svg": qr_svg(url),
        "label_serial": _("证书编号"),
        "label_verify": _("扫码验证真伪"),
        "label_seal": _("盖章处"),
        "background_url": "",
    }
    if template is not None and template.is_active:
        if template.background:
            try:
                context["background_url"] = "file://" + template.background.path
            except NotImplementedError:  # a storage without local paths: no background
                context["background_url"] = ""
        return PageSpec(
            key=certificate.serial,
            template_key=f"custom:{template.pk}",
            context=context,
            template_html=template.html,
            template_css=template.css,
        )
    return PageSpec(key=certificate.serial, template_key=f"default:{certificate.kind}", context=context)


def pdf_filename(certificate: Certificate) -> str:
    safe = "".join(ch for ch in certificate.holder_name if ch not in '/\\:*?"<>|').strip() or "certificate"
    return f"{certificate.serial}-{safe}.pdf"


def certificate_pdf(certificate: Certificate) -> bytes:
    """Render one certificate on demand (bulk issue renders many at once, far cheaper per page)."""
    from certificates.rendering.fonts import charset_of
    from certificates.rendering.renderer import CertificateRenderer

    spec = page_spec_for(certificate)
    return CertificateRenderer(charset=charset_of([spec])).render_one(spec)
