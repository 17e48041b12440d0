import pytest
import yaml
from openapi_spec_validator import validate

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
