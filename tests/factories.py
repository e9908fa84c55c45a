"""factory_boy factories for the domain. Reference data comes from the migrations, not from factories."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import factory
from django.utils import timezone

from applications.models import Application
from companies.models import Company, Supplier, Workplace
from core.identifiers import brn_check_digit, crn_check_digit
from core.models import (
    FirmSizeClass,
    KsicDivision,
    Level,
    Membership,
    Organisation,
    Region,
    TargetLevel,
    User,
)
from core.roles import OrganisationKind
from partners.models import WINWIN_TRACKS, Consortium, Match, MatchStatus, WinWinAgreement
from programs.models import Call, CallStatus, FundingRule, ProgramType, RubricCriterion

_rng = random.Random(20261121)


def make_brn() -> str:
    """A random business registration number with a correct check digit (for-profit corporation type)."""
    nine = f"{_rng.randint(101, 999)}81{_rng.randint(0, 9999):04d}"
    return nine + str(brn_check_digit(nine))


def make_crn() -> str:
    twelve = f"{_rng.randint(1101, 2899)}11{_rng.randint(0, 999999):06d}"
    return twelve + str(crn_check_digit(twelve))


def region(slug: str = "gyeonggi") -> Region:
    return Region.objects.get(slug=slug)


def ksic(code: str = "29") -> KsicDivision:
    return KsicDivision.objects.get(code=code)


def size(code: str = "small") -> FirmSizeClass:
    return FirmSizeClass.objects.get(code=code)


def target_level(code: str = "basic") -> TargetLevel:
    return TargetLevel.objects.get(code=code)


def level(code: str = "L1") -> Level:
    return Level.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.kr")
    display_name = factory.LazyAttribute(lambda u: u.username)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.OTHER
    name_ko = factory.Sequence(lambda n: f"기관{n}")
    name_en = factory.Sequence(lambda n: f"Organisation {n}")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    organisation = factory.SubFactory(
        OrganisationFactory,
        kind=OrganisationKind.COMPANY,
        name_ko=factory.Sequence(lambda n: f"(주)스마트정밀{n}"),
        name_en=factory.Sequence(lambda n: f"Smart Precision {n}"),
    )
    brn = factory.LazyFunction(make_brn)
    representative = "홍길동"
    size_class = factory.LazyFunction(lambda: size("small"))
    ksic = factory.LazyFunction(lambda: ksic("29"))
    founded_on = dt.date(2005, 3, 1)
    employees = 35
    revenue_krw = 8_500_000_000


class WorkplaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workplace

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"제{n}공장")
    postal_code = "15588"
    address = "경기도 안산시 단원구 산단로 100"
    region = factory.LazyFunction(lambda: region("gyeonggi"))
    ksic = factory.LazyFunction(lambda: ksic("29"))


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    organisation = factory.SubFactory(
        OrganisationFactory,
        kind=OrganisationKind.SUPPLIER,
        name_ko=factory.Sequence(lambda n: f"(주)솔루션공급{n}"),
        name_en=factory.Sequence(lambda n: f"Solution Supply {n}"),
    )
    brn = factory.LazyFunction(make_brn)
    representative = "김공급"
    region = factory.LazyFunction(lambda: region("seoul"))
    domains = factory.LazyFunction(lambda: ["information"])
    employees = 12


# Rules as the 2022 calls set them (domain brief §1.2), keyed by program type → target level.
RULES = {
    ProgramType.GOVERNMENT_ONLY: {
        "basic": {"gov_cap_krw": 50_000_000, "gov_max_bp": 5000, "partner_max_bp": 0},
        "advanced1": {"gov_cap_krw": 200_000_000, "gov_max_bp": 5000, "partner_max_bp": 0},
        "advanced2": {"gov_cap_krw": 400_000_000, "gov_max_bp": 5000, "partner_max_bp": 0},
    },
    ProgramType.WINWIN_TYPE1: {
        "basic": {"gov_cap_krw": 42_000_000, "gov_max_bp": 3000, "partner_min_bp": 3000, "sme_max_bp": 4000},
        "advanced1": {
            "gov_cap_krw": 120_000_000,
            "gov_max_bp": 3000,
            "partner_min_bp": 3000,
            "sme_max_bp": 4000,
        },
        "advanced2": {
            "gov_cap_krw": 240_000_000,
            "gov_max_bp": 3000,
            "partner_min_bp": 3000,
            "sme_max_bp": 4000,
        },
    },
    ProgramType.WINWIN_TYPE2: {
        "basic": {
            "gov_cap_krw": 10_000_000,
            "total_cap_krw": 20_000_000,
            "gov_max_bp": 5000,
            "gov_min_bp": 5000,
            "partner_min_bp": 5000,
            "partner_max_bp": 5000,
            "sme_max_bp": 0,
        },
    },
    ProgramType.PARTNER_TRACK: {
        "basic": {"gov_cap_krw": 30_000_000, "gov_max_bp": 3000, "combined_max_bp": 6000},
        "advanced1": {"gov_cap_krw": 50_000_000, "gov_max_bp": 3000, "combined_max_bp": 6000},
    },
}

RUBRIC = [
    ("necessity", "도입 필요성", "Need for adoption", 30),
    ("feasibility", "추진 계획의 타당성", "Feasibility of the plan", 40),
    ("effect", "기대 효과", "Expected effect", 30),
]


class CallFactory(factory.django.DjangoModelFactory):
    """A published call that is open now, with the rules of its program type and a 3-criterion rubric."""

    class Meta:
        model = Call
        skip_postgeneration_save = True

    fiscal_year = factory.Sequence(lambda n: 2026 - (n % 12))
    round = factory.Sequence(lambda n: n + 1)
    program_type = ProgramType.GOVERNMENT_ONLY
    title_ko = factory.LazyAttribute(lambda c: f"{c.fiscal_year}년 스마트공장 구축 지원사업 {c.round}차 공고")
    title_en = factory.LazyAttribute(
        lambda c: f"{c.fiscal_year} smart-factory build-out support, call {c.round}"
    )
    status = CallStatus.PUBLISHED
    budget_krw = 1_000_000_000
    target_count = 20
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=20))
    prior_support_exclusion_years = 3
    max_concurrent_projects = 2
    pass_score = Decimal("70.00")

    @factory.post_generation
    def rules(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        for level_code, values in RULES[ProgramType(obj.program_type)].items():
            FundingRule.objects.create(call=obj, target_level=target_level(level_code), **values)
        for i, (code, ko, en, weight) in enumerate(RUBRIC, start=1):
            RubricCriterion.objects.create(
                call=obj, order=i, code=code, name_ko=ko, name_en=en, weight=weight
            )


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete draft: a government-only basic-level project of 80 million won, 40 % government."""

    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    workplace = factory.SubFactory(WorkplaceFactory)
    company = factory.LazyAttribute(lambda a: a.workplace.company)
    region = factory.LazyAttribute(lambda a: a.workplace.region)
    target_level = factory.LazyFunction(lambda: target_level("basic"))
    supplier = factory.SubFactory(SupplierFactory)
    current_level = factory.LazyFunction(lambda: level("L1"))
    title = "생산관리 MES 구축"
    summary = "수기 작업일보를 MES로 전환하고 설비 가동 데이터를 실시간 수집합니다."
    planned_start = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))
    planned_end = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=240))
    total_cost_krw = 80_000_000
    gov_amount_krw = 32_000_000
    partner_amount_krw = 0
    sme_amount_krw = 48_000_000
    local_amount_krw = 0
    created_by = factory.SubFactory(UserFactory)


