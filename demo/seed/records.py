"""Plain records of a demo plan, the scales, and small helpers shared by the generator.

Nothing here touches the database: a plan is built in memory and written afterwards.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from applications.models import ACTIVE_PROJECT_STATES, SUPPORTED_STATES, ApplicationStatus
from core.identifiers import brn_check_digit, crn_check_digit
from demo.seed import data
from demo.seed.money_records import PProject
from programs.models import FundingRule, ProgramType

if TYPE_CHECKING:
    from demo.seed.factories import DeploymentPlan
    from demo.seed.training import TrainingPlan

KST = ZoneInfo("Asia/Seoul")
S = ApplicationStatus
P = ProgramType
TWO_PLACES = Decimal("0.01")
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
LEVEL_RANK = {"basic": 1, "advanced1": 2, "advanced2": 3}
SUPPORTED = frozenset(str(s) for s in SUPPORTED_STATES)
ACTIVE = frozenset(str(s) for s in ACTIVE_PROJECT_STATES)
DECISION_STATES = frozenset({S.SELECTED, S.REJECTED, S.WAITLISTED})


@dataclass(frozen=True)
class Scale:
    """How much to make. `rounds` gives the calls per program type and fiscal year; the last 2026 round
    of each type is the call that is open now."""

    name: str
    companies: int
    workplaces: int
    suppliers: int
    applications: int
    evaluators: int
    officers_per_center: int
    officials: int
    rounds: dict[str, dict[int, int]]
    open_call_minimum: dict[str, int]
    selection_rate: float  # share of evaluated applications selected in a closed call
    fail_screening_rate: float
    withdraw_rate: float
    abandoned_draft_rate: float
    detail_from_year: int  # evaluator assignments and criterion scores for calls from this fiscal year
    evaluators_per_application: int
    quality_mean: float  # mean of the latent project quality that drives evaluation scores (pass mark 70)
    recent_boost: dict[int, float]  # extra volume for recent years, so a small demo shows projects under way
    national_partners: bool  # all 20 partner firms (data.PARTNER_PROFILES), or the 8 of the 2019 agreement
    extra_match_share: float  # matches without an application (proposals, declines …) per application match
    mentoring_records: int  # mentoring activities to make in all (0: as many as the matches call for)
    finance_officers: int  # KOSMO finance officers who approve and pay (the demo login `finance` among them)
    ledger_entries: (
        int  # funding ledger entries to aim at (0: monthly interim payments, as many as that makes)
    )
    trained_by_2022: int = 10_000  # workers trained 2017–2022 (the national target: 100,000 by 2022)
    training_courses: int = 3  # courses per training provider (at most as many as demo.seed.training lists)


def _years(first: int, last: int, rounds: int) -> dict[int, int]:
    return dict.fromkeys(range(first, last + 1), rounds)


SMALL = Scale(
    name="small",
    companies=60,
    workplaces=90,
    suppliers=25,
    applications=395,
    evaluators=12,
    officers_per_center=1,
    officials=3,
    rounds={
        P.GOVERNMENT_ONLY: {**_years(2014, 2025, 1), 2026: 3},
        P.WINWIN_TYPE1: {**_years(2018, 2025, 1), 2026: 2},
        P.WINWIN_TYPE2: {**_years(2022, 2025, 1), 2026: 2},
        P.PARTNER_TRACK: {**_years(2022, 2025, 1), 2026: 2},
    },
    open_call_minimum={P.GOVERNMENT_ONLY: 30, P.WINWIN_TYPE1: 10, P.WINWIN_TYPE2: 8, P.PARTNER_TRACK: 8},
    selection_rate=0.75,
    fail_screening_rate=0.06,
    withdraw_rate=0.03,
    abandoned_draft_rate=0.02,
    detail_from_year=2014,
    evaluators_per_application=3,
    quality_mean=79.0,
    recent_boost={2024: 1.5, 2025: 2.0, 2026: 4.0},
    national_partners=False,
    extra_match_share=0.3,
    mentoring_records=0,
    finance_officers=3,
    ledger_entries=0,
)

NATIONAL = Scale(
    name="national",
    companies=40_000,
    workplaces=60_000,
    suppliers=1_800,
    applications=200_000,
    evaluators=300,
    officers_per_center=3,
    officials=12,
    rounds={
        P.GOVERNMENT_ONLY: {**_years(2014, 2016, 1), **_years(2017, 2018, 2), **_years(2019, 2026, 4)},
        P.WINWIN_TYPE1: {**_years(2018, 2026, 3)},
        P.WINWIN_TYPE2: {**_years(2022, 2026, 2)},
        P.PARTNER_TRACK: {**_years(2022, 2026, 4)},
    },
    open_call_minimum={P.GOVERNMENT_ONLY: 200, P.WINWIN_TYPE1: 100, P.WINWIN_TYPE2: 50, P.PARTNER_TRACK: 50},
    selection_rate=0.25,  # about 4 applicants per place (domain brief §4), ~35,000 completed projects
    fail_screening_rate=0.10,
    withdraw_rate=0.04,
    abandoned_draft_rate=0.05,
    detail_from_year=2024,
    evaluators_per_application=3,
    quality_mean=74.0,
    recent_boost={},
    national_partners=True,
    extra_match_share=0.15,
    mentoring_records=500_000,  # DESIGN.md §8
    finance_officers=12,
    ledger_entries=1_000_000,  # DESIGN.md §8
    trained_by_2022=100_000,  # domain brief §5
    training_courses=5,
)

# Twice the national data set, for the benchmark only (`make bench`: does a dashboard figure stay as fast
# when the program doubles?): twice the registry, applications, mentoring records, ledger entries and
# workers trained, twice the calls a year (so each call keeps its national size), twice the staff.
NATIONAL2X = replace(
    NATIONAL,
    name="national2x",
    companies=2 * NATIONAL.companies,
    workplaces=2 * NATIONAL.workplaces,
    suppliers=2 * NATIONAL.suppliers,
    applications=2 * NATIONAL.applications,
    evaluators=2 * NATIONAL.evaluators,
    officers_per_center=2 * NATIONAL.officers_per_center,
    officials=2 * NATIONAL.officials,
    rounds={
        program: {year: 2 * rounds for year, rounds in years.items()}
        for program, years in NATIONAL.rounds.items()
    },
    mentoring_records=2 * NATIONAL.mentoring_records,
    finance_officers=2 * NATIONAL.finance_officers,
    ledger_entries=2 * NATIONAL.ledger_entries,
    trained_by_2022=2 * NATIONAL.trained_by_2022,
)

SCALES = {s.name: s for s in (SMALL, NATIONAL, NATIONAL2X)}
OPEN_YEAR = 2026


# --- Records ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class PWorkplace:
    idx: int
    company: int
    name: str
    postal_code: str
    address: str
    region: str
    ksic: str
    is_active: bool = True
    created_at: dt.datetime | None = None


@dataclass(slots=True)
class PCompany:
    idx: int
    name_ko: str
    name_en: str
    brn: str
    crn: str
    representative: str
    size: str
    ksic: str
    region: str
    founded_on: dt.date
    employees: int
    revenue_krw: int
    business_status: str = "active"
    has_tax_arrears: bool = False
    in_insolvency: bool = False
    has_financial_delinquency: bool = False
    demo: str = ""  # "sme" / "sme2" for the demo logins' companies (created through the services)
    user_name: str = ""  # the SME user's display name
    workplaces: list[int] = field(default_factory=list)
    created_at: dt.datetime | None = None


@dataclass(slots=True)
class PSupplier:
    idx: int
    name_ko: str
    name_en: str
    brn: str
    representative: str
    region: str
    domains: list[str]
    employees: int
    weight: float
    demo: bool = False
    created_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class PRule:
    target_level: str
    size_code: str
    gov_cap_krw: int
    gov_max_bp: int
    total_cap_krw: int | None = None
    gov_min_bp: int | None = None
    partner_min_bp: int | None = None
    partner_max_bp: int | None = None
    sme_max_bp: int | None = None
    combined_max_bp: int | None = None
    local_max_bp: int | None = None

    def as_model(self) -> FundingRule:
        """An unsaved FundingRule with these values, for `check_split`."""
        return FundingRule(
            gov_cap_krw=self.gov_cap_krw,
            total_cap_krw=self.total_cap_krw,
            gov_max_bp=self.gov_max_bp,
            gov_min_bp=self.gov_min_bp,
            partner_min_bp=self.partner_min_bp,
            partner_max_bp=self.partner_max_bp,
            sme_max_bp=self.sme_max_bp,
            combined_max_bp=self.combined_max_bp,
            local_max_bp=self.local_max_bp,
        )


@dataclass(slots=True)
class PCall:
    idx: int
    fiscal_year: int
    round: int
    program_type: str
    title_ko: str
    title_en: str
    description: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    decision_at: dt.datetime
    is_open: bool
    rules: list[PRule]
    rubric: list[tuple[str, str, str, int, int]]  # code, name_ko, name_en, weight, max_score
    eligible_size_codes: list[str]
    excluded_conditions: list[str]
    pass_score: Decimal = Decimal(70)
    prior_support_exclusion_years: int = 3
    max_concurrent_projects: int = 2
    lead_partner: str = ""
    budget_krw: int = 0
    target_count: int = 0
    committed_krw: int = 0
    selected_count: int = 0
    planned_gov_krw: int = 0  # what the call would commit once every decision is made
    planned_count: int = 0
    apps: list[int] = field(default_factory=list)

    def rule_for(self, level: str, size: str) -> PRule | None:
        general = None
        for rule in self.rules:
            if rule.target_level == level:
                if rule.size_code == size:
                    return rule
                if rule.size_code == "":
                    general = rule
        return general

    def levels_for(self, size: str) -> list[str]:
        return sorted(
            {r.target_level for r in self.rules if r.size_code in ("", size)}, key=LEVEL_RANK.__getitem__
        )


# A step: (action, from status, to status, at, actor, note). Actor: index into Plan.staff when >= 0,
# the SME user of company (-actor - 1) when negative.
Step = tuple[str, str, str, dt.datetime, int, str]


@dataclass(slots=True)
class PAssignment:
    evaluator: int  # index into Plan.staff
    assigned_by: int
    assigned_at: dt.datetime
    conflict_status: str = "pending"
    conflict_note: str = ""
    declared_at: dt.datetime | None = None
    total_score: Decimal | None = None
    comment: str = ""
    submitted_at: dt.datetime | None = None
    scores: list[Decimal] = field(default_factory=list)


@dataclass(slots=True)
class PFlag:
    earlier: int  # application index
    basis: str
    created_at: dt.datetime
    overridden_by: int | None = None
    overridden_at: dt.datetime | None = None
    override_reason: str = ""


@dataclass(slots=True)
class PApp:
    idx: int
    call: int
    workplace: int
    company: int
    region: str
    target_level: str
    created_at: dt.datetime
    supplier: int | None = None
    current_level: str | None = None
    title: str = ""
    summary: str = ""
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    total: int = 0
    gov: int = 0
    partner: int = 0
    sme: int = 0
    local: int = 0
    size: str | None = None
    score: Decimal | None = None
    path: list[Step] = field(default_factory=list)
    assignments: list[PAssignment] = field(default_factory=list)
    flags: list[PFlag] = field(default_factory=list)
    quality: float = 0.0
    # Win-win calls: the co-funding agreement (index into Plan.agreements) and the partner's confirmation
    # of its share (confirmed_by: index into Plan.partner_users).
    agreement: int | None = None
    confirmed_krw: int | None = None
    confirmed_at: dt.datetime | None = None
    confirmed_by: int | None = None

    @property
    def status(self) -> str:
        return self.path[-1][2] if self.path else S.DRAFT

    def at_of(self, action: str) -> dt.datetime | None:
        for step in self.path:
            if step[0] == action:
                return step[3]
        return None

    @property
    def submitted_at(self) -> dt.datetime | None:
        return self.at_of("submit")

    @property
    def decided_at(self) -> dt.datetime | None:
        """As the services set it: the time of the last selection, rejection or waitlisting."""
        decided = None
        for step in self.path:
            if step[2] in DECISION_STATES:
                decided = step[3]
        return decided

    @property
    def updated_at(self) -> dt.datetime:
        times = [self.created_at] + [s[3] for s in self.path]
        times += [a.submitted_at or a.declared_at or a.assigned_at for a in self.assignments]
        if self.confirmed_at is not None:
            times.append(self.confirmed_at)
        return max(times)


@dataclass(slots=True)
class PStaff:
    """A person of an organisation created through the services: official, officer or evaluator."""

    kind: str  # official / officer / evaluator
    username: str
    display_name: str
    region: str = ""  # for officers
    org: int = 0  # index into data.EVALUATOR_ORGS for evaluators


@dataclass(slots=True)
class PPartner:
    """A partner firm (주관기관) with its consortium's profile."""

    idx: int
    profile: data.PartnerProfile
    institution: int  # index into Plan.institutions
    user: int = 0  # index into Plan.partner_users: the firm's win-win staff member who acts in the data

    @property
    def name_ko(self) -> str:
        return self.profile.name_ko


