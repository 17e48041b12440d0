"""Every operation of /api/schema/, fuzzed by schemathesis as anonymous, judge, chief judge and organiser.

The schema is the contract: no answer may be a server error, and every answer must have a status
the operation documents and a body its schema describes. Requests go through Django's WSGI
handler in this thread, so they see the test's data; each example runs in a savepoint that is
rolled back, so one example's DELETE does not empty the next one's world. Path parameters are
mostly the ids of real objects (the rest stay random), so the fuzzing gets past the 404s.

``SCHEMATHESIS_MAX_EXAMPLES`` (default 2) sets the examples per operation and role; the suite's
run is bounded to fit its time budget, a longer one is opt-in (e.g. 50). ``SCHEMATHESIS_PATH`` keeps
only the operations whose path contains it (to replay one that failed).
"""

import os
from decimal import Decimal

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import strategies as st
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from certificates.models import Certificate, CertificateBatch
from competitions.models import Competition, Contestant, Draw, Entry, Event, JudgeAssignment, Organisation, Team
from quizzes.models import Attempt, Round
from scoring.models import Appeal, MarkingScheme, Objection, ReviewItem, Sheet
from scoring.services import MarkInput, marks_submit
from tests.factories import (
    AppealFactory,
    CertificateBatchFactory,
    CertificateFactory,
    SheetFactory,
    judged_event_factory,
)
from tests.quizzes.factories import quiz_round

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "2"))
ONLY_PATH = os.environ.get("SCHEMATHESIS_PATH", "")
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]

# The first path segment after /api/v1/ (two for quiz paths) names the model whose ids a path parameter takes.
MODELS = {
    "competitions": Competition,
    "events": Event,
    "entries": Entry,
    "teams": Team,
    "contestants": Contestant,
    "organisations": Organisation,
    "judge-assignments": JudgeAssignment,
    "schemes": MarkingScheme,
    "sheets": Sheet,
    "appeals": Appeal,
    "objections": Objection,
    "certificates": Certificate,
    "certificate-batches": CertificateBatch,
    "draws": Draw,
    "quiz/rounds": Round,
    "quiz/attempts": Attempt,
}
NESTED = {"item_id": ReviewItem, "competition_id": Competition, "event_id": Event, "round_id": Round}


@pytest.fixture(scope="module")
def app():
    """Django's WSGI handler, without the per-request connection closing (the test's transaction must live on)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with override_settings(SECURE_SSL_REDIRECT=False):  # read once, when the middleware is built
        handler = WSGIHandler()
    yield handler
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def api_schema(app, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)


@pytest.fixture
def world():
    """A judged event with marks, sheets, an appeal and certificates, and a quiz round; the users of each role."""
    panel = judged_event_factory(entries=3, judges=2)
    for index, judge in enumerate(panel.judges):
        marks = [MarkInput(entry=entry.pk, criterion="look", value=Decimal("15")) for entry in panel.entries]
        marks_submit(judge=judge, event=panel.event, marks=marks, idempotency_key=f"seed-{index}")
    SheetFactory(entry=panel.entries[0], judge=panel.chief, state=Sheet.State.LOCKED)
    AppealFactory(entry=panel.entries[0])
    CertificateFactory(competition=panel.competition, event=panel.event)
    CertificateBatchFactory(competition=panel.competition)
    quiz_round(questions=3)
    return panel


def _tokens(panel) -> dict[str, str | None]:
    users = {"judge": panel.judges[0], "chief_judge": panel.chief, "organiser": panel.organiser}
    return {"anonymous": None} | {role: AuthToken.objects.create(user)[1] for role, user in users.items()}


def _ids() -> dict[str, list[int]]:
    ids = {name: list(model.objects.values_list("pk", flat=True)) for name, model in MODELS.items()}
    ids |= {name: list(model.objects.values_list("pk", flat=True)) for name, model in NESTED.items()}
    return ids


def _path_strategy(operation, ids):
    """Path parameters: a real object's id most of the time, else what schemathesis drew."""
    segments = operation.path.removeprefix("/api/v1/").split("/")
    resource = "/".join(segments[:2]) if segments[0] == "quiz" else segments[0]

    def real(name):
        if name == "which":
            return st.sampled_from(["zip", "print"])
        known = ids.get(name) if name in NESTED else ids.get(resource)
        return st.sampled_from(known) if known else None

    def flatmap(parameters):
        choices = {}
        for name, value in parameters.items():
            strategy = real(name)
            choices[name] = st.just(value) if strategy is None else st.one_of(strategy, strategy, st.just(value))
        return st.fixed_dictionaries(choices)

    return flatmap


def _operations(api_schema):
    operations = (result.ok() for result in api_schema.get_all_operations())
    return sorted((op for op in operations if ONLY_PATH in op.path), key=lambda op: (op.path, op.method))


def _fuzz(operation, ids, tokens, app, failures):
    """Send each example of the operation as every role; record the first failure of each role.

    One example is drawn once and sent four times (drawing is the slow part). No shrinking: the
    report names the request, which is enough to replay it.
    """
    path_flatmap = _path_strategy(operation, ids)
    failed = {}

    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(), data=st.data())
    def run(case, data):
        if case.path_parameters:
            case.path_parameters = data.draw(path_flatmap(dict(case.path_parameters)))
        for role, token in tokens.items():
            if role in failed:
                continue
            headers = {"Authorization": f"Token {token}"} if token else {}
            with transaction.atomic():
                try:
                    response = case.call(app=app, headers=headers)
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except (FailureGroup, Exception) as failure:  # every failure is reported below, with its request
                    failed[role] = f"{operation.method.upper()} {operation.path} as {role}: {str(failure)[:1500]}"
                transaction.set_rollback(True)

    run()
    failures.extend(failed.values())


def test_schemathesis_every_operation_conforms_for_every_role(world, api_schema, app):
    tokens = _tokens(world)
    ids = _ids()
    failures = []

    for operation in _operations(api_schema):
        _fuzz(operation, ids, tokens, app, failures)

    assert failures == [], f"{len(failures)} failure(s):\n\n" + "\n\n".join(failures)
