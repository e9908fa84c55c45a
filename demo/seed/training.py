"""Workforce training toward the 100,000 target (domain brief §5): KOSME's Smart Factory 배움터, Korea
Polytechnics' Learning Factories and KICOX's Smart Labs, their courses, and a cohort of each course every
quarter since the provider opened, with enrolled and completed counts.

The completions add up, year by year, to the national figures: about 71,000 trained by the end of 2021
and 100,000 with 2022 (`Scale.trained_by_2022`; a tenth of that at small scale), then fewer a year. A
cohort is counted in the year it ends; one still running has completed nobody yet. Nothing in the
planning half touches the database; it draws from its own seeded random source.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from core import services as core_services
from core.models import Organisation
from core.roles import OrganisationKind, Role
from demo.seed import bulk
from demo.seed.records import HOUR, Scale, kst_time
from demo.seed.writer import Writer
from training.models import CourseLevel, ProviderKind, TrainingCohort, TrainingCourse, TrainingProvider

# Completions per year, as shares of those trained by the end of 2022 (2017–2022 add up to 1).
YEAR_SHARES = {
    2017: 0.02,
    2018: 0.06,
    2019: 0.14,
    2020: 0.21,
    2021: 0.28,
    2022: 0.29,
    2023: 0.19,
    2024: 0.18,
    2025: 0.17,
    2026: 0.16,
}
B, A, E = CourseLevel.BASIC.value, CourseLevel.ADVANCED.value, CourseLevel.EXPERT.value
# title_ko, title_en, level, hours, days the course runs, weight (share of the provider's trainees)
Course = tuple[str, str, str, int, int, float]
CENTER_COURSES: list[Course] = [
    ("스마트공장 입문 (MES·POP 운영 실무)", "Smart factory basics: running MES and POP", B, 16, 2, 4.0),
    ("설비 데이터 수집·PLC 연동 실습", "Collecting equipment data and PLC integration", A, 40, 5, 2.0),
    ("제조 데이터 분석과 품질 예측", "Manufacturing data analysis and quality prediction", A, 40, 5, 1.5),
    ("제조 AI 적용 실무", "Applying AI in manufacturing", E, 80, 10, 0.6),
    (
        "스마트공장 구축·운영 전문가 (장기과정)",
        "Smart factory build and operation expert (long course)",
        E,
        160,
        40,
        0.3,
    ),
]
FACTORY_COURSES: list[Course] = [
    ("러닝팩토리 자동화 라인 운영", "Running the Learning Factory's automated line", B, 24, 3, 3.0),
    ("협동로봇·비전 검사 실습", "Collaborative robots and vision inspection", A, 40, 5, 2.0),
    ("스마트 공정 설계·시뮬레이션", "Designing and simulating smart processes", A, 60, 8, 1.0),
    (
        "재직자 스마트공장 직무전환 과정",
        "Job conversion to smart-factory work for employees",
        E,
        320,
        60,
        0.4,
    ),
]
LAB_COURSES: list[Course] = [
    ("스마트랩 IoT 센서 실습", "Smart Lab IoT sensor practice", B, 16, 2, 3.0),
    ("디지털 트윈 기반 공정 최적화", "Process optimisation with a digital twin", A, 40, 5, 1.5),
    ("산학연계 스마트제조 프로젝트", "University–industry smart manufacturing project", E, 120, 30, 0.5),
]


@dataclass(frozen=True)
class ProviderSpec:
    key: str
    name_ko: str
    name_en: str
    kind: str
    region: str
    opened: dt.date
    weight: float  # share of the trainees of a year among the providers open that year
    courses: list[Course]
    staff: str  # the provider's training manager who records the cohorts
    username: str = ""


PROVIDERS = [
    ProviderSpec(
        "ansan",
        "스마트공장 배움터 안산",
        "Smart Factory Learning Center Ansan (KOSME)",
        ProviderKind.LEARNING_CENTER,
        "gyeonggi",
        dt.date(2017, 3, 6),
        6.0,
        CENTER_COURSES,
        "한도윤 매니저",
        "trainer",
    ),
    ProviderSpec(
        "jeonju",
        "스마트공장 배움터 전주",
        "Smart Factory Learning Center Jeonju (KOSME, CAMTIC)",
        ProviderKind.LEARNING_CENTER,
        "jeonbuk",
        dt.date(2020, 1, 14),
        3.0,
        CENTER_COURSES,
        "송민재 매니저",
    ),
    ProviderSpec(
        "changwon",
        "스마트공장 배움터 창원",
        "Smart Factory Learning Center Changwon (KOSME)",
        ProviderKind.LEARNING_CENTER,
        "gyeongnam",
        dt.date(2020, 1, 15),
        3.0,
        CENTER_COURSES,
        "배지호 매니저",
    ),
    ProviderSpec(
        "daegu",
        "스마트공장 배움터 대구",
        "Smart Factory Learning Center Daegu (KOSME)",
        ProviderKind.LEARNING_CENTER,
        "daegu",
        dt.date(2021, 3, 2),
        2.5,
        CENTER_COURSES,
        "권나연 매니저",
    ),
    ProviderSpec(
        "cheonan",
        "스마트공장 배움터 천안",
        "Smart Factory Learning Center Cheonan (KOSME)",
        ProviderKind.LEARNING_CENTER,
        "chungnam",
        dt.date(2021, 4, 5),
        2.5,
        CENTER_COURSES,
        "임서준 매니저",
    ),
    ProviderSpec(
        "lf-incheon",
        "한국폴리텍대학 러닝팩토리 (인천캠퍼스)",
        "Korea Polytechnics Learning Factory (Incheon campus)",
        ProviderKind.LEARNING_FACTORY,
        "incheon",
        dt.date(2018, 3, 5),
        1.2,
        FACTORY_COURSES,
        "조현우 교수",
    ),
    ProviderSpec(
        "lf-changwon",
        "한국폴리텍대학 러닝팩토리 (창원캠퍼스)",
        "Korea Polytechnics Learning Factory (Changwon campus)",
        ProviderKind.LEARNING_FACTORY,
        "gyeongnam",
        dt.date(2019, 3, 4),
        0.8,
        FACTORY_COURSES,
        "강태윤 교수",
    ),
    ProviderSpec(
        "lab-changwon",
        "스마트랩 창원 (경남창원산학융합원)",
        "Smart Lab Changwon (KICOX, Gyeongnam Changwon Industry-Academia Convergence Institute)",
        ProviderKind.SMART_LAB,
        "gyeongnam",
        dt.date(2019, 9, 2),
        0.35,
        LAB_COURSES,
        "윤채원 선임",
    ),
    ProviderSpec(
        "lab-kpu",
        "스마트랩 산기대 (한국공학대학교)",
        "Smart Lab KPU (KICOX, Tech University of Korea)",
        ProviderKind.SMART_LAB,
        "gyeonggi",
        dt.date(2019, 9, 2),
        0.3,
        LAB_COURSES,
        "정하린 선임",
    ),
]


@dataclass(slots=True)
class PCohort:
    provider: int
    course: int  # index into the provider's courses
    period_start: dt.date
    period_end: dt.date
    enrolled: int
    completed: int
    recorded_at: dt.datetime
    note: str = ""


@dataclass
class TrainingPlan:
    providers: list[ProviderSpec] = field(default_factory=list)
    courses: list[list[Course]] = field(default_factory=list)  # per provider
    cohorts: list[PCohort] = field(default_factory=list)


def quarter_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    start = dt.date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    out = []
    while start <= last:
        out.append(start)
        month = start.month + 3
        start = dt.date(start.year + (month > 12), (month - 1) % 12 + 1, 1)
    return out


def plan_training(scale: Scale, seed: int, today: dt.date) -> TrainingPlan:
    """Every provider's courses and quarterly cohorts up to today, sized so that each year's completions
    come to the year's share of `scale.trained_by_2022` (a running year: to the share of its days gone)."""
    rng = random.Random(f"training:{seed}")
    plan = TrainingPlan(providers=list(PROVIDERS))
    plan.courses = [spec.courses[: scale.training_courses] for spec in PROVIDERS]
    # Cohort slots: (provider, course, start, end) for each quarter the provider was open.
    slots: dict[int, list[tuple[int, int, dt.date, dt.date]]] = {}
    for p, spec in enumerate(PROVIDERS):
        for q in quarter_starts(spec.opened, today):
            for c, (_ko, _en, _level, _hours, days, _weight) in enumerate(plan.courses[p]):
                start = max(q, spec.opened) + dt.timedelta(days=rng.randint(3, 25))
                while start.weekday() >= 5:
                    start += dt.timedelta(days=1)
                if start > today:
                    continue
                end = start + dt.timedelta(days=days - 1 + (days // 5) * 2)
                # Sized with the year it ends in (a cohort running into next year: with this one).
                slots.setdefault(min(end.year, today.year), []).append((p, c, start, end))
    for year in sorted(slots):
        share = YEAR_SHARES.get(year, 0.0)
        target = scale.trained_by_2022 * share
        if year == today.year:
            target *= (today - dt.date(year, 1, 1)).days / 365
        year_slots = slots[year]
        weights = [PROVIDERS[p].weight * plan.courses[p][c][5] for p, c, _s, _e in year_slots]
        total = sum(weights)
        for (p, c, start, end), weight in zip(year_slots, weights, strict=True):
            expected = target * weight / total
            completed = max(3, round(expected * rng.uniform(0.75, 1.25)))
            rate = rng.uniform(0.82, 0.96)
            enrolled = min(10_000, max(completed, round(completed / rate)))
            running = end >= today
            recorded = kst_time((start if running else end) + dt.timedelta(days=rng.randint(1, 6)), 17)
            recorded = min(recorded, kst_time(today, 0) - HOUR)
            plan.cohorts.append(
                PCohort(
                    provider=p,
                    course=c,
                    period_start=start,
                    period_end=end,
                    enrolled=enrolled,
                    completed=0 if running else completed,
                    recorded_at=recorded,
                    note="교육 진행 중 (in progress)" if running else "",
                )
            )
    # The demo login's center has a cohort running this week, whose completions `trainer` enters.
    demo = next(p for p, spec in enumerate(PROVIDERS) if spec.username)
    course = min(1, len(plan.courses[demo]) - 1)
    start = today - dt.timedelta(days=1)
    while start.weekday() >= 5 or any(
        c.provider == demo and c.course == course and c.period_start == start for c in plan.cohorts
    ):
        start -= dt.timedelta(days=1)
    sizes = [c.enrolled for c in plan.cohorts if c.provider == demo and c.course == course]
    plan.cohorts.append(
        PCohort(
            provider=demo,
            course=course,
            period_start=start,
            period_end=max(today, start + dt.timedelta(days=6)),
            enrolled=sizes[-1] if sizes else 20,
            completed=0,
            recorded_at=min(kst_time(start, 17), kst_time(today, 0) - HOUR),
            note="교육 진행 중 (in progress)",
        )
    )
    plan.cohorts.sort(key=lambda cohort: (cohort.period_start, cohort.provider, cohort.course))
    return plan


class TrainingWriter(Writer):
    """Writes the providers (organisations with their staff, the demo login `trainer` among them), their
    courses and cohorts."""

    def provider_organisation(self, spec: ProviderSpec, opened: dt.datetime) -> Organisation:
        org = core_services.organisation_create(
            kind=OrganisationKind.TRAINING_PROVIDER,
            name_ko=spec.name_ko,
            name_en=spec.name_en,
            region=self.ref.regions[spec.region],
        )
        self.stamp(Organisation, org.pk, created_at=opened)
        self.orgs[f"training:{spec.key}"] = org
        return org

    def training(self) -> int:
        plan = self.plan
        tp = plan.training
        created = 0
        course_ids: list[list[int]] = []
        recorders: list[int] = []
        for p, spec in enumerate(tp.providers):
            opened = kst_time(spec.opened - dt.timedelta(days=20), 9)
            org = self.provider_organisation(spec, opened)
            username = spec.username or f"train-{p:02d}"
            user = self.login(username, f"{spec.staff} ({spec.name_ko})", password=bool(spec.username))
            self.grant(user, org, Role.TRAINING_PROVIDER, opened)
            recorders.append(user.pk)
            provider = TrainingProvider.objects.create(
                organisation=org, kind=spec.kind, region=self.ref.regions[spec.region]
            )
            TrainingProvider.objects.filter(pk=provider.pk).update(created_at=opened)
            courses = TrainingCourse.objects.bulk_create(
                TrainingCourse(
                    provider=provider, title_ko=ko, title_en=en, level=level, hours=hours, is_active=True
                )
                for ko, en, level, hours, _days, _weight in tp.courses[p]
            )
            TrainingCourse.objects.filter(provider=provider).update(created_at=opened)
            course_ids.append([c.pk for c in courses])
            created += 1
        first = bulk.next_id(TrainingCohort)
        bulk.copy_rows(
            TrainingCohort,
            (
                "id",
                "course_id",
                "period_start",
                "period_end",
                "year",
                "enrolled",
                "completed",
                "note",
                "recorded_by_id",
                "recorded_at",
                "updated_at",
            ),
            (
                (
                    first + n,
                    course_ids[c.provider][c.course],
                    c.period_start,
                    c.period_end,
                    c.period_end.year,
                    c.enrolled,
                    c.completed,
                    c.note,
                    recorders[c.provider],
                    c.recorded_at,
                    c.recorded_at,
                )
                for n, c in enumerate(tp.cohorts)
            ),
        )
        bulk.sync_sequences([TrainingCohort])
        return created
