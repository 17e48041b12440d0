"""An exhausted database connection pool is load, not a fault: 503 with Retry-After, never a 500."""

import json

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from config.errors import server_error

pytestmark = pytest.mark.django_db


class PoolTimeout(Exception):
    """Stands for psycopg_pool.PoolTimeout, which Django wraps in OperationalError (matched by name)."""


def _handled(exc):
    request = RequestFactory().put("/api/v1/quiz/attempts/1/answers/0/")
    try:
        raise exc
    except Exception:
        return server_error(request)


def test_an_exhausted_connection_pool_is_a_503_the_client_may_retry():
    try:
        raise PoolTimeout("couldn't get a connection after 10.00 sec")
    except PoolTimeout as cause:
        wrapped = OperationalError("couldn't get a connection after 10.00 sec")
        wrapped.__cause__ = cause

    response = _handled(wrapped)

    assert (response.status_code, response["Retry-After"]) == (503, "2")
    assert json.loads(response.content) == {
        "code": "server_busy",
        "detail": "服务器繁忙，请 2 秒后再试。",
        "retry_after": 2,
    }


def test_any_other_server_error_stays_a_500():
    response = _handled(ZeroDivisionError("a bug"))

    assert response.status_code == 500
