"""Money is whole Korean won held as Python int / PostgreSQL bigint. Never float.

Parsing refuses anything that is not an exact whole number of won (floats, decimals with a fraction,
exponents, booleans). Conversion to display units (천원, 백만원, 억원) happens only at the edge, with
half-up rounding as Korean government tables do.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_KRW = 10**13  # 10조 won: far above any single program budget; rejects typos with extra zeros.
# ASCII only: `\d` alone would let full-width or Arabic-Indic digits through when grouped with commas.
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})*$", re.ASCII)


class Unit(Enum):
    WON = (1, "원", "KRW")
    THOUSAND = (1_000, "천원", "KRW thousand")
    MILLION = (1_000_000, "백만원", "KRW million")
    HUNDRED_MILLION = (100_000_000, "억원", "KRW 100 million")

    def __init__(self, divisor: int, label_ko: str, label_en: str) -> None:
        self.divisor = divisor
        self.label_ko = label_ko
        self.label_en = label_en


def parse_krw(value: object, *, allow_zero: bool = False) -> int:
    """Parse an amount of won from JSON or a form; raise ValidationError with a clear reason.

    Accepts an int, or a string of digits optionally grouped with commas ("1,500,000").
    """
    if isinstance(value, bool) or value is None:
        raise ValidationError(_("Enter an amount in whole won."), code="amount_invalid")
    if isinstance(value, int):
        amount = value
    elif isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit():
            digits = text
        elif _GROUPED.fullmatch(text):
            digits = text.replace(",", "")
        else:
            raise ValidationError(
                _("Enter the amount as whole won using digits only, for example 150000000."),
                code="amount_invalid",
            )
        # Past MAX_KRW's length the number is too large anyway; int() of thousands of digits would raise.
        if len(digits.lstrip("0")) > len(str(MAX_KRW)):
            raise ValidationError(_("The amount is larger than any program allows."), code="amount_too_large")
        amount = int(digits)
    else:
        # float, Decimal and anything else: an amount with a fractional part or an exponent is not money.
        raise ValidationError(
            _("Enter the amount as whole won using digits only, for example 150000000."),
            code="amount_invalid",
        )
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError(_("The amount must be greater than zero."), code="amount_not_positive")
    if amount > MAX_KRW:
        raise ValidationError(_("The amount is larger than any program allows."), code="amount_too_large")
    return amount


def to_unit(amount: int, unit: Unit, decimals: int = 0) -> Decimal:
    """Convert won to a display unit with half-up rounding (e.g. 1,250,000 won → 1 백만원 at 0 dp)."""
    quantum = Decimal(1).scaleb(-decimals)
    return (Decimal(amount) / Decimal(unit.divisor)).quantize(quantum, rounding=ROUND_HALF_UP)


def format_krw(amount: int | None, unit: Unit = Unit.WON, decimals: int = 0) -> str:
    """Digits with thousands separators in `unit`; '-' for none, as in government tables."""
    if amount is None:
        return "-"
    value = to_unit(amount, unit, decimals)
    return f"{value:,.{decimals}f}"


def percent_bp(part: int, whole: int) -> int:
    """Share in basis points (1 % = 100 bp), rounded half-up; 0 when the whole is 0."""
    if whole <= 0:
        return 0
    return int((Decimal(part) * 10_000 / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_bp(bp: int | None) -> str:
    if bp is None:
        return "-"
    return f"{Decimal(bp) / 100:.2f}".rstrip("0").rstrip(".") + "%"
