"""The benchmark's double national scale is twice national in every volume and the same in its rules."""

from __future__ import annotations

from dataclasses import fields

from demo.seed.records import NATIONAL, NATIONAL2X, SCALES

DOUBLED = {
    "companies",
    "workplaces",
    "suppliers",
    "applications",
    "evaluators",
    "officers_per_center",
    "officials",
    "mentoring_records",
    "finance_officers",
    "ledger_entries",
    "trained_by_2022",
}


def test_national2x_is_selectable_by_name() -> None:
    assert SCALES["national2x"] is NATIONAL2X
    assert set(SCALES) == {"small", "national", "national2x"}


def test_national2x_doubles_every_volume_and_keeps_the_rules() -> None:
    for field in fields(NATIONAL):
        national, doubled = getattr(NATIONAL, field.name), getattr(NATIONAL2X, field.name)
        if field.name in DOUBLED:
            assert doubled == 2 * national, field.name
        elif field.name == "rounds":
            assert doubled == {
                program: {year: 2 * n for year, n in years.items()} for program, years in national.items()
            }
        elif field.name != "name":
            assert doubled == national, field.name
