"""Fixtures of the complex tests: complexes in Gyeonggi and Busan, factories of SME A and SME B (self-built
ones, created directly: how factories come about is tested with the factories), and a table snapshot."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from factories.models import ComplexWorkplace, Factory, IndustrialComplex
from tests import factories as f

COMPLEX_MODELS = (IndustrialComplex, ComplexWorkplace)


def complex_state() -> dict[str, list[dict[str, Any]]]:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in COMPLEX_MODELS}


def factory_of(workplace, user, completed_on=dt.date(2022, 5, 1)) -> Factory:
    return Factory.objects.create(
        workplace=workplace,
        company=workplace.company,
        region=workplace.region,
        ksic=workplace.ksic,
        origin="self_built",
        completed_on=completed_on,
        completion_year=completed_on.year,
        level=f.level("L3"),
        created_by=user,
    )


@pytest.fixture
def banwol(db) -> IndustrialComplex:
    return IndustrialComplex.objects.create(
        name_ko="반월시화 국가산업단지",
        name_en="Banwol-Sihwa National Industrial Complex",
        region=f.region("gyeonggi"),
    )


@pytest.fixture
def changwon(db) -> IndustrialComplex:
    return IndustrialComplex.objects.create(
        name_ko="창원 국가산업단지",
        name_en="Changwon National Industrial Complex",
        region=f.region("gyeongnam"),
        designated_on=dt.date(2019, 3, 1),
    )
