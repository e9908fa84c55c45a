"""National targets with their deadlines and sources (domain brief §0, §3.3, §5)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

D = dt.date

TARGETS = [
    (
        "factories-30000-2022",
        "deployments",
        "스마트공장 3만 개 보급 (2022년까지)",
        "30,000 smart factories by 2022",
        Decimal("30000"),
        "count",
        D(2014, 1, 1),
        D(2022, 12, 31),
        D(2018, 12, 13),
        "중소기업 스마트 제조혁신 전략 (2018-12-13)",
    ),
    (
        "workers-100000-2022",
        "trained_workers",
        "스마트공장 전문인력 10만 명 양성 (2022년까지)",
        "100,000 smart-manufacturing workers trained by 2022",
        Decimal("100000"),
        "persons",
        D(2017, 1, 1),
        D(2022, 12, 31),
        D(2018, 12, 13),
        "중소기업 스마트 제조혁신 전략 (2018-12-13)",
    ),
    (
        "complexes-10-2022",
        "leading_complexes",
        "선도 스마트산단 10개 조성 (2022년까지)",
        "10 leading smart industrial complexes by 2022",
        Decimal("10"),
        "count",
        D(2019, 1, 1),
        D(2022, 12, 31),
        D(2018, 12, 13),
        "중소기업 스마트 제조혁신 전략 (2018-12-13)",
    ),
    (
        "advancement-30pct-2025",
        "advancement_ratio",
        "고도화율(레벨3 이상) 30% 달성 (2025년까지)",
        "Advancement ratio (Level 3+) of 30% by 2025",
        Decimal("30.00"),
        "percent",
        D(2014, 1, 1),
        D(2025, 12, 31),
        D(2020, 11, 12),
        "스마트 제조혁신 실행 전략 (2020-11-12)",
    ),
    (
        "factories-25000-2027",
        "deployments",
        "스마트공장 2.5만 개 보급 (2023~2027년)",
        "25,000 smart factories in 2023–2027",
        Decimal("25000"),
        "count",
        D(2023, 1, 1),
        D(2027, 12, 31),
        D(2023, 9, 18),
        "新디지털 제조혁신 추진전략 (2023-09-18)",
    ),
]


def load(apps, schema_editor):
    NationalTarget = apps.get_model("programs", "NationalTarget")
    for code, metric, ko, en, value, unit, counts_from, deadline, announced, source in TARGETS:
        NationalTarget.objects.create(
            code=code,
            metric=metric,
            label_ko=ko,
            label_en=en,
            target_value=value,
            unit=unit,
            counts_from=counts_from,
            deadline=deadline,
            announced_on=announced,
            source=source,
        )


def unload(apps, schema_editor):
    apps.get_model("programs", "NationalTarget").objects.filter(code__in=[t[0] for t in TARGETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
