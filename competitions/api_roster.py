"""API for the roster import (.xlsx, with a dry-run preview) and export. Organisers only."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from competitions import exports, imports, roster_services
from competitions.access import require_organiser
from competitions.models import Competition
from config.api import DryRunQuery, InputSerializer, query
from config.errors import error


class ImportInputSerializer(InputSerializer):
    file = serializers.FileField()


class CompetitionImportView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportInputSerializer},
        parameters=[OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="只预览，不写入")],
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT},
        summary="导入参赛名单（.xlsx）",
    )
    def post(self, request, pk):
        competition = get_object_or_404(Competition, pk=pk)
        require_organiser(request.user, competition)
        data = ImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            raw_rows = imports.read_upload(data.validated_data["file"])
        except imports.ImportFileError as exc:
            raise error(exc.code, field="file", detail=exc.message) from exc
        if query(request, DryRunQuery)["dry_run"]:
            preview = imports.build_preview(competition=competition, raw_rows=raw_rows)
            return Response({"dry_run": True, **preview.as_dict()})
        preview = roster_services.contestants_import(competition=competition, raw_rows=raw_rows)
        return Response({"dry_run": False, **preview.as_dict()}, status=status.HTTP_201_CREATED)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CompetitionExportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={(200, exports.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY},
        summary="导出参赛名单（.xlsx，与导入格式相同）",
    )
    def get(self, request, pk):
        competition = get_object_or_404(Competition, pk=pk)
        require_organiser(request.user, competition)
        return xlsx_response(exports.roster_xlsx(competition), f"roster-{competition.slug}.xlsx")
