"""Field validators shared by the model, the API, the admin and the Excel import."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def id_number_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of a resident ID number."""
    return ID_CHECK_CHARS[sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_number_error(value: str) -> tuple[str, str] | None:
    """``(code, reason)`` if ``value`` is not a valid 18-character ID number, else None."""
    if len(value) != 18:
        return "id_length", _("应为18位")
    if not (value.isascii() and value[:17].isdigit()) or not (value[17].isdigit() or value[17] == "X"):
        return "id_format", _("前17位应为数字，末位为数字或X")
    if id_number_check_char(value[:17]) != value[17]:
        return "id_checksum", _("校验位错误")
    return None


def validate_id_number(value: str) -> None:
    """A resident ID number (GB 11643): 18 characters, 17 digits and a check digit or X."""
    error = id_number_error(value)
    if error is not None:
        code, reason = error
        raise ValidationError(_("身份证号%(reason)s") % {"reason": reason}, code=code)
