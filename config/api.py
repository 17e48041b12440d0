"""What every API request goes through before a view reads it: one parser, one input base, one filter base.

Nothing a client sends may surface as a 500, and nothing it sends may be silently ignored:

- ``JSONParser``: a number with a fraction or exponent keeps its text (``JSONNumber``), so a
  text or decimal field reads exactly what was sent and ``1E+999999999`` is refused by the
  field that got it (400 naming it), not turned into a float infinity; NaN and Infinity are
  not JSON; a body nested too deep for the decoder is a 400 like any other malformed JSON.
- ``InputMixin`` (``InputSerializer``, ``InputModelSerializer``): every serializer that reads a
  request body. A key the serializer does not know is 400 ``unknown_field`` (a misspelled PATCH
  would otherwise answer 200 and change nothing); every integer is bounded to 64 bits (SQLite
  raises OverflowError beyond); every text field refuses control and bidi characters
  (``config.text``) and has a length cap.
- ``QueryFilterSet``: every list endpoint's query parameters go through django-filter, with
  strict fields: ids and integers are ASCII digits within 64 bits, booleans are true or false
  (not "anything else means no filter"). Errors come out in the project's 400 shape
  (``config.errors.api_exception_handler``) naming the parameter. Unknown parameters stay
  ignored: clients add cache-busters.
- ``query(request, serializer_class)``: the few query parameters that are not a list filter
  (``dry_run``, ``offset``…), parsed by a serializer the same way.
- ``PageNumberPagination``: ``?page=`` must be a positive integer (or ``last``); else 400.
"""

import codecs
import json
import re

import django_filters
from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS, remote_queryset
from django_filters.utils import translate_validation
from rest_framework import pagination, parsers, serializers
from rest_framework.exceptions import ErrorDetail, ParseError, ValidationError

# Not ``from config.errors import …``: config.errors imports DRF, whose settings import this module.
from config import errors
from config.text import TextValidator, validate_text

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
# A text field that sets no max_length of its own gets this one.
TEXT_MAX_LENGTH = 2000
# Form posts to the API from a page carry Django's CSRF field; it is not data.
IGNORED_KEYS = frozenset({"csrfmiddlewaretoken"})
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")


def parse_int64(value) -> int | None:
    """``value`` as an integer if it is ASCII digits (optional sign) within 64 bits, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if INT64_MIN <= number <= INT64_MAX else None


# --------------------------------------------------------------------------
# Bodies


class JSONNumber(float):
    """A JSON number with a fraction or exponent, as a float that reads back as the text sent."""

    __slots__ = ("text",)

    def __new__(cls, text: str):
        number = super().__new__(cls, text)
        number.text = text
        return number

    def __str__(self):
        return self.text


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            return json.load(
                codecs.getreader(encoding)(stream), parse_float=JSONNumber, parse_constant=json_strict_constant
            )
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("JSON 格式错误：%(reason)s") % {"reason": str(exc)[:200]}) from None


def json_strict_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def _bound_integer(field: serializers.IntegerField) -> None:
    if field.max_value is None:
        field.max_value = INT64_MAX
        field.validators.append(
            MaxValueValidator(INT64_MAX, message=field.error_messages["max_value"].format(max_value=INT64_MAX))
        )
    if field.min_value is None:
        field.min_value = INT64_MIN
        field.validators.append(
            MinValueValidator(INT64_MIN, message=field.error_messages["min_value"].format(min_value=INT64_MIN))
        )


def _bound_text(field: serializers.CharField) -> None:
    if field.max_length is None:
        field.max_length = TEXT_MAX_LENGTH
        field.validators.append(
            MaxLengthValidator(
                TEXT_MAX_LENGTH, message=field.error_messages["max_length"].format(max_length=TEXT_MAX_LENGTH)
            )
        )
    if not any(isinstance(validator, TextValidator) for validator in field.validators):
        field.validators.append(validate_text)


def harden_field(field) -> None:
    """Bound an input field: 64-bit integers, capped and clean text (lists and dicts: their children)."""
    if field.read_only:
        return
    if isinstance(field, serializers.IntegerField):
        _bound_integer(field)
    elif isinstance(field, serializers.CharField):  # not ChoiceField: its choices bound it already
        _bound_text(field)
    elif isinstance(field, serializers.ListField | serializers.DictField):
        harden_field(field.child)


class InputMixin:
    """Base of every serializer that reads a request body (see the module docstring)."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            harden_field(field)
        return fields

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            fields = self.fields
            unknown = [key for key in data if key not in fields and key not in IGNORED_KEYS]
            if unknown:
                detail = errors.message("unknown_field")
                raise ValidationError({key: [ErrorDetail(detail, code="unknown_field")] for key in unknown})
        return super().to_internal_value(data)


