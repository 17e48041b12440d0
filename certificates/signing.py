"""Verification codes: the serial plus an HMAC of it, so a code cannot be forged or altered.

Its own module because issuing (services) writes codes and verifying (selectors) reads
them; neither should import the other for it.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

VERIFY_SALT = "certificates.verify"


def _signer() -> signing.Signer:
    return signing.Signer(salt=VERIFY_SALT, sep=".", algorithm="sha256")


def verification_code_for(serial: str) -> str:
    """The public code: the serial plus an HMAC of it under the site key. Altering either breaks it."""
    return _signer().sign(serial)


def serial_from_code(code: str) -> str | None:
    try:
        return _signer().unsign(code)
    except signing.BadSignature:
        return None


def verify_url(code: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("certificates:verify", args=[code])


def verify_pdf_url(code: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("certificates:verify-pdf", args=[code])
