"""The OpenAPI schema's own rules, applied in one place (drf-spectacular postprocessing hooks).

Closed shapes: a response that may take one of several shapes (``oneOf``, such as an entry's
organiser, judge and public views) only names one of them if each shape forbids the others'
properties. A serializer asks for that with ``@extend_schema_serializer(extensions=CLOSED)``;
the hook turns the marker into ``additionalProperties: false`` on its component.
"""

CLOSED = {"x-closed": True}


def closed_components(result, generator, request, public):
    """drf-spectacular postprocessing hook: ``additionalProperties: false`` on components marked CLOSED."""
    for component in result.get("components", {}).get("schemas", {}).values():
        if component.pop("x-closed", False):
            component["additionalProperties"] = False
    return result