@dataclass(slots=True)
class PUser:
    """A staff member of a partner firm or cooperating institution (made through the services)."""

    username: str
    display_name: str
    org: int  # index into Plan.partners or Plan.institutions
    demo: bool = False  # a demo login with the published password


@dataclass(slots=True)
class PConsortium:
    idx: int
    partner: int
    institution: int
    name_ko: str
    name_en: str
    established_on: dt.date


@dataclass(slots=True)
class PAgreement:
    idx: int
    consortium: int
    partner: int
    fiscal_year: int
    status: str
    tracks: list[str]
    regions: tuple[str, ...]  # region slugs served; empty: all
    industries: tuple[str, ...]  # KSIC divisions served; empty: all
    signed_on: dt.date
    base_pledge_krw: int
    base_quota: int
    pledged_krw: int = 0
    committed_krw: int = 0
    mentee_quota: int = 0

    def serves(self, region: str, ksic: str) -> bool:
        return (not self.regions or region in self.regions) and (
            not self.industries or ksic in self.industries
        )


# A match step: (action, from status, to status, at, actor, note). Actor: index into Plan.partner_users when
# >= 0, the SME user of company (-actor - 1) when negative.
MatchStep = tuple[str, str, str, dt.datetime, int, str]


@dataclass(slots=True)
class PMatch:
    idx: int
    agreement: int
    company: int
    score: int
    reasons: list[dict[str, str | int]]
    proposed_by: int  # index into Plan.partner_users
    history: list[MatchStep] = field(default_factory=list)
    mentors: list[int] = field(default_factory=list)  # the mentoring team (indexes into Plan.mentors)
    activities: int = 0  # mentoring sessions to generate between activity_from and activity_to
    activity_from: dt.date | None = None
    activity_to: dt.date | None = None

    @property
    def status(self) -> str:
        return self.history[-1][2]

    @property
    def created_at(self) -> dt.datetime:
        return self.history[0][3]

    @property
    def updated_at(self) -> dt.datetime:
        return self.history[-1][3]

    def at_of(self, action: str) -> dt.datetime | None:
        for step in self.history:
            if step[0] == action:
                return step[3]
        return None


