"""Small input and output serializers for the certificate API."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from certificates.models import Certificate, CertificateBatch, CertificateKind, CertificateTemplate
from certificates.signing import verify_pdf_url, verify_url
from config.api import InputSerializer


class _VerificationLinks(serializers.Serializer):
    """The public verification page and PDF of a certificate, by its signed code: absolute, on SITE_URL,
    the same address the printed QR code carries."""

    verify_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_verify_url(self, obj) -> str:
        return verify_url(obj.verification_code)

    @extend_schema_field(OpenApiTypes.URI)
    def get_pdf_url(self, obj) -> str:
        return verify_pdf_url(obj.verification_code)


class CertificateOut(_VerificationLinks, serializers.ModelSerializer):
    event_title = serializers.CharField(source="event.title", default="", read_only=True)

    class Meta:
        model = Certificate
        fields = [
            "id",
            "serial",
            "kind",
            "award_level",
            "award_title",
            "competition",
            "event",
            "event_title",
            "holder_name",
            "holder_unit",
            "holder_contestant",
            "holder_team",
            "holder_organisation",
            "status",
            "issued_on",
            "issuer_name",
            "revoked_at",
            "revoked_reason",
            "results_override_reason",
            "replaces",
            "verify_url",
            "pdf_url",
        ]


class PublicCertificateOut(_VerificationLinks, serializers.ModelSerializer):
    """What anyone holding the serial and the name may see: no ids of people or units."""

    event_title = serializers.CharField(source="event.title", default="", read_only=True)
    competition_title = serializers.CharField(source="competition.title", read_only=True)

    class Meta:
        model = Certificate
        fields = [
            "serial",
            "kind",
            "award_title",
            "competition_title",
            "event_title",
            "holder_name",
            "holder_unit",
            "status",
            "issued_on",
            "revoked_reason",
            "results_override_reason",
            "verify_url",
            "pdf_url",
        ]


class CertificateIssueIn(InputSerializer):
    kind = serializers.ChoiceField(choices=CertificateKind.choices)
    event = serializers.IntegerField(required=False, allow_null=True)
    award_level = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=3)
    award_title = serializers.CharField(required=False, allow_blank=True, max_length=60)
    holder_contestant = serializers.IntegerField(required=False, allow_null=True)
    holder_team = serializers.IntegerField(required=False, allow_null=True)
    holder_organisation = serializers.IntegerField(required=False, allow_null=True)
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="Issue an award before its results are final (audited, shown on the verification page).",
    )


class ReasonIn(InputSerializer):
    reason = serializers.CharField(max_length=300)


class CertificateFindIn(serializers.Serializer):
    serial = serializers.CharField(max_length=80)
    name = serializers.CharField(max_length=200)


class BatchIn(InputSerializer):
    event = serializers.IntegerField(required=False, allow_null=True)
    include_participation = serializers.BooleanField(default=False)
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="Issue awards before the results are final (audited, shown on the verification page).",
    )


class BatchOut(serializers.ModelSerializer):
    progress = serializers.CharField(source="progress_text", read_only=True)
    zip_url = serializers.SerializerMethodField()
    print_url = serializers.SerializerMethodField()

    class Meta:
        model = CertificateBatch
        fields = [
            "id",
            "competition",
            "event",
            "include_participation",
            "status",
            "total",
            "done",
            "failed",
            "progress",
            "errors",
            "created_at",
            "started_at",
            "finished_at",
            "zip_url",
            "print_url",
        ]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_zip_url(self, obj) -> str | None:
        return self._file_url(obj, "zip") if obj.zip_file else None

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_print_url(self, obj) -> str | None:
        return self._file_url(obj, "print") if obj.print_file else None

    def _file_url(self, obj, kind: str) -> str:
        path = reverse("certificates-api:batch-file", args=[obj.pk, kind])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class TemplateIn(InputSerializer):
    kind = serializers.ChoiceField(choices=CertificateKind.choices)
    name = serializers.CharField(max_length=80)
    html = serializers.CharField(max_length=50_000)
    css = serializers.CharField(max_length=50_000, required=False, allow_blank=True)
    background = serializers.ImageField(required=False, allow_null=True)


class TemplateOut(serializers.ModelSerializer):
    class Meta:
        model = CertificateTemplate
        fields = ["id", "competition", "kind", "name", "html", "css", "background", "is_active", "created_at"]
