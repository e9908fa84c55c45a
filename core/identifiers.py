"""Korean business identifiers with their check digits.

python-stdnum's `kr.brn` checks only the format (it accepts `1234567890`), so the check digits are
computed here from the published algorithms (domain brief §6.1–6.2).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
_SEPARATORS = re.compile(r"[\s\-]")


def _digits(value: object, length: int) -> str | None:
    if not isinstance(value, str):
        return None
    digits = _SEPARATORS.sub("", value)
    if len(digits) != length or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def brn_check_digit(first_nine: str) -> int:
    """Check digit of a business registration number from its first nine digits."""
    d = [int(c) for c in first_nine]
    total = sum(x * w for x, w in zip(d, _BRN_WEIGHTS, strict=True)) + (d[8] * 5) // 10
    return (10 - total % 10) % 10


def brn_is_valid(value: object) -> bool:
    digits = _digits(value, 10)
    if digits is None or digits[:3] == "000":
        return False
    return brn_check_digit(digits[:9]) == int(digits[9])


def normalize_brn(value: object) -> str:
    """Return the 10 digits of a valid BRN, or raise ValidationError naming what is wrong."""
    digits = _digits(value, 10)
    if digits is None:
        raise ValidationError(
            _("A business registration number has 10 digits (XXX-XX-XXXXX)."), code="brn_format"
        )
    if not brn_is_valid(digits):
        raise ValidationError(
            _("The business registration number's check digit does not match; please check the number."),
            code="brn_check_digit",
        )
    return digits


def format_brn(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if len(digits) == 10 else digits


def crn_check_digit(first_twelve: str) -> int:
    """Check digit of a corporate registration number (법인등록번호): weights 1,2,1,2… over 12 digits."""
    total = sum(int(c) * (1 if i % 2 == 0 else 2) for i, c in enumerate(first_twelve))
    return (10 - total % 10) % 10


def crn_is_valid(value: object) -> bool:
    digits = _digits(value, 13)
    return digits is not None and crn_check_digit(digits[:12]) == int(digits[12])


def normalize_crn(value: object) -> str:
    digits = _digits(value, 13)
    if digits is None:
        raise ValidationError(
            _("A corporate registration number has 13 digits (XXXXXX-XXXXXXX)."), code="crn_format"
        )
    if not crn_is_valid(digits):
        raise ValidationError(
            _("The corporate registration number's check digit does not match; please check the number."),
            code="crn_check_digit",
        )
    return digits


def format_crn(digits: str) -> str:
    return f"{digits[:6]}-{digits[6:]}" if len(digits) == 13 else digits


def validate_brn_field(value: str) -> None:
    """Model-field validator: the stored value must be exactly 10 valid digits."""
    if normalize_brn(value) != value:
        raise ValidationError(_("Store the business registration number as 10 digits."), code="brn_format")


def validate_crn_field(value: str) -> None:
    if normalize_crn(value) != value:
        raise ValidationError(_("Store the corporate registration number as 13 digits."), code="crn_format")
