"""Pages: the public verification page (read-only, phone-friendly), finding one's certificate,
and the organiser's batch progress page (polls the JSON endpoint)."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from certificates import selectors
from certificates.api import pdf_response
from certificates.models import CertificateBatch
from competitions.selectors import is_organiser


@require_GET
def verify(request, code):
    """Anyone may check a code. A forged or altered code is a 404 with a clear message, never a 500.

    Before its event is decoded, a certificate is shown as genuine but without its holder's
    name and unit (``selectors.is_sealed``), and its PDF is not served.
    """
    certificate = selectors.certificate_for_code(code)
    if certificate is None:
        return render(request, "certificates/verify_invalid.html", status=404)
    context = {"certificate": certificate, "sealed": selectors.is_sealed(certificate)}
    return render(request, "certificates/verify.html", context)


@require_GET
def verify_pdf(request, code):
    """The holder (whoever holds the code) downloads the PDF; revoked certificates are not served."""
    certificate = selectors.certificate_for_code(code)
    if certificate is None or not certificate.is_valid or selectors.is_sealed(certificate):
        raise Http404
    return pdf_response(selectors.certificate_pdf(certificate), selectors.pdf_filename(certificate), inline=True)


@require_GET
def find(request):
    serial = request.GET.get("serial", "")
    name = request.GET.get("name", "")
    certificate = selectors.certificate_find(serial=serial, name=name) if serial and name else None
    searched = bool(serial or name)
    return render(
        request,
        "certificates/find.html",
        {"certificate": certificate, "searched": searched, "serial": serial, "name": name},
        status=404 if searched and certificate is None else 200,
    )


@require_GET
def batch_progress(request, pk):
    batch = get_object_or_404(CertificateBatch.objects.select_related("competition", "event"), pk=pk)
    if not is_organiser(request.user, batch.competition):
        raise Http404
    return render(request, "certificates/batch.html", {"batch": batch})
