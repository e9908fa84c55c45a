"""Deployed smart factories of a plan (domain brief §2–§3): one factory per completed project, the level it
reached at the final inspection, later level confirmations (수준확인) and confirmed self-built factories,
closures, outcome reports on each call's schedule, and the leading smart industrial complexes.

The rules of `factories.models` hold by construction:
- a factory for every application that reached `completed` (completed, settled, follow-up or closed),
  completed on the day of its `complete` step, recorded by whoever took that step, with its call's fiscal
  year as support year and the partner firm of its win-win agreement when it was co-funded;
- the counting rule: per workplace and completion year the first completion counts, a second one is recorded
  with `counted` off; self-built factories (one per workplace) only on workplaces without any supported
  project, so they always count;
- a workplace's level never falls: a project reaches at least the level the workplace already had, and
  later confirmations (from 2019, when 수준확인 began) raise it; level rows are written once (the table is
  append-only);
- outcome reports follow `factories.outcomes_services.report_periods` (yearly, three times, due 30 days
  after each period); a report can only have been submitted after its period ended; reports due after a
  factory closed were never asked for.

Nothing in the planning half touches the database; it draws from its own seeded random source, so the
rest of a plan does not depend on it. The writing half loads it with COPY.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from demo.seed import bulk
from demo.seed.money import add_months
from demo.seed.records import HOUR, MINUTE, Picker, S, kst_time, rand_between
from demo.seed.state import GeneratorState
from demo.seed.writer import KOSMO, Writer
from factories.aggregates import aggregate_import
from factories.models import (
    ClosureReason,
    ComplexWorkplace,
    ConfirmationKind,
    Factory,
    FactoryOrigin,
    HistoricalAggregate,
    IndustrialComplex,
    LevelConfirmation,
    OutcomeReport,
    OutcomeSchedule,
    OutcomeStatus,
)

# Applications that passed their final inspection and completed.
COMPLETED = frozenset({S.COMPLETED.value, S.SETTLED.value, S.FOLLOW_UP.value, S.CLOSED.value})
LEVELS = ("L1", "L2", "L3", "L4", "L5")
RANK = {code: n for n, code in enumerate(LEVELS, start=1)}
# The reporting schedule every call gets (the default of factories.outcomes_services).
REPORTS, INTERVAL_MONTHS, DUE_DAYS = 3, 12, 30
LEVEL_CONFIRMATION_FROM = dt.date(2019, 3, 19)  # MSS's first 수준확인 (domain brief §2.3)
KOSMO_LAUNCH = dt.date(2019, 7, 2)
INSPECTING_BODY = KOSMO[0]
EARLIER_INSPECTING_BODY = "민관합동 스마트공장 추진단"  # before KOSMO (2015–2019)
CONFIRMING_BODIES = (  # name, certificate prefix, weight
    ("한국표준협회", "KSA", 5),
    ("한국생산성본부", "KPC", 4),
    ("한국능률협회컨설팅", "KMAC", 2),
)
CLOSURE_SHARE = 1_321 / 35_282  # closed since 2014 of all supported (domain brief §3.1)
CLOSURE_REASONS = (
    (ClosureReason.BUSINESS_CLOSED.value, 0.55, "폐업 신고 확인 (국세청 휴폐업 조회)"),
    (ClosureReason.LEFT_PROGRAM.value, 0.2, "사후관리 기간 중 사업 참여 포기서 제출"),
    (ClosureReason.RELOCATED.value, 0.17, "사업장 이전으로 구축 설비 철거 확인"),
    (ClosureReason.OTHER.value, 0.08, "구축 시스템 미운영 확인 (현장점검)"),
)
SELF_BUILT_SHARE = 0.06  # confirmed self-built factories per supported one (private-led, domain brief §3.2)
UPGRADE_SHARE = 0.09  # supported factories whose workplace later confirms a higher level
RECONFIRM_SHARE = 0.03  # … or has its level confirmed again without change
RETURN_NOTES = (
    "불량률 산정 기준(ppm/%)이 기준값과 다릅니다. 같은 기준으로 다시 입력해 주세요.",
    "매출액이 재무제표와 일치하지 않습니다. 증빙 자료와 함께 보완해 주세요.",
    "측정 기간의 근로자 수가 고용보험 가입자 수와 다릅니다. 확인 후 다시 제출해 주세요.",
)
ACCEPT_NOTES = ("", "", "", "증빙 확인 완료", "현장 확인 결과와 일치")
OUTCOME_NOTES = (
    "",
    "",
    "MES 도입 후 작업일보 전산화로 집계 시간이 단축되었습니다.",
    "설비 가동률 모니터링으로 비가동 시간이 줄었습니다.",
    "품질 이력 추적으로 고객 클레임이 감소했습니다.",
)

# Leading smart industrial complexes (선도 스마트산단, from the 2018 plan; target 10): name, English name,
# region, designated on, operator, share of the region's workplaces inside it.
KICOX = "한국산업단지공단"
COMPLEXES: tuple[tuple[str, str, str, dt.date | None, str, float], ...] = (
    (
        "창원국가산업단지",
        "Changwon National Industrial Complex",
        "gyeongnam",
        dt.date(2019, 2, 28),
        KICOX,
        0.3,
    ),
    (
        "반월시화국가산업단지",
        "Banwol-Sihwa National Industrial Complex",
        "gyeonggi",
        dt.date(2019, 2, 28),
        KICOX,
        0.15,
    ),
    ("남동국가산업단지", "Namdong National Industrial Complex", "incheon", dt.date(2020, 7, 15), KICOX, 0.35),
    ("구미국가산업단지", "Gumi National Industrial Complex", "gyeongbuk", dt.date(2020, 7, 15), KICOX, 0.35),
    (
        "광주첨단과학산업단지",
        "Gwangju Advanced Science Industrial Complex",
        "gwangju",
        dt.date(2020, 7, 15),
        KICOX,
        0.3,
    ),
    (
        "대구성서산업단지",
        "Daegu Seongseo Industrial Complex",
        "daegu",
        dt.date(2020, 7, 15),
        "성서산업단지관리공단",
        0.4,
    ),
    ("여수국가산업단지", "Yeosu National Industrial Complex", "jeonnam", dt.date(2020, 7, 15), KICOX, 0.25),
    (
        "부산녹산국가산업단지",
        "Busan Noksan National Industrial Complex",
        "busan",
        dt.date(2021, 3, 24),
        KICOX,
        0.3,
    ),
    (
        "울산미포국가산업단지",
        "Ulsan Mipo National Industrial Complex",
        "ulsan",
        dt.date(2021, 3, 24),
        KICOX,
        0.35,
    ),
    ("익산국가산업단지", "Iksan National Industrial Complex", "jeonbuk", dt.date(2022, 5, 11), KICOX, 0.2),
    (
        "오송생명과학국가산업단지",
        "Osong Bioscience National Industrial Complex",
        "chungbuk",
        None,
        "충청북도",
        0.15,
    ),
    ("군산국가산업단지", "Gunsan National Industrial Complex", "jeonbuk", None, KICOX, 0.15),
)
COMPLEX_DESCRIPTION = (
    "스마트 산단 선도 프로젝트 대상 산업단지. 공동 데이터센터·스마트 물류·제조혁신 지원을 받습니다. "
    "(A leading smart industrial complex: shared data center, smart logistics and manufacturing "
    "innovation support.)"
)
UNDESIGNATED_DESCRIPTION = "선도 스마트산단 지정 대기 (Not designated as a leading smart complex yet)"
AGGREGATES_CSV = Path(__file__).resolve().parent.parent / "data" / "historical_deployments.csv"


# --- records ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class PFactory:
    idx: int
    workplace: int
    company: int
    region: str
    ksic: str
    origin: str
    completed_on: dt.date
    level: str
    created_by: int  # a plan actor (index into Plan.staff)
    created_at: dt.datetime
    app: int | None = None
    call: int | None = None
    program_type: str = ""
    partner: int | None = None  # index into Plan.partners
    support_year: int | None = None
    counted: bool = True
    closed_on: dt.date | None = None
    closure_reason: str = ""
    closure_note: str = ""
    closed_by: int | None = None


@dataclass(slots=True)
class PConfirmation:
    workplace: int
    level: str
    confirmed_on: dt.date
    kind: str
    body: str
    recorded_by: int
    recorded_at: dt.datetime
    factory: int | None = None
    certificate: str = ""
    self_built: bool = False
    note: str = ""


# The measures in OutcomeReport's field order: (before, after) per measure.
OUTCOME_FIELDS = tuple(
    f"{stem}_{when}"
    for stem in ("productivity", "defect_rate", "cost", "on_time_delivery", "sales", "employees", "accidents")
    for when in ("before", "after")
)


@dataclass(slots=True)
class PReport:
    factory: int
    sequence: int
    period_start: dt.date
    period_end: dt.date
    due_on: dt.date
    created_at: dt.datetime
    status: str = OutcomeStatus.DUE.value
    values: tuple[object, ...] | None = None  # in OUTCOME_FIELDS order
    note: str = ""
    submitted_by: int | None = None  # a plan actor (negative: the company's SME user)
    submitted_at: dt.datetime | None = None
    reviewed_by: int | None = None
    reviewed_at: dt.datetime | None = None
    review_note: str = ""
    reminded_at: dt.datetime | None = None

    @property
    def open(self) -> bool:
        """Still to be filed by the SME (overdue once its due date has passed)."""
        return self.status in (OutcomeStatus.DUE, OutcomeStatus.RETURNED)


class Baseline(NamedTuple):
    """A factory's values before its project (the `_before` of every report)."""

    productivity: Decimal  # output per hour
    defect_rate: Decimal  # per cent
    cost: int  # KRW a year
    on_time: Decimal  # per cent
    sales: int  # KRW a year
    employees: int
    accidents: int  # a year


