"""The OpenAPI schema's own rules, applied in one place (drf-spectacular postprocessing hooks).

Closed shapes: a response that may take one of several shapes (``oneOf``, such as an entry's
organiser, judge and public views) only names one of them if each shape forbids the others'
properties. A serializer asks for that with ``@extend_schema_serializer(extensions=CLOSED)``;
the hook turns the marker into ``additionalProperties: false`` on its component.

Refusals: every operation documents the statuses it may refuse with, each with the one error
body of ``config.errors.api_exception_handler`` (``{"code", "detail", "field"?, "errors"?}``, plus
the code's own extras, such as the current marks of a 409 ``version_conflict``). The codes are
listed in the schema's description (``config.errors.openapi_error_codes``).
"""

CLOSED = {"x-closed": True}

ERROR_COMPONENT = {
    "type": "object",
    "description": "A refusal: a stable code from the registry, its message, and the offending field.",
    "properties": {
        "code": {"type": "string", "description": "A code listed in this schema's description."},
        "detail": {"type": "string"},
        "field": {"type": "string", "description": "The first offending field, as `marks[0].value`."},
        "errors": {"description": "Every offending field and its messages (400)."},
    },
    "required": ["code", "detail"],
}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_WRITES = {"post", "put", "patch", "delete"}
_DESCRIPTIONS = {
    "400": "Invalid input: `field` names the first offending field.",
    "401": "The API token is invalid or has expired.",
    "403": "Not signed in, or the role does not allow it.",
    "404": "Not found, or not visible to you.",
    "409": "A conflict with the current state (a stale version, a locked sheet, a stage of the results).",
    "429": "Too many requests: retry after `Retry-After` seconds.",
}


def closed_components(result, generator, request, public):
    """drf-spectacular postprocessing hook: ``additionalProperties: false`` on components marked CLOSED."""
    for component in result.get("components", {}).get("schemas", {}).values():
        if component.pop("x-closed", False):
            component["additionalProperties"] = False
    return result


def _refusals(method: str, operation: dict) -> list[str]:
    parameters = operation.get("parameters", [])
    statuses = ["401", "403"]
    if "requestBody" in operation or any(parameter["in"] != "path" for parameter in parameters):
        statuses.append("400")
    statuses.append("404")
    if method in _WRITES:
        statuses += ["409", "429"]
    return statuses


def error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the refusals of every operation, with the Error body."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_COMPONENT
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in _refusals(method, operation):
                responses.setdefault(
                    status,
                    {"description": _DESCRIPTIONS[status], "content": {"application/json": {"schema": _ERROR_REF}}},
                )
            operation["responses"] = dict(sorted(responses.items()))
    return result
