import pytest
import yaml
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_openapi_schema_is_served_and_valid(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_openapi_schema_documents_set_up_endpoints(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)

    expected = {
        "/api/v1/organisations/",
        "/api/v1/organisations/tree/",
        "/api/v1/competitions/",
        "/api/v1/events/",
        "/api/v1/teams/",
        "/api/v1/contestants/",
        "/api/v1/entries/",
        "/api/v1/judge-assignments/",
    }
    assert sorted(expected - set(schema["paths"])) == []


def test_openapi_docs_page_is_served(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
