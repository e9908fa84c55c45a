"""Fixtures of the training tests: two providers, each with a member holding the training-provider role,
a course each, and helpers to record cohorts and snapshot the training tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from core.roles import OrganisationKind, Role
from factories.models import HistoricalAggregate
from tests import factories as f
from tests.conftest import Persona
from training.models import TrainingCohort, TrainingCourse, TrainingProvider

TRAINING_MODELS = (TrainingProvider, TrainingCourse, TrainingCohort, HistoricalAggregate)


def training_state() -> dict[str, list[dict[str, Any]]]:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in TRAINING_MODELS}


def make_provider(name: str, kind: str = "learning_center", region: str = "gyeonggi") -> TrainingProvider:
    org = f.OrganisationFactory(
        kind=OrganisationKind.TRAINING_PROVIDER, name_ko=name, region=f.region(region)
    )
    return TrainingProvider.objects.create(organisation=org, kind=kind, region=f.region(region))


def staff_of(provider: TrainingProvider, username: str) -> Persona:
    user = f.UserFactory(username=username)
    f.member(user, provider.organisation, Role.TRAINING_PROVIDER)
    return Persona(user, provider.organisation)


def cohort(course: TrainingCourse, recorder, *, start: dt.date, end: dt.date, enrolled=20, completed=18):
    return TrainingCohort.objects.create(
        course=course,
        period_start=start,
        period_end=end,
        year=end.year,
        enrolled=enrolled,
        completed=completed,
        recorded_by=recorder,
    )


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


@pytest.fixture
def provider(db) -> TrainingProvider:
    return make_provider("스마트공장 배움터 안산")


@pytest.fixture
def other_provider(db) -> TrainingProvider:
    return make_provider("한국폴리텍대학 러닝팩토리", kind="learning_factory", region="busan")


@pytest.fixture
def provider_staff(provider) -> Persona:
    return staff_of(provider, "trainer_a")


@pytest.fixture
def other_provider_staff(other_provider) -> Persona:
    return staff_of(other_provider, "trainer_b")


@pytest.fixture
def course(provider) -> TrainingCourse:
    return TrainingCourse.objects.create(provider=provider, title_ko="MES 운영 실무", level="basic", hours=40)


@pytest.fixture
def other_course(other_provider) -> TrainingCourse:
    return TrainingCourse.objects.create(
        provider=other_provider, title_ko="스마트 공정 설계", level="advanced", hours=80
    )
