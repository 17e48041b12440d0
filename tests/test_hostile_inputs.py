"""Every API route, walked from the URL resolver, answers hostile input with a 4xx, never a 5xx.

The routes come from ``config.urls`` (so a new view is walked without touching this file); the
query parameters and body fields of each operation from the OpenAPI schema. The client is the
competition's organiser (and a signed-in quiz participant), with real objects behind every id,
so requests get past the 404 and into parsing and validation.
"""

import re
from functools import cache
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator

from competitions.models import JudgeAssignment
from quizzes import services as quiz_services
from tests.factories import (
    AppealFactory,
    CertificateBatchFactory,
    CertificateFactory,
    ContestantFactory,
    DrawFactory,
    EventResultsFactory,
    JudgeAssignmentFactory,
    ObjectionFactory,
    ReviewItemFactory,
    SheetFactory,
    TeamFactory,
    judged_event_factory,
)
from tests.helpers import client_for
from tests.quizzes.factories import ParticipantFactory, quiz_round

pytestmark = pytest.mark.django_db

BIG = 2**70  # beyond 64 bits
HOSTILE_TEXT = [  # the first BODY_VARIANTS also go into bodies
    "1E+999999999",
    "\x00\u202eevil",
    "x" * 20_000,
    "²",
    str(BIG),
    "NaN",
    "abc",
    "١٢",
    "-1",
    "-0",
]
HOSTILE_NUMBERS = [BIG, 1e308, -BIG, -1, 0, 3.5, True]
BODY_VARIANTS = 6  # each variant sets every field of a body at once, so a few cover every kind of value
RAW_BODIES = [
    "[",
    "[]",
    "12",
    '{"value": NaN}',
    "[" * 50_000 + "]" * 50_000,
]


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield route, namespace + pattern.name, pattern


def api_routes():
    """``(route, url name, kwarg names, methods)`` of every API route, once each (no format suffixes)."""
    found = {}
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if not route.lstrip("^").startswith("api/v1/"):
            continue
        kwargs = list(pattern.pattern.regex.groupindex)
        if "format" in kwargs or name.endswith("api-root"):
            continue
        callback = pattern.callback
        actions = getattr(callback, "actions", None)
        if actions:
            methods = list(actions)
        else:
            view = callback.cls
            methods = [m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)]
        found.setdefault(name, (route, name, kwargs, methods))
    return sorted(found.values())


@pytest.fixture
def world():
    ev = judged_event_factory()
    competition, event, organiser = ev.competition, ev.event, ev.organiser
    judge_user = ev.judges[0]
    entry = ev.entries[0]
    round_ = quiz_round(competition=competition)
    participant = ParticipantFactory(competition=competition)
    attempt = quiz_services.attempt_start(round_=round_, participant=participant)
    objects = {
        "organisations": competition.host,
        "competitions": competition,
        "events": event,
        "teams": TeamFactory(competition=competition),
        "contestants": ContestantFactory(competition=competition),
        "entries": entry,
        "judge-assignments": JudgeAssignment.objects.filter(competition=competition).first(),
        "draws": DrawFactory(event=event),
        "schemes": ev.scheme,
        "sheets": SheetFactory(entry=entry, judge=judge_user),
        "appeals": AppealFactory(entry=entry),
        "objections": ObjectionFactory(event=event),
        "review-items": ReviewItemFactory(event=event, entry=entry),
        "certificates": CertificateFactory(competition=competition),
        "certificate-batches": CertificateBatchFactory(competition=competition),
        "rounds": round_,
        "attempts": attempt,
        "matches": _a_match(),
    }
    EventResultsFactory(event=event)
    JudgeAssignmentFactory(competition=competition, event=event, role=JudgeAssignment.Role.JUDGE)
    client = client_for(organiser)
    session = client.session
    session["quiz_participants"] = {str(competition.pk): participant.pk}
    session.save()
    return SimpleNamespace(client=client, objects=objects)


def _a_match():
    """A knockout match of a 4-team head-to-head event, drawn through the API."""
    from matches.models import Match
    from tests.matches.test_api_matches import Setup

    setup = Setup(teams=4)
    return Match.objects.filter(match_event__event=setup.event).first()


def _kwargs(route: str, names: list[str], objects: dict, *, hostile=None) -> dict:
    values = {}
    for name in names:
        if hostile is not None:
            values[name] = hostile
        elif name == "which":
            values[name] = "zip"
        elif name == "position":
            values[name] = 1
        else:
            match = re.search(rf"([\w-]+)/(?:<(?:\w+:)?{name}>|\(\?P<{name}>)", route)
            values[name] = objects[match.group(1)].pk
    return values