@dataclass(slots=True)
class PComplex:
    name_ko: str
    name_en: str
    region: str
    designated_on: dt.date | None
    operator: str
    members: list[int] = field(default_factory=list)  # workplace indexes


@dataclass
class DeploymentPlan:
    factories: list[PFactory] = field(default_factory=list)
    confirmations: list[PConfirmation] = field(default_factory=list)
    reports: list[PReport] = field(default_factory=list)
    complexes: list[PComplex] = field(default_factory=list)


# --- planning --------------------------------------------------------------------------------------------


def reached_level(rng: random.Random, target: str, year: int) -> str:
    """The level a project reaches at its final inspection: a basic project L1–L2 (more often L2 in later
    years), an upgrade 1 project (고도화1 = 중간1) mostly L3, an upgrade 2 project mostly L4, L5 rarely and
    only lately."""
    r = rng.random()
    if target == "basic":
        l2 = min(0.8, 0.45 + 0.03 * (year - 2014))
        return "L2" if r < l2 else ("L1" if r < 0.97 else "L3")
    if target == "advanced1":  # some are rated a level short at the final inspection (domain brief §2.1)
        return "L3" if r < 0.78 else ("L2" if r < 0.95 else "L4")
    l5 = 0.04 if year >= 2023 else 0.0  # no factory had reached 고도화 by 2020 (domain brief §2.1)
    return "L5" if r < l5 else ("L4" if r < 0.8 else "L3")


