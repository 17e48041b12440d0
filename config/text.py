"""What characters free text may hold: one rule, used by models, serializers, forms and imports.

Names are shown on boards, certificates and notices, often next to someone else's. A bidi
override (U+202E) or isolate in a name reverses or hides what follows it ("张三\u202e…"), and a
control character breaks the PDF, the Excel export or a terminal. So:

- every text refuses C0 and C1 control characters (multi-line text keeps ``\\n``, ``\\r`` and
  ``\\t``), and the bidi embedding, override and isolate characters U+202A–U+202E, U+2066–U+2069;
- a line (names, titles, codes: ``line=True``) refuses line breaks and tabs too, and the
  invisible direction marks U+200E and U+200F.

``text_problem`` is the pure check (imports use it on each cell), ``require_clean`` raises it as
the domain error ``bad_characters``, and an over-long text as ``text_too_long`` (for services fed
by plain forms, which never cut what a person typed); ``validate_text`` and
``validate_line`` are Django validators, so model fields, ModelForms and ModelSerializers all
apply them, and ``config.api.InputMixin`` adds ``validate_text`` to every other input text field.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

_BIDI = "\u202a-\u202e\u2066-\u2069"
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_TEXT = re.compile(f"[{_CONTROLS}{_BIDI}]")
_LINE = re.compile(f"[{_CONTROLS}\t\n\r{_BIDI}\u200e\u200f]")

BAD_CHARACTERS = _("含有不允许的字符（控制字符或文字方向控制符）。")


def text_problem(value: str, *, line: bool = False) -> str | None:
    """The first character ``value`` may not hold, as ``U+XXXX``; None when it is clean."""
    found = (_LINE if line else _TEXT).search(value)
    return None if found is None else f"U+{ord(found.group()):04X}"


def require_clean(field: str, value: str, *, line: bool = False, max_length: int | None = None) -> None:
    """Raise ``bad_characters`` naming ``field`` if ``value`` holds a character it may not, and
    ``text_too_long`` if it is longer than ``max_length``: a plain form's text is refused, never cut."""
    from config.errors import error  # config.errors imports DRF; keep this module light for models

    if text_problem(value, line=line):
        raise error("bad_characters", field=field)
    if max_length is not None and len(value) > max_length:
        raise error("text_too_long", field=field, limit=max_length)


@deconstructible
class TextValidator:
    """Refuses control and bidi characters (code ``bad_characters``); ``line=True`` for names and titles."""

    def __init__(self, *, line: bool = False):
        self.line = line

    def __call__(self, value):
        if isinstance(value, str) and text_problem(value, line=self.line):
            raise ValidationError(BAD_CHARACTERS, code="bad_characters")

    def __eq__(self, other):
        return isinstance(other, TextValidator) and other.line == self.line

    def __hash__(self):
        return hash(self.line)


validate_text = TextValidator()
validate_line = TextValidator(line=True)