@cache
def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operation(path: str, method: str) -> dict:
    """The schema's operation for a concrete path (ids matched against ``{name}`` templates)."""
    for template, operations in _schema()["paths"].items():
        if re.fullmatch(re.sub(r"\{\w+\}", r"[^/]+", template), path) and method in operations:
            return operations[method]
    return {}


def _resolve(ref_or_schema: dict) -> dict:
    if "$ref" in ref_or_schema:
        return _schema()["components"]["schemas"][ref_or_schema["$ref"].rsplit("/", 1)[-1]]
    return ref_or_schema


def _hostile_value(schema: dict, variant: int, depth: int = 0):
    schema = _resolve(schema)
    kind = schema.get("type")
    if "allOf" in schema or "oneOf" in schema:
        return HOSTILE_TEXT[variant % len(HOSTILE_TEXT)]
    if kind == "object" or "properties" in schema:
        if depth > 3:
            return {}
        return {
            name: _hostile_value(prop, variant, depth + 1) for name, prop in (schema.get("properties") or {}).items()
        }
    if kind == "array":
        return [_hostile_value(schema.get("items", {}), variant, depth + 1)] if depth < 4 else []
    if kind in ("integer", "number") and variant % 2 == 0:
        return HOSTILE_NUMBERS[(variant // 2) % len(HOSTILE_NUMBERS)]
    if kind == "boolean":
        return HOSTILE_TEXT[variant % len(HOSTILE_TEXT)] if variant % 3 else None
    return HOSTILE_TEXT[variant % len(HOSTILE_TEXT)]


def _request_schema(operation: dict) -> dict | None:
    content = (operation.get("requestBody") or {}).get("content") or {}
    body = content.get("application/json")
    return body["schema"] if body else None


def _fail(method, path, response, what):
    exc = response.exc_info[1] if getattr(response, "exc_info", None) else response.content[:200]
    return f"{method.upper()} {path} with {what!r:.120}: {response.status_code} {exc!r:.300}"


ROUTES = api_routes()


def test_the_walk_covers_the_api():
    names = {name for _route, name, _kwargs, _methods in ROUTES}
    assert len(ROUTES) >= 50
    assert {"entry-list", "api-event-marks", "certificates-api:list", "api-quiz-ranking"} <= names


@pytest.mark.parametrize(("route", "name", "kwarg_names", "methods"), ROUTES, ids=[r[1] for r in ROUTES])
def test_hostile_input_never_gets_a_server_error(world, settings, route, name, kwarg_names, methods):
    settings.QUIZ_RATE_PER_PARTICIPANT = "100000/min"
    client = world.client
    client.raise_request_exception = False  # collect every 5xx, not only the first
    path = reverse(name, kwargs=_kwargs(route, kwarg_names, world.objects))
    failures = []

    def check(response, method, where, what):
        if response.status_code >= 500:
            failures.append(_fail(method, where, response, what))

    check(client.options(path), "options", path, "")
    for hostile in ("abc", str(BIG), "0" * 300):
        if kwarg_names:
            try:
                bad = reverse(name, kwargs=_kwargs(route, kwarg_names, world.objects, hostile=hostile))
            except Exception:  # noqa: S112 - the converter refuses it: the router would 404
                continue
            for method in methods:
                check(getattr(client, method)(bad, {}, format="json"), method, bad, "path")
    for method in methods:
        operation = _operation(path, method)
        if method == "get":
            names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
            for query_name in names:
                for value in HOSTILE_TEXT:
                    check(client.get(path, {query_name: value}), method, path, {query_name: value})
            continue
        if method == "delete":
            continue
        schema = _request_schema(operation)
        bodies = [{}]
        if schema is not None:
            bodies += [_hostile_value(schema, variant) for variant in range(BODY_VARIANTS)]
            response = getattr(client, method)(path, {"zzz_unknown": 1}, format="json")
            check(response, method, path, "unknown field")
            if response.status_code == 400 and response.json().get("code") != "unknown_field":
                failures.append(_fail(method, path, response, "unknown field not named unknown_field"))
        for body in bodies:
            check(getattr(client, method)(path, body, format="json"), method, path, body)
        for raw in RAW_BODIES:
            response = getattr(client, method)(path, raw, content_type="application/json")
            check(response, method, path, raw)
    assert not failures, "\n".join(failures)