def member(user: User, organisation: Organisation, role: str) -> Membership:
    return Membership.objects.create(user=user, organisation=organisation, role=role)


# --- win-win partnerships ---------------------------------------------------------------------------


class ConsortiumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consortium

    partner = factory.SubFactory(
        OrganisationFactory, kind=OrganisationKind.PARTNER, name_ko=factory.Sequence(lambda n: f"주관기관{n}")
    )
    institution = factory.SubFactory(
        OrganisationFactory,
        kind=OrganisationKind.INSTITUTION,
        name_ko=factory.Sequence(lambda n: f"협력기관{n}"),
    )
    name_ko = factory.LazyAttribute(lambda c: f"{c.partner.name_ko}·{c.institution.name_ko} 상생 컨소시엄")
    established_on = dt.date(2019, 7, 2)


class AgreementFactory(factory.django.DjangoModelFactory):
    """A win-win agreement in force for 2026 funding every win-win track, pledging 1 billion won."""

    class Meta:
        model = WinWinAgreement

    consortium = factory.SubFactory(ConsortiumFactory)
    fiscal_year = 2026
    pledged_krw = 1_000_000_000
    mentee_quota = 50
    tracks = factory.LazyFunction(lambda: [t.value for t in WINWIN_TRACKS])
    signed_on = dt.date(2026, 1, 15)


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match

    agreement = factory.SubFactory(AgreementFactory)
    company = factory.SubFactory(CompanyFactory)
    status = MatchStatus.ACCEPTED
    proposed_by = factory.SubFactory(UserFactory)