class FactoryGenerator(GeneratorState):
    """Plans the factories, level confirmations, closures, outcome reports and complexes."""

    def deployments(self) -> DeploymentPlan:
        rng = random.Random(f"factories:{self.seed}")
        self.frng = rng
        self.deployment = DeploymentPlan()
        self.supported_factories(rng)
        self.self_built(rng)
        self.closures(rng)
        self.plan_outcome_reports(rng)
        self.complexes(rng)
        return self.deployment

    def plan_official(self, rng: random.Random) -> int:
        return self.officials[int(rng.random() * len(self.officials))]

    def plan_officer(self, rng: random.Random, region: str) -> int:
        officers = self.officers_by_region[region]
        return officers[int(rng.random() * len(officers))]

    def supported_factories(self, rng: random.Random) -> None:
        """A factory per completed project, its final-inspection level, and later confirmations, walked
        per workplace in order so that the level never falls and the first completion of a year counts."""
        d = self.deployment
        by_workplace: dict[int, list[tuple[dt.datetime, int, str]]] = defaultdict(list)
        for app in self.apps:
            if app.status in COMPLETED:
                step = next(s for s in app.path if s[0] == "complete")
                by_workplace[app.workplace].append((step[3], app.idx, str(step[4])))
        bodies = Picker(CONFIRMING_BODIES, [w for _n, _p, w in CONFIRMING_BODIES])
        self.certificates: Counter[tuple[str, int]] = Counter()
        forced = {
            self.demo_apps.get("sme_closed"): "L2",  # 한빛정밀 본사공장 applies for upgrade 1 from L2 in 2026
            self.demo_apps.get("sme2_follow_up"): "L3",  # 대성금속 applies for upgrade 2 from L3
        }
        for workplace_idx in sorted(by_workplace):
            completions = sorted(by_workplace[workplace_idx])
            workplace = self.workplaces[workplace_idx]
            current = ""
            counted_years: set[int] = set()
            for n, (at, app_idx, actor) in enumerate(completions):
                app = self.apps[app_idx]
                call = self.calls[app.call]
                day = at.date()
                level = forced.get(app.idx) or reached_level(rng, app.target_level, day.year)
                if current and RANK[current] > RANK[level]:
                    level = current
                factory = PFactory(
                    idx=len(d.factories),
                    workplace=workplace_idx,
                    company=app.company,
                    region=workplace.region,
                    ksic=workplace.ksic,
                    origin=FactoryOrigin.SUPPORTED.value,
                    completed_on=day,
                    level=level,
                    created_by=int(actor),
                    created_at=at,
                    app=app.idx,
                    call=call.idx,
                    program_type=call.program_type,
                    partner=self.agreements[app.agreement].partner if app.agreement is not None else None,
                    support_year=call.fiscal_year,
                    counted=day.year not in counted_years,
                )
                counted_years.add(day.year)
                d.factories.append(factory)
                d.confirmations.append(
                    PConfirmation(
                        workplace=workplace_idx,
                        level=level,
                        confirmed_on=day,
                        kind=ConfirmationKind.FINAL_INSPECTION.value,
                        body=INSPECTING_BODY if day >= KOSMO_LAUNCH else EARLIER_INSPECTING_BODY,
                        recorded_by=int(actor),
                        recorded_at=at,
                        factory=factory.idx,
                        note=f"최종점검 통과: {app.title}",
                    )
                )
                current = level
                if app.idx in forced:
                    continue  # the demo companies' levels stay as their 2026 applications state them
                # A later level confirmation, before the workplace's next completion.
                nxt = completions[n + 1][0].date() if n + 1 < len(completions) else self.today
                earliest = max(day + dt.timedelta(days=180), LEVEL_CONFIRMATION_FROM)
                latest = nxt - dt.timedelta(days=30)
                r = rng.random()
                if earliest >= latest or r >= UPGRADE_SHARE + RECONFIRM_SHARE:
                    continue
                upgrade = r < UPGRADE_SHARE and current != "L5"
                if upgrade and current == "L4" and rng.random() < 0.7:
                    continue  # L5 stays rare
                new_level = LEVELS[RANK[current]] if upgrade else current
                confirmed = earliest + dt.timedelta(days=int(rng.random() * (latest - earliest).days))
                d.confirmations.append(
                    self.confirmation(rng, bodies, workplace_idx, new_level, confirmed, factory)
                )
                current = new_level

    def confirmation(
        self,
        rng: random.Random,
        bodies: Picker,
        workplace: int,
        level: str,
        confirmed: dt.date,
        factory: PFactory,
        *,
        self_built: bool = False,
    ) -> PConfirmation:
        """A level confirmation (수준확인) by an accredited body, recorded by a KOSMO official a few days
        later, with the body's certificate number."""
        name, prefix, _weight = bodies.pick(rng)
        self.certificates[(prefix, confirmed.year)] += 1
        number = f"{prefix}-{confirmed.year}-{self.certificates[(prefix, confirmed.year)]:05d}"
        recorded = kst_time(confirmed + dt.timedelta(days=rng.randint(1, 10)), 10, rng.randint(0, 59))
        recorded = min(recorded, self.cutoff - HOUR)
        if self_built:
            note = "민간 자체구축 스마트공장 수준확인 (confirmed self-built)"
        elif level != factory.level:
            note = f"수준확인 결과 {factory.level} → {level} 상향 (level raised)"
        else:
            note = f"수준확인 결과 {level} 유지 (level confirmed again)"
        return PConfirmation(
            workplace=workplace,
            level=level,
            confirmed_on=confirmed,
            kind=ConfirmationKind.LEVEL_CONFIRMATION.value,
            body=name,
            recorded_by=self.plan_official(rng),
            recorded_at=recorded,
            factory=factory.idx,
            certificate=number,
            self_built=self_built,
            note=note,
        )

    def self_built(self, rng: random.Random) -> None:
        """Confirmed self-built factories (민간 자체구축) on workplaces that never had a supported project,
        confirmed from 2019 on; some of them confirm a higher level later."""
        d = self.deployment
        supported = {a.workplace for a in self.apps if a.status in COMPLETED or a.at_of("select") is not None}
        candidates = [
            w
            for w in self.workplaces
            if w.idx not in supported
            and not self.companies[w.company].demo
            and w.created_at is not None
            and w.created_at.date() < self.today - dt.timedelta(days=60)
        ]
        wanted = min(len(candidates), max(3, round(len(d.factories) * SELF_BUILT_SHARE)))
        bodies = Picker(CONFIRMING_BODIES, [w for _n, _p, w in CONFIRMING_BODIES])
        levels = Picker(LEVELS, [5, 35, 45, 13, 2])
        for workplace in sorted(rng.sample(candidates, wanted), key=lambda w: w.idx):
            assert workplace.created_at is not None  # noqa: S101 - filtered above
            earliest = max(LEVEL_CONFIRMATION_FROM, workplace.created_at.date() + dt.timedelta(days=1))
            latest = self.today - dt.timedelta(days=20)
            # Later years confirm more (914 in 2019 → 1,409 in 2020 and rising).
            span = (latest - earliest).days
            confirmed = earliest + dt.timedelta(days=int(span * rng.random() ** 0.7))
            factory = PFactory(
                idx=len(d.factories),
                workplace=workplace.idx,
                company=workplace.company,
                region=workplace.region,
                ksic=workplace.ksic,
                origin=FactoryOrigin.SELF_BUILT.value,
                completed_on=confirmed,
                level=levels.pick(rng),
                created_by=0,
                created_at=self.cutoff,
            )
            row = self.confirmation(
                rng, bodies, workplace.idx, factory.level, confirmed, factory, self_built=True
            )
            factory.created_by, factory.created_at = row.recorded_by, row.recorded_at
            d.factories.append(factory)
            d.confirmations.append(row)
            # An upgrade confirmed later on (the factory itself stays one: later confirmations add levels).
            later = confirmed + dt.timedelta(days=365)
            if factory.level in ("L2", "L3") and later < latest and rng.random() < 0.25:
                confirmed = later + dt.timedelta(days=int(rng.random() * (latest - later).days))
                level = LEVELS[RANK[factory.level]]
                d.confirmations.append(
                    self.confirmation(rng, bodies, workplace.idx, level, confirmed, factory)
                )

    def closures(self, rng: random.Random) -> None:
        """About 4% of the supported factories closed (domain brief §3.1): the company's last factory, after
        the last thing the company did in the program."""
        d = self.deployment
        last_activity: dict[int, dt.datetime] = {}
        for app in self.apps:
            times = [app.created_at, *(s[3] for s in app.path)]
            last_activity[app.company] = max(last_activity.get(app.company, app.created_at), *times)
        last_factory: dict[int, PFactory] = {}
        for factory in d.factories:
            if factory.origin == FactoryOrigin.SUPPORTED:
                last_factory[factory.workplace] = factory
        reasons = Picker(CLOSURE_REASONS, [share for _r, share, _n in CLOSURE_REASONS])
        candidates = []
        for factory in last_factory.values():
            if self.companies[factory.company].demo:
                continue
            earliest = max(
                factory.completed_on + dt.timedelta(days=200),
                last_activity[factory.company].date() + dt.timedelta(days=30),
            )
            if earliest < self.today - dt.timedelta(days=30):
                candidates.append((factory, earliest))
        supported = sum(1 for f in d.factories if f.origin == FactoryOrigin.SUPPORTED)
        wanted = min(len(candidates), max(2, round(supported * CLOSURE_SHARE)))
        for factory, earliest in sorted(rng.sample(candidates, wanted), key=lambda c: c[0].idx):
            span = (self.today - dt.timedelta(days=10) - earliest).days
            factory.closed_on = earliest + dt.timedelta(days=int(rng.random() * span))
            factory.closure_reason, _share, factory.closure_note = reasons.pick(rng)
            factory.closed_by = (
                self.plan_officer(rng, factory.region) if rng.random() < 0.6 else self.plan_official(rng)
            )

    def plan_outcome_reports(self, rng: random.Random) -> None:
        """The scheduled reports of every supported factory and what became of them by today."""
        d = self.deployment
        today = self.today
        for factory in d.factories:
            if factory.origin != FactoryOrigin.SUPPORTED:
                continue
            baseline = self.baseline(rng, factory)
            for k in range(1, REPORTS + 1):
                start = add_months(factory.completed_on, (k - 1) * INTERVAL_MONTHS)
                last = add_months(factory.completed_on, k * INTERVAL_MONTHS) - dt.timedelta(days=1)
                due = last + dt.timedelta(days=DUE_DAYS)
                if factory.closed_on is not None and due > factory.closed_on:
                    break  # not asked for once the factory closed
                report = PReport(factory.idx, k, start, last, due, factory.created_at)
                d.reports.append(report)
                if last >= today:
                    continue  # the period has not ended: due
                age = (today - due).days
                r = rng.random()
                if age < 0:  # the period ended, the report is not due yet
                    status = "submitted" if r < 0.3 else ("accepted" if r < 0.35 else "due")
                elif age <= 120:
                    status = (
                        "accepted"
                        if r < 0.45
                        else "submitted"
                        if r < 0.7
                        else "returned"
                        if r < 0.78
                        else "due"
                    )
                else:
                    status = (
                        "accepted"
                        if r < 0.93
                        else "returned"
                        if r < 0.945
                        else "submitted"
                        if r < 0.96
                        else "due"
                    )
                self.report_outcome(rng, factory, report, status, baseline)
        self.demo_reports(rng)
        # The reminder task sends one reminder per overdue report: the older ones have had theirs, the
        # ones overdue for less than two weeks (at least a few) have not yet.
        overdue = sorted((r for r in d.reports if r.open and r.due_on < today), key=lambda r: r.due_on)
        fresh = {id(r) for r in overdue if (today - r.due_on).days <= 14} | {id(r) for r in overdue[-3:]}
        for report in overdue:
            if id(report) not in fresh:
                reminded = kst_time(report.due_on + dt.timedelta(days=1), 9, 5)
                if report.reviewed_at is not None:  # returned after its due date: reminded the next morning
                    reminded = max(reminded, kst_time(report.reviewed_at.date() + dt.timedelta(days=1), 9, 5))
                report.reminded_at = min(reminded, self.cutoff - MINUTE)

    def baseline(self, rng: random.Random, factory: PFactory) -> Baseline:
        """The factory's values before its project."""
        company = self.companies[factory.company]
        sales = company.revenue_krw // 1_000_000 * 1_000_000
        return Baseline(
            productivity=round(Decimal(rng.uniform(40, 400)), 2),
            defect_rate=round(Decimal(rng.uniform(1.0, 8.0)), 2),
            cost=int(sales * rng.uniform(0.6, 0.85)) // 1_000_000 * 1_000_000,
            on_time=round(Decimal(rng.uniform(76, 94)), 2),
            sales=sales,
            employees=company.employees,
            accidents=min(int(rng.expovariate(0.7)), 9),
        )

    def report_outcome(
        self, rng: random.Random, factory: PFactory, report: PReport, status: str, base: Baseline
    ) -> None:
        """Values, submission and review of a report that is past its period."""
        report.status = status
        if status == OutcomeStatus.DUE:
            return
        productivity, defect, cost, on_time, sales, employees, accidents = base
        ramp = (0.8, 1.0, 1.1)[report.sequence - 1]
        gain = rng.uniform(0.18, 0.32) * ramp
        sales_after = int(
            sales * (1 + (rng.uniform(0.03, 0.12) if rng.random() < 0.88 else -rng.uniform(0, 0.05)))
        )
        report.values = (
            productivity,
            round(productivity * Decimal(1 + gain), 2),
            defect,
            round(defect * Decimal(1 - rng.uniform(0.28, 0.42) * ramp), 2),
            cost,
            int(cost * (1 - rng.uniform(0.1, 0.2) * ramp)) // 1_000_000 * 1_000_000,
            on_time,
            min(
                Decimal("99.90"), round(on_time + (100 - on_time) * Decimal(rng.uniform(0.3, 0.6) * ramp), 2)
            ),
            sales,
            sales_after // 1_000_000 * 1_000_000,
            employees,
            employees + round(employees * rng.uniform(0, 0.06)),
            accidents,
            max(0, accidents - rng.randint(0, accidents)),
        )
        report.note = rng.choice(OUTCOME_NOTES)
        report.submitted_by = -factory.company - 1
        ended = kst_time(report.period_end + dt.timedelta(days=1), 9)
        late = rng.random() < 0.12 and status != OutcomeStatus.SUBMITTED
        deadline = kst_time(report.due_on + dt.timedelta(days=rng.randint(5, 40) if late else 0), 18)
        report.submitted_at = rand_between(rng, ended, min(deadline, self.cutoff - 2 * HOUR))
        if status == OutcomeStatus.SUBMITTED:
            return
        reviewer = self.plan_officer(rng, factory.region) if rng.random() < 0.7 else self.plan_official(rng)
        report.reviewed_by = reviewer
        reviewed = report.submitted_at + dt.timedelta(days=rng.uniform(2, 40))
        report.reviewed_at = min(reviewed, self.cutoff - HOUR + MINUTE * rng.randint(0, 50))
        if report.reviewed_at <= report.submitted_at:
            report.reviewed_at = report.submitted_at + MINUTE
        report.review_note = (
            rng.choice(RETURN_NOTES) if status == OutcomeStatus.RETURNED else rng.choice(ACCEPT_NOTES)
        )

    def demo_reports(self, rng: random.Random) -> None:
        """The `sme` login's factory (한빛정밀 본사공장, completed from its 2021 project): its first report
        accepted, its last one overdue and waiting to be submitted."""
        app_idx = self.demo_apps.get("sme_closed")
        d = self.deployment
        factory = next((f for f in d.factories if f.app is not None and f.app == app_idx), None)
        if factory is None:
            return
        mine = [r for r in d.reports if r.factory == factory.idx]
        ended = [r for r in mine if r.period_end < self.today]
        if not ended:
            return
        baseline = self.baseline(rng, factory)
        self.report_outcome(rng, factory, ended[0], OutcomeStatus.ACCEPTED.value, baseline)
        for report in ended[1:-1]:
            self.report_outcome(rng, factory, report, OutcomeStatus.ACCEPTED.value, baseline)
        if len(ended) > 1:
            last = ended[-1]
            last.status, last.values, last.note = OutcomeStatus.DUE.value, None, ""
            last.submitted_by = last.submitted_at = last.reviewed_by = last.reviewed_at = None
            last.review_note = ""

    def complexes(self, rng: random.Random) -> None:
        """The complexes and the workplaces inside them: a share of each region's workplaces (workplaces
        with a factory a little more often), at least one where the region has any."""
        d = self.deployment
        with_factory = {f.workplace for f in d.factories}
        by_region: dict[str, list[int]] = defaultdict(list)
        for n, (_ko, _en, region, _on, _op, _share) in enumerate(COMPLEXES):
            by_region[region].append(n)
        complexes = [PComplex(ko, en, region, on, op) for ko, en, region, on, op, _share in COMPLEXES]
        taken: set[int] = set()
        for workplace in self.workplaces:
            options = by_region.get(workplace.region)
            if not options:
                continue
            r = rng.random() * (0.8 if workplace.idx in with_factory else 1.2)
            for n in options:
                share = COMPLEXES[n][5]
                if r < share:
                    complexes[n].members.append(workplace.idx)
                    taken.add(workplace.idx)
                    break
                r -= share
        for n, cx in enumerate(complexes):
            if cx.members:
                continue
            free = [w.idx for w in self.workplaces if w.region == cx.region and w.idx not in taken]
            preferred = [w for w in free if w in with_factory] or free
            if preferred:
                chosen = preferred[int(rng.random() * len(preferred))]
                complexes[n].members.append(chosen)
                taken.add(chosen)
        d.complexes = complexes


