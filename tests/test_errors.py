"""The API's error body names the first offending field and its reason."""

import pytest

from config.errors import _first_error

pytestmark = []


@pytest.mark.parametrize(
    ("errors", "expected"),
    [
        ({"id_number": ["身份证号校验位错误"]}, ("id_number", "身份证号校验位错误")),
        ({"marks": [{}, {"value": ["太大"]}]}, ("marks[1].value", "太大")),
        ({"marks": {"non_field_errors": ["至少一条"]}}, ("marks", "至少一条")),
        ({"non_field_errors": ["重复"]}, ("non_field_errors", "重复")),
        (["整体有误"], ("non_field_errors", "整体有误")),
        ({}, None),
    ],
)
def test_first_error_names_the_field_and_reason(errors, expected):
    assert _first_error(errors) == expected