@dataclass(slots=True)
class PMentor:
    idx: int
    partner: int
    name: str
    expertise: str
    is_active: bool
    created_at: dt.datetime
    active_until: dt.date | None = None  # the last day a retired mentor may have mentored


@dataclass(slots=True)
class PTie:
    partner: int
    brn: str
    name: str
    created_at: dt.datetime


@dataclass
class Plan:
    scale: Scale
    seed: int
    today: dt.date
    cutoff: dt.datetime
    companies: list[PCompany]
    workplaces: list[PWorkplace]
    suppliers: list[PSupplier]
    calls: list[PCall]
    apps: list[PApp]
    staff: list[PStaff]
    officials: list[int]
    officers_by_region: dict[str, list[int]]
    evaluators: list[int]
    demo_apps: dict[str, int]  # names of the demo users' fixed historical applications → app index
    institutions: list[tuple[str, str]]
    partners: list[PPartner]
    partner_users: list[PUser]
    institution_users: list[PUser]
    consortia: list[PConsortium]
    agreements: list[PAgreement]
    matches: list[PMatch]
    mentors: list[PMentor]
    ties: list[PTie]
    finance: list[int]  # indexes into staff of the finance officers (the demo login `finance` first)
    projects: list[PProject]  # one per application with a signed agreement, in application order
    deployment: DeploymentPlan  # factories, level confirmations, outcome reports, complexes
    training: TrainingPlan  # training providers' courses and cohorts

    def status_counts(self) -> Counter[str]:
        return Counter(a.status for a in self.apps)