# --- writing ---------------------------------------------------------------------------------------------

# Tables written here with COPY (their audit triggers are set aside while they load).
DEPLOYMENT_TABLES = [Factory, LevelConfirmation, OutcomeReport]
SEQUENCED_DEPLOYMENTS = [
    OutcomeSchedule,
    Factory,
    LevelConfirmation,
    OutcomeReport,
    IndustrialComplex,
    ComplexWorkplace,
    HistoricalAggregate,
]


class FactoryWriter(Writer):
    """Writes the reporting schedules, factories, level confirmations, outcome reports and complexes."""

    def schedules(self) -> int:
        first = bulk.next_id(OutcomeSchedule)
        return bulk.copy_rows(
            OutcomeSchedule,
            ("id", "call_id", "reports", "interval_months", "due_days"),
            (
                (first + n, self.call_ids[call.idx], REPORTS, INTERVAL_MONTHS, DUE_DAYS)
                for n, call in enumerate(self.plan.calls)
            ),
        )

    def factories(self) -> int:
        plan = self.plan
        d = plan.deployment
        ref = self.ref
        actor = self.staff_actor
        first = bulk.next_id(Factory)
        self.factory_ids = [first + f.idx for f in d.factories]
        partner_org = {p.idx: self.orgs[f"partner:{p.idx}"].pk for p in plan.partners}
        return bulk.copy_rows(
            Factory,
            (
                "id",
                "workplace_id",
                "company_id",
                "region_id",
                "ksic_id",
                "origin",
                "application_id",
                "call_id",
                "program_type",
                "partner_id",
                "support_year",
                "completed_on",
                "completion_year",
                "level_id",
                "counted",
                "closed_on",
                "closure_reason",
                "closure_note",
                "closed_by_id",
                "created_by_id",
                "created_at",
            ),
            (
                (
                    self.factory_ids[f.idx],
                    self.workplace_ids[f.workplace],
                    self.company_ids[f.company],
                    ref.regions[f.region].pk,
                    ref.ksic[f.ksic].pk,
                    f.origin,
                    self.app_ids[f.app] if f.app is not None else None,
                    self.call_ids[f.call] if f.call is not None else None,
                    f.program_type,
                    partner_org[f.partner] if f.partner is not None else None,
                    f.support_year,
                    f.completed_on,
                    f.completed_on.year,
                    ref.levels[f.level].pk,
                    f.counted,
                    f.closed_on,
                    f.closure_reason,
                    f.closure_note if f.closed_on else "",
                    actor(f.closed_by) if f.closed_by is not None else None,
                    actor(f.created_by),
                    f.created_at,
                )
                for f in d.factories
            ),
        )

    def level_confirmations(self) -> int:
        d = self.plan.deployment
        ref = self.ref
        actor = self.staff_actor
        rows = sorted(d.confirmations, key=lambda c: (c.recorded_at, c.workplace))
        first = bulk.next_id(LevelConfirmation)
        return bulk.copy_rows(
            LevelConfirmation,
            (
                "id",
                "workplace_id",
                "level_id",
                "confirmed_on",
                "kind",
                "confirming_body",
                "certificate_number",
                "self_built",
                "factory_id",
                "note",
                "recorded_by_id",
                "recorded_at",
            ),
            (
                (
                    first + n,
                    self.workplace_ids[c.workplace],
                    ref.levels[c.level].pk,
                    c.confirmed_on,
                    c.kind,
                    c.body,
                    c.certificate,
                    c.self_built,
                    self.factory_ids[c.factory] if c.factory is not None else None,
                    c.note,
                    actor(c.recorded_by),
                    c.recorded_at,
                )
                for n, c in enumerate(rows)
            ),
        )

    def outcome_reports(self) -> int:
        d = self.plan.deployment
        actor = self.staff_actor
        first = bulk.next_id(OutcomeReport)
        empty = (None,) * len(OUTCOME_FIELDS)

        def rows() -> Iterator[tuple[object, ...]]:
            for n, r in enumerate(d.reports):
                yield (
                    first + n,
                    self.factory_ids[r.factory],
                    r.sequence,
                    r.period_start,
                    r.period_end,
                    r.due_on,
                    r.status,
                    *(r.values or empty),
                    r.note,
                    actor(r.submitted_by) if r.submitted_by is not None else None,
                    r.submitted_at,
                    actor(r.reviewed_by) if r.reviewed_by is not None else None,
                    r.reviewed_at,
                    r.review_note,
                    r.reminded_at,
                    r.created_at,
                )

        return bulk.copy_rows(
            OutcomeReport,
            (
                "id",
                "factory_id",
                "sequence",
                "period_start",
                "period_end",
                "due_on",
                "status",
                *OUTCOME_FIELDS,
                "note",
                "submitted_by_id",
                "submitted_at",
                "reviewed_by_id",
                "reviewed_at",
                "review_note",
                "reminded_at",
                "created_at",
            ),
            rows(),
        )

    def complexes(self) -> int:
        d = self.plan.deployment
        ref = self.ref
        first = bulk.next_id(IndustrialComplex)
        launch = kst_time(dt.date(2019, 1, 10), 9)
        bulk.copy_rows(
            IndustrialComplex,
            (
                "id",
                "name_ko",
                "name_en",
                "region_id",
                "designated_on",
                "operator",
                "description",
                "created_at",
            ),
            (
                (
                    first + n,
                    cx.name_ko,
                    cx.name_en,
                    ref.regions[cx.region].pk,
                    cx.designated_on,
                    cx.operator,
                    COMPLEX_DESCRIPTION if cx.designated_on else UNDESIGNATED_DESCRIPTION,
                    launch,
                )
                for n, cx in enumerate(d.complexes)
            ),
        )
        member0 = bulk.next_id(ComplexWorkplace)
        members = [
            (first + n, w, max(launch, kst_time(cx.designated_on or dt.date(2019, 1, 10), 11)))
            for n, cx in enumerate(d.complexes)
            for w in cx.members
        ]
        bulk.copy_rows(
            ComplexWorkplace,
            ("id", "complex_id", "workplace_id", "added_at"),
            (
                (member0 + n, complex_id, self.workplace_ids[w], at)
                for n, (complex_id, w, at) in enumerate(members)
            ),
        )
        return len(d.complexes)

    def historical_aggregates(self) -> int:
        """The history before the system's records (demo/data/historical_deployments.csv), imported as the
        ministry would: through `factories.aggregates.aggregate_import` by the demo official, with a batch
        id and import time fixed by the seed. Skipped when the file is not there."""
        if not AGGREGATES_CSV.exists():
            self.log("  (historical_deployments.csv 없음 / not found: no historical aggregates loaded)")
            return 0
        official = self.users["official"]
        data = AGGREGATES_CSV.read_bytes()
        batch = uuid.UUID(int=random.Random(f"aggregates:{self.plan.seed}").getrandbits(128), version=4)
        imported = kst_time(dt.date(2019, 7, 15), 10)
        before = bulk.next_id(HistoricalAggregate)
        aggregate_import(actor=official, data=data, filename=AGGREGATES_CSV.name)
        return HistoricalAggregate.objects.filter(pk__gte=before).update(batch=batch, imported_at=imported)

    def sync_deployments(self) -> None:
        """Move the id sequences of these tables past the ids written here."""
        bulk.sync_sequences(SEQUENCED_DEPLOYMENTS)