class InputSerializer(InputMixin, serializers.Serializer):
    pass


class InputModelSerializer(InputMixin, serializers.ModelSerializer):
    pass


# --------------------------------------------------------------------------
# Query parameters


class Int64Field(forms.IntegerField):
    """An integer query value: ASCII digits within 64 bits ("²", "١٢" and 2**70 are refused)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", INT64_MIN)
        kwargs.setdefault("max_value", INT64_MAX)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_int64(value)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class IdChoiceField(django_filters.fields.ModelChoiceField):
    """An object by id in a filter: an id that is not ASCII digits within 64 bits is not a valid choice."""

    def to_python(self, value):
        if value not in self.empty_values and parse_int64(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IntegerFilter(django_filters.NumberFilter):
    field_class = Int64Field


class IdFilter(django_filters.ModelChoiceFilter):
    field_class = IdChoiceField


class StrictBooleanField(forms.NullBooleanField):
    """true/false/1/0 (any case); anything else is an error, not "no filter"."""

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(_("应为 true 或 false。"), code="invalid") from None

    def validate(self, value):
        pass


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


def _by_id(field):
    return {
        "queryset": remote_queryset(field),
        "to_field_name": field.remote_field.field_name,
        "null_label": None,
    }


_INTEGERS = (
    models.AutoField,
    models.BigAutoField,
    models.SmallIntegerField,
    models.IntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)


class QueryFilterSet(django_filters.FilterSet):
    """Base of every list endpoint's filters (see the module docstring)."""

    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        **{kind: {"filter_class": IntegerFilter} for kind in _INTEGERS},
        models.BooleanField: {"filter_class": BooleanFilter},
        models.CharField: {"filter_class": django_filters.CharFilter, "extra": lambda f: {"max_length": 200}},
        models.ForeignKey: {"filter_class": IdFilter, "extra": _by_id},
        models.OneToOneField: {"filter_class": IdFilter, "extra": _by_id},
    }

    @classmethod
    def filtered(cls, request, queryset, **kwargs):
        """``queryset`` filtered by the request's query parameters, for a view without filter backends."""
        filterset = cls(request.query_params, queryset=queryset, request=request, **kwargs)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filterset.qs


def query(request, serializer_class) -> dict:
    """The request's query parameters, read by ``serializer_class`` (a plain one: unknown keys are ignored)."""
    parsed = serializer_class(data=request.query_params)
    parsed.is_valid(raise_exception=True)
    return parsed.validated_data


class DryRunQuery(serializers.Serializer):
    """``?dry_run=true`` previews an import without writing (true/false, 1/0, yes/no; anything else is a 400)."""

    dry_run = serializers.BooleanField(default=False)


class PageNumberPagination(pagination.PageNumberPagination):
    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw in (None, "") or raw in self.last_page_strings:
            return super().get_page_number(request, paginator)
        number = parse_int64(raw)
        if number is None or number < 1:
            raise errors.error("page_invalid", field=self.page_query_param)
        return number
