"""Certificate API under ``/api/v1/``: thin views that parse, check the organiser role and hand off.

Organisers issue, list, download, revoke and reissue, and run bulk batches. Anyone may
look a certificate up by serial number AND holder name (``certificates/find/``).
"""

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates import batches, selectors, serializers, services
from certificates.filters import CertificateFilter
from certificates.models import Certificate, CertificateBatch
from competitions.access import require_organiser
from competitions.models import Competition, Contestant, Event, Organisation, Team
from config.api import JSONParser, query
from config.errors import error


def _organised_competition(request, competition_id) -> Competition:
    competition = get_object_or_404(Competition, pk=competition_id)
    require_organiser(request.user, competition)
    return competition


def _organised_certificate(request, pk) -> Certificate:
    certificate = get_object_or_404(selectors.certificate_queryset(), pk=pk)
    require_organiser(request.user, certificate.competition)
    return certificate


def _optional(model, pk, *, field, **scope):
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk, **scope).first()
    if obj is None:
        raise error("does_not_exist", field=field)
    return obj


def pdf_response(pdf: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


@extend_schema(tags=["certificates"])
class CompetitionCertificates(generics.ListAPIView):
    """List (filter by ``event``, ``holder_name``, ``status``) and issue one certificate."""

    permission_classes = [IsAuthenticated]
    serializer_class = serializers.CertificateOut
    filterset_class = CertificateFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no competition
            return Certificate.objects.none()
        competition = _organised_competition(self.request, self.kwargs["competition_id"])
        return selectors.certificates_for_competition(competition)

    @extend_schema(request=serializers.CertificateIssueIn, responses={201: serializers.CertificateOut})
    def post(self, request, competition_id):
        competition = _organised_competition(request, competition_id)
        data = serializers.CertificateIssueIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        certificate = services.certificate_issue(
            competition=competition,
            kind=v["kind"],
            event=_optional(Event, v.get("event"), field="event", competition=competition),
            award_level=v.get("award_level"),
            award_title=v.get("award_title", ""),
            holder_contestant=_optional(
                Contestant, v.get("holder_contestant"), field="holder_contestant", competition=competition
            ),
            holder_team=_optional(Team, v.get("holder_team"), field="holder_team", competition=competition),
            holder_organisation=_optional(Organisation, v.get("holder_organisation"), field="holder_organisation"),
            issued_by=request.user,
            override_reason=v.get("override_reason", ""),
        )
        return Response(serializers.CertificateOut(certificate).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["certificates"])
class CertificateDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=serializers.CertificateOut)
    def get(self, request, pk):
        return Response(serializers.CertificateOut(_organised_certificate(request, pk)).data)


@extend_schema(tags=["certificates"], responses={(200, "application/pdf"): bytes})
class CertificatePdf(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request, pk):
        certificate = _organised_certificate(request, pk)
        return pdf_response(selectors.certificate_pdf(certificate), selectors.pdf_filename(certificate))


@extend_schema(tags=["certificates"], request=serializers.ReasonIn, responses=serializers.CertificateOut)
class CertificateRevoke(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request, pk):
        certificate = _organised_certificate(request, pk)
        data = serializers.ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        revoked = services.certificate_revoke(
            certificate=certificate, reason=data.validated_data["reason"], revoked_by=request.user
        )
        return Response(serializers.CertificateOut(revoked).data)


@extend_schema(tags=["certificates"], request=serializers.ReasonIn, responses={201: serializers.CertificateOut})
class CertificateReissue(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request, pk):
        certificate = _organised_certificate(request, pk)
        data = serializers.ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        new = services.certificate_reissue(
            certificate=certificate, reason=data.validated_data["reason"], issued_by=request.user
        )
        return Response(serializers.CertificateOut(new).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["certificates"],
    parameters=[
        OpenApiParameter("serial", str, required=True),
        OpenApiParameter("name", str, required=True),
    ],
    responses=serializers.PublicCertificateOut,
)
class CertificateFind(APIView):
    """A holder finds their own certificate: serial number and exact name, both required."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        certificate = selectors.certificate_find(**query(request, serializers.CertificateFindIn))
        if certificate is None:
            raise error("certificate_not_found")
        return Response(serializers.PublicCertificateOut(certificate).data)


@extend_schema(tags=["certificates"])
class CompetitionBatches(generics.ListAPIView):
    """Bulk issue for an event or the whole competition, in the background; 202 with the batch to poll."""

    permission_classes = [IsAuthenticated]
    serializer_class = serializers.BatchOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no competition
            return CertificateBatch.objects.none()
        return selectors.batch_for_competition(_organised_competition(self.request, self.kwargs["competition_id"]))

    @extend_schema(request=serializers.BatchIn, responses={202: serializers.BatchOut})
    def post(self, request, competition_id):
        competition = _organised_competition(request, competition_id)
        data = serializers.BatchIn(data=request.data)
        data.is_valid(raise_exception=True)
        batch = batches.certificate_batch_start(
            competition=competition,
            event=_optional(Event, data.validated_data.get("event"), field="event", competition=competition),
            include_participation=data.validated_data["include_participation"],
            requested_by=request.user,
            override_reason=data.validated_data.get("override_reason", ""),
        )
        batch.refresh_from_db()
        return Response(serializers.BatchOut(batch, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


def _organised_batch(request, pk) -> CertificateBatch:
    batch = get_object_or_404(CertificateBatch.objects.select_related("competition"), pk=pk)
    require_organiser(request.user, batch.competition)
    return batch


@extend_schema(tags=["certificates"], responses=serializers.BatchOut)
class BatchDetail(APIView):
    """Progress of a batch ("412 / 1514"), polled by the organiser's page."""

    permission_classes = [IsAuthenticated]

    def get(self, request, pk):
        return Response(serializers.BatchOut(_organised_batch(request, pk), context={"request": request}).data)


class BatchFile(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["certificates"],
        operation_id="certificate_batch_file",
        responses={(200, "application/octet-stream"): bytes},
    )
    def get(self, request, pk, which):
        batch = _organised_batch(request, pk)
        if which not in ("zip", "print"):
            raise error("not_found")
        field = batch.zip_file if which == "zip" else batch.print_file
        if not field:
            raise error("file_not_ready")
        return FileResponse(field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1])


@extend_schema(tags=["certificates"], request=serializers.TemplateIn, responses={201: serializers.TemplateOut})
class CompetitionTemplates(APIView):
    """Upload an organiser's own template (HTML fragment, CSS, background image) for one kind."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def post(self, request, competition_id):
        competition = _organised_competition(request, competition_id)
        data = serializers.TemplateIn(data=request.data)
        data.is_valid(raise_exception=True)
        template = services.certificate_template_create(competition=competition, **data.validated_data)
        body = serializers.TemplateOut(template, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)
