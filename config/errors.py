"""Domain errors and how the API reports them.

Services raise ``DomainError`` subclasses with a stable ``code``; the API turns the
code into an HTTP status and a body ``{"code", "detail", "field"?}``. Tests assert the
code, not the wording. Nothing a client sends should ever surface as a 500.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class DomainError(Exception):
    """A rule of the domain was broken. ``status`` is the HTTP status the API uses."""

    status = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(self, message, *, code=None, field=None, extra=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.extra = extra or {}


class Forbidden(DomainError):
    status = status.HTTP_403_FORBIDDEN
    code = "forbidden"


class NotFound(DomainError):
    status = status.HTTP_404_NOT_FOUND
    code = "not_found"


class Conflict(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "conflict"


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": str(exc.message)}
        if exc.field:
            body["field"] = exc.field
            body["errors"] = {exc.field: [str(exc.message)]}
        body.update(exc.extra)
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, IntegrityError):
        exc = exceptions.ValidationError(
            detail={"non_field_errors": ["与已有数据冲突（重复或引用无效）。"]}, code="integrity"
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        data = response.data
        if isinstance(exc, exceptions.ValidationError):
            response.data = {"code": "invalid", "detail": "输入有误。", "errors": data}
            first = _first_error(data)
            if first is not None:
                # The first offending field and its reason, as a DomainError gives them.
                response.data["field"], response.data["detail"] = first
        elif isinstance(data, dict) and "detail" in data:
            response.data = {"code": getattr(data["detail"], "code", exc.default_code), "detail": data["detail"]}
    return response


def _first_error(data, path: str = "") -> tuple[str, str] | None:
    """``(field, message)`` of the first leaf of a DRF error structure, named like ``marks[0].value``."""
    if isinstance(data, list) and data and all(isinstance(item, str) for item in data):
        return path or "non_field_errors", str(data[0])
    if isinstance(data, dict):
        # A nested serializer's own errors belong to the field that holds it.
        items = (
            (path if key == "non_field_errors" and path else f"{path}.{key}" if path else key, value)
            for key, value in data.items()
        )
    elif isinstance(data, list):
        items = ((f"{path}[{index}]", item) for index, item in enumerate(data))
    else:
        return path or "non_field_errors", str(data)
    for name, value in items:
        found = _first_error(value, name)
        if found is not None:
            return found
    return None
