"""Reference data looked up by the names a clerk types: regions (current and former names, KOSTAT
codes), KSIC manufacturing divisions, firm sizes and target levels. Each table is read once per import
(one query each), never per row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.models import FirmSizeClass, KsicDivision, Region, TargetLevel
from core.selectors import firm_size_class_list, ksic_division_list, region_list, target_level_list
from exports.imports.base import cell_text, header_key, lookup_table, short_name


def _short_region_name(name_ko: str) -> str:
    """The everyday short name of a province or city: 경기도 → 경기, 충청북도 → 충북, 서울특별시 → 서울."""
    if len(name_ko) == 4 and name_ko.endswith("도"):
        return name_ko[0] + name_ko[2]
    return name_ko[:2]


def region_table() -> dict[str, Region]:
    """Regions by key, KOSTAT code, Korean and English name (short forms too) and every former name
    (강원도 for Gangwon before 2023-06-11). MOIS codes are left out: several equal another region's
    KOSTAT code (31 is Gyeonggi for KOSTAT, Ulsan for MOIS)."""
    entries: list[tuple[list[str], Region]] = []
    for region in region_list():
        names = [
            region.slug,
            region.kostat_code,
            region.name_ko,
            region.name_en,
            _short_region_name(region.name_ko),
        ]
        for code in region.codes.all():
            names += [code.name_ko, code.name_en, _short_region_name(code.name_ko)]
        entries.append((names, region))
    return lookup_table(entries)


def region_names() -> list[str]:
    return [r.name_ko for r in region_list()]


def ksic_table() -> dict[str, KsicDivision]:
    """KSIC divisions by code (`24`, `C24`) and name."""
    return lookup_table(([k.code, f"C{k.code}", k.name_ko, k.name_en], k) for k in ksic_division_list())


def ksic_codes() -> list[str]:
    return [k.code for k in ksic_division_list()]


def ksic_lookup(table: dict[str, KsicDivision], value: Any) -> KsicDivision | None:
    return table.get(header_key(cell_text(value)))


def size_table(on: dt.date) -> dict[str, FirmSizeClass]:
    """Firm sizes in force on the day, by code and name (`small`, `소기업`, `Small enterprise`)."""
    return lookup_table(
        ([s.code, s.name_ko, s.name_en, short_name(s.name_ko), short_name(s.name_en)], s)
        for s in firm_size_class_list(on)
    )


def size_names(on: dt.date) -> list[str]:
    return [s.name_ko for s in firm_size_class_list(on)]


def target_level_table() -> dict[str, TargetLevel]:
    """Target levels by code and name, with or without the parenthesised description (`기초`)."""
    return lookup_table(
        ([t.code, t.name_ko, t.name_en, short_name(t.name_ko), short_name(t.name_en)], t)
        for t in target_level_list()
    )


def target_level_names() -> list[str]:
    return [short_name(t.name_ko) for t in target_level_list()]
