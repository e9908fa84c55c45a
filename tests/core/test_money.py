"""Money is whole won: parsing refuses anything inexact, display rounds half-up at the edge only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.money import MAX_KRW, Unit, format_bp, format_krw, parse_krw, percent_bp, to_unit


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1_500_000, 1_500_000),
        ("1500000", 1_500_000),
        ("1,500,000", 1_500_000),
        (" 150,000,000 ", 150_000_000),
        (1, 1),
        (MAX_KRW, MAX_KRW),
        (str(MAX_KRW), MAX_KRW),
    ],
)
def test_whole_won_is_accepted(value, expected):
    assert parse_krw(value) == expected
    assert type(parse_krw(value)) is int


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (1500000.0, "amount_invalid"),
        (1.5, "amount_invalid"),
        ("1e3", "amount_invalid"),
        ("1E3", "amount_invalid"),
        ("1.5", "amount_invalid"),
        ("1500000.00", "amount_invalid"),
        (Decimal("1500000"), "amount_invalid"),
        (Decimal("1.5"), "amount_invalid"),
        (True, "amount_invalid"),
        (False, "amount_invalid"),
        (None, "amount_invalid"),
        ("", "amount_invalid"),
        ("abc", "amount_invalid"),
        ("-5", "amount_invalid"),
        ("+5", "amount_invalid"),
        ("1,5000", "amount_invalid"),
        ("1,500,", "amount_invalid"),
        (",500", "amount_invalid"),
        ("1 500 000", "amount_invalid"),
        ("１,５００", "amount_invalid"),  # full-width digits, with or without grouping
        ("１５００", "amount_invalid"),
        ("٣,٠٠٠", "amount_invalid"),
        ([1500], "amount_invalid"),
        (-1, "amount_not_positive"),
        (-1_500_000, "amount_not_positive"),
        (0, "amount_not_positive"),
        ("0", "amount_not_positive"),
        (MAX_KRW + 1, "amount_too_large"),
        (str(MAX_KRW + 1), "amount_too_large"),
        (10**30, "amount_too_large"),
        ("9" * 5000, "amount_too_large"),  # longer than Python's int-from-str limit
        ("9,999" * 1500, "amount_invalid"),
    ],
)
def test_inexact_or_out_of_range_amounts_are_refused(value, code):
    with pytest.raises(ValidationError) as exc:
        parse_krw(value)
    assert exc.value.code == code


def test_zero_only_when_allowed():
    assert parse_krw(0, allow_zero=True) == 0
    assert parse_krw("0", allow_zero=True) == 0
    with pytest.raises(ValidationError):
        parse_krw(-1, allow_zero=True)


@pytest.mark.parametrize(
    ("amount", "unit", "decimals", "expected"),
    [
        (1_500_000, Unit.MILLION, 0, Decimal("2")),
        (1_499_999, Unit.MILLION, 0, Decimal("1")),
        (2_500_000, Unit.MILLION, 0, Decimal("3")),  # half-up, not banker's rounding
        (1_250_000, Unit.MILLION, 1, Decimal("1.3")),
        (1_249_999, Unit.MILLION, 1, Decimal("1.2")),
        (150_000_000, Unit.HUNDRED_MILLION, 1, Decimal("1.5")),
        (1_500, Unit.THOUSAND, 0, Decimal("2")),
        (1_499, Unit.THOUSAND, 0, Decimal("1")),
        (123, Unit.WON, 0, Decimal("123")),
    ],
)
def test_to_unit_rounds_half_up(amount, unit, decimals, expected):
    assert to_unit(amount, unit, decimals) == expected


def test_display_helpers():
    assert format_krw(1_234_567) == "1,234,567"
    assert format_krw(1_500_000, Unit.MILLION) == "2"
    assert format_krw(None) == "-"
    assert percent_bp(1, 3) == 3333
    assert percent_bp(2, 3) == 6667
    assert percent_bp(5, 0) == 0
    assert format_bp(3000) == "30%"
    assert format_bp(3333) == "33.33%"
    assert format_bp(None) == "-"
