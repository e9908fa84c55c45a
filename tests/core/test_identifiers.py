"""Check digits of business (사업자등록번호) and corporate (법인등록번호) registration numbers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.identifiers import (
    brn_check_digit,
    brn_is_valid,
    crn_check_digit,
    crn_is_valid,
    format_brn,
    format_crn,
    normalize_brn,
    normalize_crn,
)

# Real-looking numbers whose check digits were worked out by hand from the published weights.
VALID_BRNS = ["123-45-67891", "124-81-00998", "220-81-62517", "120-81-47521", "106-81-11110"]
VALID_CRNS = ["130111-0006246", "110111-0672538", "134511-0004412"]


def _digits(value: str) -> str:
    return value.replace("-", "")


def _single_digit_changes(digits: str):
    for position, original in enumerate(digits):
        for replacement in "0123456789":
            if replacement != original:
                yield digits[:position] + replacement + digits[position + 1 :]


def test_check_digit_worked_example():
    # 1·1 + 2·3 + 3·7 + 4·1 + 5·3 + 6·7 + 7·1 + 8·3 + 9·5 = 165, plus ⌊9·5/10⌋ = 4 → 169 → check digit 1.
    assert brn_check_digit("123456789") == 1
    assert brn_is_valid("123-45-67891")
    # python-stdnum's format-only check accepts this one; ours does not.
    assert not brn_is_valid("1234567890")


@pytest.mark.parametrize("brn", VALID_BRNS)
def test_valid_brn_in_every_accepted_format(brn):
    digits = _digits(brn)
    for text in (brn, digits, f"{digits[:3]} {digits[3:5]} {digits[5:]}", f" {brn} "):
        assert brn_is_valid(text), text
        assert normalize_brn(text) == digits
    assert format_brn(digits) == brn


@pytest.mark.parametrize("brn", VALID_BRNS)
def test_every_single_digit_change_of_a_valid_brn_fails(brn):
    changed = list(_single_digit_changes(_digits(brn)))
    assert len(changed) == 90
    accepted = [number for number in changed if brn_is_valid(number)]
    assert accepted == []


@pytest.mark.parametrize(
    "value",
    ["12345678", "12345678912", "123-45-6789a", "１２３-45-67891", "123.45.67891", "", "ㄱ23-45-67891"],
)
def test_malformed_brn_is_refused_with_format_code(value):
    assert not brn_is_valid(value)
    with pytest.raises(ValidationError) as exc:
        normalize_brn(value)
    assert exc.value.code == "brn_format"


@pytest.mark.parametrize("value", [None, 1234567891, 123.0, b"1234567891", ["1234567891"]])
def test_non_string_brn_is_refused(value):
    assert not brn_is_valid(value)
    with pytest.raises(ValidationError):
        normalize_brn(value)


def test_wrong_check_digit_is_refused_with_check_digit_code():
    with pytest.raises(ValidationError) as exc:
        normalize_brn("123-45-67890")
    assert exc.value.code == "brn_check_digit"


def test_tax_office_code_000_is_refused():
    nine = "000456789"
    assert not brn_is_valid(nine + str(brn_check_digit(nine)))


def test_crn_check_digit_worked_example():
    # Weights 1,2,1,2… over 1,3,0,1,1,1,0,0,0,6,2,4 → 1+6+0+2+1+2+0+0+0+12+2+8 = 34 → check digit 6.
    assert crn_check_digit("130111000624") == 6
    assert not crn_is_valid("1301110006240")


@pytest.mark.parametrize("crn", VALID_CRNS)
def test_valid_crn_in_every_accepted_format(crn):
    digits = _digits(crn)
    for text in (crn, digits, f"{digits[:6]} {digits[6:]}"):
        assert crn_is_valid(text), text
        assert normalize_crn(text) == digits
    assert format_crn(digits) == crn


@pytest.mark.parametrize("crn", VALID_CRNS)
def test_every_detectable_single_digit_change_of_a_valid_crn_fails(crn):
    """Weights 1,2 modulo 10 cannot see a digit at a weight-2 position moved by exactly 5 (2·5 = 10);
    every other single-digit change must fail."""
    digits = _digits(crn)
    changed = list(_single_digit_changes(digits))
    assert len(changed) == 117
    accepted = {number for number in changed if crn_is_valid(number)}
    blind_spots = {
        number
        for number in changed
        for i in range(1, 12, 2)
        if number[:i] == digits[:i]
        and number[i + 1 :] == digits[i + 1 :]
        and abs(int(number[i]) - int(digits[i])) == 5
    }
    assert accepted == blind_spots
    assert len(blind_spots) == 6


@pytest.mark.parametrize(
    "value", ["130111-000624", "130111-00062466", "13011a-0006246", "", None, 1301110006246]
)
def test_malformed_crn_is_refused(value):
    assert not crn_is_valid(value)
    with pytest.raises(ValidationError) as exc:
        normalize_crn(value)
    assert exc.value.code == "crn_format"


def test_wrong_crn_check_digit_is_refused_with_check_digit_code():
    with pytest.raises(ValidationError) as exc:
        normalize_crn("130111-0006247")
    assert exc.value.code == "crn_check_digit"
