import io
import re
from datetime import UTC, datetime

import jsonschema
import pytest
import yaml
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate
from PIL import Image

from competitions.models import Competition
from tests.factories import CompetitionFactory, QuickUserFactory, judged_event_factory
from tests.helpers import client_for, organiser_of

pytestmark = pytest.mark.django_db

SET_UP_PATHS = {
    "/api/v1/organisations/",
    "/api/v1/organisations/tree/",
    "/api/v1/competitions/",
    "/api/v1/events/",
    "/api/v1/teams/",
    "/api/v1/contestants/",
    "/api/v1/entries/",
    "/api/v1/judge-assignments/",
}


def test_openapi_schema_is_served_valid_and_documents_set_up_endpoints(client):
    # One test: generating the schema is the slow part.
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert sorted(SET_UP_PATHS - set(schema["paths"])) == []


def test_openapi_docs_page_is_served(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


# --- the schema is the truth ------------------------------------------------------------------

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
# Operations whose server refuses a request without an idempotency key.
IDEMPOTENT_OPERATIONS = {
    ("post", "/api/v1/events/{event_id}/marks/"),
    ("post", "/api/v1/events/{event_id}/sheets/bulk/"),
    ("post", "/api/v1/matches/{id}/ends/"),
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _json_schema(value):
    """OpenAPI 3.0's ``nullable`` as JSON Schema's null type (everything else is the same)."""
    if isinstance(value, list):
        return [_json_schema(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: _json_schema(item) for key, item in value.items() if key != "nullable"}
    if value.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def _validator(schema, ref):
    return jsonschema.Draft4Validator(_json_schema({"$ref": ref, "components": schema["components"]}))


def test_openapi_idempotency_key_header_is_required_where_the_server_requires_it(schema):
    documented = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if (parameter["in"], parameter["name"]) == ("header", "Idempotency-Key"):
                    documented[(method, path)] = parameter.get("required", False)

    assert documented == dict.fromkeys(IDEMPOTENT_OPERATIONS, True)


def test_openapi_every_operation_documents_its_refusals_with_the_error_body(schema):
    undocumented = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            writes = method in ("post", "put", "patch", "delete")
            expected = {"401", "403", "404"} | ({"409", "429"} if writes else set())
            documented = {
                status
                for status, response in operation["responses"].items()
                if response.get("content", {}).get("application/json", {}).get("schema")
                == {"$ref": "#/components/schemas/Error"}
            }
            if expected - documented:
                undocumented.append((method, path, sorted(expected - documented)))

    assert undocumented == []
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "detail"]


def test_openapi_entry_views_each_match_exactly_one_schema(schema):
    panel = judged_event_factory(entries=1)
    entry = panel.entries[0]
    public = QuickUserFactory()
    bodies = {
        "organiser": client_for(panel.organiser).get(f"/api/v1/entries/{entry.pk}/").json(),
        "judge": client_for(panel.judges[0]).get("/api/v1/entries/").json()["results"][0],
        "public": client_for(public).get("/api/v1/entries/").json()["results"][0],
    }

    matches = {
        view: [
            name
            for name in ("EntryOrganiser", "EntryPublic", "EntryJudge")
            if _validator(schema, f"#/components/schemas/{name}").is_valid(body)
        ]
        for view, body in bodies.items()
    }

    assert matches == {"organiser": ["EntryOrganiser"], "judge": ["EntryJudge"], "public": ["EntryPublic"]}
    for body in bodies.values():
        _validator(schema, "#/components/schemas/EntryView").validate(body)


def test_certificate_template_background_is_an_absolute_url(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    competition = CompetitionFactory()
    image = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(image, "PNG")
    image.name = "bg.png"
    image.seek(0)

    response = client_for(organiser_of(competition)).post(
        f"/api/v1/competitions/{competition.pk}/certificate-templates/",
        {"kind": "individual", "name": "蓝色", "html": "<h1>{{ holder_name }}</h1>", "background": image},
        format="multipart",
    )

    assert response.status_code == 201
    assert response.json()["background"].startswith("http://testserver/")


def test_api_datetimes_are_rfc3339_even_far_in_the_past():
    competition = CompetitionFactory()
    Competition.objects.filter(pk=competition.pk).update(frozen_at=datetime(1800, 1, 1, tzinfo=UTC))

    body = client_for(organiser_of(competition)).get(f"/api/v1/competitions/{competition.pk}/").json()

    assert RFC3339.match(body["frozen_at"]), body["frozen_at"]
    assert datetime.fromisoformat(body["frozen_at"]) == datetime(1800, 1, 1, tzinfo=UTC)