# --- Helpers ----------------------------------------------------------------------------------------------


class Picker:
    """Weighted choice in O(log n) with one random draw (random.choices rebuilds its table each call)."""

    def __init__(self, items: Sequence[object], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def rand_between(rng: random.Random, a: dt.datetime, b: dt.datetime) -> dt.datetime:
    """A time in [a, b), to the second; a itself when the span is empty."""
    span = (b - a).total_seconds()
    return a if span <= 1 else a + dt.timedelta(seconds=int(rng.random() * span))


def rand_days(rng: random.Random, low: float, high: float) -> dt.timedelta:
    """A random duration between `low` and `high` days, to the second."""
    return dt.timedelta(seconds=int(rng.uniform(low, high) * 86_400))


def kst_time(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=KST)


def round2(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def weighted_total(scores: Sequence[Decimal], rubric: Sequence[tuple[str, str, str, int, int]]) -> Decimal:
    """Σ score / max × weight, rounded half-up to 2 places: the formula of applications.services."""
    total = sum(
        (Decimal(s) / Decimal(c[4]) * Decimal(c[3]) for s, c in zip(scores, rubric, strict=True)), Decimal(0)
    )
    return round2(total)


def mean_score(totals: Sequence[Decimal]) -> Decimal | None:
    return round2(sum(totals, Decimal(0)) / len(totals)) if totals else None


def make_brn(rng: random.Random, used: set[str], *, corporate: bool) -> str:
    """A unique business registration number with a valid check digit (domain brief §6.1)."""
    while True:
        kind = rng.choice(("81", "86", "87")) if corporate else f"{rng.randint(1, 79):02d}"
        nine = f"{rng.randint(101, 999)}{kind}{rng.randint(1, 9999):04d}"
        brn = nine + str(brn_check_digit(nine))
        if brn not in used:
            used.add(brn)
            return brn


def make_crn(rng: random.Random, used: set[str], region: str) -> str:
    """A unique corporate registration number (법인등록번호) of a 주식회사 (type 11) at a registry office."""
    offices = data.REGISTRY_OFFICES.get(region, ["1101", "1311"])
    while True:
        twelve = f"{rng.choice(offices)}11{rng.randint(1, 999_999):06d}"
        crn = twelve + str(crn_check_digit(twelve))
        if crn not in used:
            used.add(crn)
            return crn


def fixed_brn(first_nine: str) -> str:
    return first_nine + str(brn_check_digit(first_nine))


def fixed_crn(first_twelve: str) -> str:
    return first_twelve + str(crn_check_digit(first_twelve))


def quotas(n: int, shares: dict[str, float]) -> dict[str, int]:
    """Split n by shares (largest remainder), at least one each when n allows."""
    raw = {k: n * v / sum(shares.values()) for k, v in shares.items()}
    counts = {k: int(v) for k, v in raw.items()}
    if n >= len(shares):
        for k in counts:
            counts[k] = max(1, counts[k])
    rest = n - sum(counts.values())
    for k in sorted(raw, key=lambda k: raw[k] - int(raw[k]), reverse=True):
        if rest <= 0:
            break
        counts[k] += 1
        rest -= 1
    while rest < 0:
        k = max(counts, key=lambda k: counts[k])
        counts[k] -= 1
        rest += 1
    return counts
