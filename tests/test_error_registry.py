"""One registry of error codes: every code the code base raises is in it, once, with its status and message."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from config.errors import ERRORS, Conflict, DomainError, Forbidden, NotFound, error, message

pytestmark = []

ROOT = Path(settings.BASE_DIR)
APPS = ("config", "competitions", "scoring", "live", "certificates", "judging", "quizzes", "demo")
# Calls whose first argument is an error code.
RAISERS = {
    "error",
    "message",
    "DomainError",
    "Forbidden",
    "Conflict",
    "NotFound",
    "CertificateError",
    "ImportRejected",
    "RenderingUnavailable",
    "RenderingFailed",
}
# Pure modules below the API whose error codes reach clients as DomainError codes.
CODE_CARRIERS = {"SchemeError": 1, "MarkValueError": 0, "add": 1, "problem": 1}


def _codes_in_source() -> dict[str, str]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    func = node.func
                    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                    index = 0 if name in RAISERS else CODE_CARRIERS.get(name)
                    if index is None or len(node.args) <= index:
                        continue
                    arg = node.args[index]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.setdefault(arg.value, f"{path.relative_to(ROOT)}:{node.lineno}")
                elif isinstance(node, ast.ClassDef) and any(
                    getattr(base, "id", "").endswith(("Error", "Forbidden", "Conflict", "NotFound", "Rejected"))
                    for base in node.bases
                ):
                    for item in node.body:
                        if isinstance(item, ast.Assign) and [getattr(t, "id", None) for t in item.targets] == ["code"]:
                            found.setdefault(item.value.value, f"{path.relative_to(ROOT)}:{item.lineno}")
    return found


def test_every_code_raised_in_the_source_is_registered():
    found = _codes_in_source()
    assert len(found) > 60
    assert {code: where for code, where in found.items() if code not in ERRORS} == {}


def test_registry_entries_have_a_status_and_a_message():
    assert {code for code, spec in ERRORS.items() if spec.status not in (400, 403, 404, 409, 429, 500, 503)} == set()
    assert {code for code, spec in ERRORS.items() if not str(spec.message).strip()} == set()


@pytest.mark.parametrize(
    ("code", "cls", "status"),
    [("sheet_locked", Conflict, 409), ("not_assigned", Forbidden, 403), ("file_not_ready", NotFound, 404)],
)
def test_error_picks_the_class_and_status_from_the_registry(code, cls, status):
    raised = error(code, field="x")
    assert (type(raised), raised.status, raised.code, raised.field, raised.message) == (
        cls,
        status,
        code,
        "x",
        message(code),
    )


def test_error_fills_message_parameters_and_refuses_unknown_codes():
    assert str(error("file_too_large", limit=5).message) == "文件过大：最大 5 MB。"
    with pytest.raises(KeyError):
        DomainError("no_such_code")


@pytest.mark.django_db
def test_openapi_description_lists_every_error_code(client):
    description = client.get("/api/schema/?format=json").json()["info"]["description"]
    rows = [line for line in description.splitlines() if line.startswith("| `")]
    assert len(rows) == len(ERRORS)
    assert "| `sheet_locked` | 409 |" in description
