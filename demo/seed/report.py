"""What `seed_demo` prints at the end: the demo logins, row counts per model and per status."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from django.db.models import Count, Q, Sum
from django.utils import timezone, translation

from applications.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    DuplicateFlag,
    EvaluationScore,
    EvaluatorAssignment,
)
from companies.models import Company, Supplier, Workplace
from core.models import Membership, Organisation, User
from demo.seed.logins import DEMO_PASSWORD, demo_users
from demo.seed.text import pad, width
from factories.models import (
    ComplexWorkplace,
    Factory,
    FactoryOrigin,
    HistoricalAggregate,
    IndustrialComplex,
    LevelConfirmation,
    OutcomeReport,
    OutcomeSchedule,
    OutcomeStatus,
)
from partners.models import (
    LIVE_MATCH_STATES,
    AgreementStatus,
    Consortium,
    Match,
    MatchStatusChange,
    Mentor,
    MentoringActivity,
    SupplyChainTie,
    WinWinAgreement,
)
from programs.models import Call, FundingRule, RubricCriterion
from training.models import TrainingCohort, TrainingCourse, TrainingProvider

MODELS = [
    ("기관 organisations", Organisation),
    ("사용자 users", User),
    ("소속·역할 memberships", Membership),
    ("도입기업 companies", Company),
    ("사업장 workplaces", Workplace),
    ("공급기업 suppliers", Supplier),
    ("공고 calls", Call),
    ("지원 기준 funding rules", FundingRule),
    ("평가 항목 rubric criteria", RubricCriterion),
    ("신청서 applications", Application),
    ("상태 이력 status changes", ApplicationStatusChange),
    ("평가위원 배정 evaluator assignments", EvaluatorAssignment),
    ("항목별 점수 criterion scores", EvaluationScore),
    ("중복지원 플래그 duplicate flags", DuplicateFlag),
    ("상생 컨소시엄 consortia", Consortium),
    ("상생협약 win-win agreements", WinWinAgreement),
    ("협력사 supply-chain ties", SupplyChainTie),
    ("매칭 matches", Match),
    ("매칭 이력 match status changes", MatchStatusChange),
    ("멘토 mentors", Mentor),
    ("멘토링 mentoring activities", MentoringActivity),
    ("스마트공장 smart factories", Factory),
    ("수준확인 이력 level confirmations", LevelConfirmation),
    ("성과 보고 일정 outcome schedules", OutcomeSchedule),
    ("성과 보고 outcome reports", OutcomeReport),
    ("산업단지 industrial complexes", IndustrialComplex),
    ("산단 입주 사업장 workplaces in complexes", ComplexWorkplace),
    ("과거 집계 historical aggregates", HistoricalAggregate),
    ("교육기관 training providers", TrainingProvider),
    ("교육과정 training courses", TrainingCourse),
    ("교육 기수 training cohorts", TrainingCohort),
]


def table(rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> list[str]:
    sizes = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            " " * (sizes[i] - width(cell)) + cell if i in right else pad(cell, sizes[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  " + "  ".join(cells).rstrip())
        if n == 0:
            lines.append("  " + "  ".join("-" * s for s in sizes))
    return lines


def print_report(log: Callable[[str], None]) -> None:
    log("")
    log(f"데모 로그인 / Demo logins (비밀번호 password: {DEMO_PASSWORD})")
    rows = [["아이디 username", "역할 role", "해 볼 것 / what to try"]]
    for login, user in demo_users():
        mark = "" if user is not None else " (없음 missing)"
        rows.append([login.username + mark, login.role_ko, login.try_ko])
        rows.append(["", login.role_en, login.try_en])
    for line in table(rows):
        log(line)
    log(
        "official·finance·auditor 로그인은 인증앱 코드가 필요합니다: "
        ".venv/bin/python manage.py demo_otp_code official"
    )
    log(
        "The official, finance and auditor logins need an authenticator code: "
        ".venv/bin/python manage.py demo_otp_code official (prints the current code)"
    )

    log("")
    log("모델별 건수 / Rows per model")
    rows = [["모델 model", "건수 rows"]]
    rows += [[label, f"{model._default_manager.count():,}"] for label, model in MODELS]
    for line in table(rows, right=[1]):
        log(line)

    log("")
    log("신청 상태별 건수 / Applications per status")
    counts = {
        row["status"]: row["n"]
        for row in Application.objects.values("status").annotate(n=Count("id")).order_by()
    }
    rows = [["상태 status", "건수 applications"]]
    with translation.override("ko"):
        rows += [
            [f"{str(status.label).split(' (')[0]} {status.value}", f"{counts.get(status.value, 0):,}"]
            for status in ApplicationStatus
        ]
    rows.append(["합계 total", f"{sum(counts.values()):,}"])
    for line in table(rows, right=[1]):
        log(line)

    log("")
    log("접수 중인 공고 / Calls open now")
    rows = [["공고 call", "신청 applications", "평가 중 in evaluation"]]
    for call in Call.objects.open_now().order_by("program_type"):
        apps = Application.objects.filter(call=call)
        in_evaluation = apps.filter(status=ApplicationStatus.EVALUATION).count()
        rows.append([call.title_ko, f"{apps.count():,}", f"{in_evaluation:,}"])
    for line in table(rows, right=[1, 2]):
        log(line)

    log("")
    log("시행 중인 상생협약 / Win-win agreements in force")
    rows = [
        [
            "주관기관 partner firm",
            "출연 pledged",
            "확정 committed",
            "정원 quota",
            "매칭 matches",
            "멘토링 hours",
        ]
    ]
    hours = dict(
        MentoringActivity.objects.filter(match__agreement__status=AgreementStatus.ACTIVE)
        .values("match__agreement_id")
        .annotate(h=Sum("hours"))
        .values_list("match__agreement_id", "h")
    )
    agreements = (
        WinWinAgreement.objects.filter(status=AgreementStatus.ACTIVE)
        .select_related("consortium__partner")
        .annotate(live=Count("matches", filter=Q(matches__status__in=LIVE_MATCH_STATES)))
        .order_by("-pledged_krw", "id")
    )
    for agreement in agreements:
        rows.append(
            [
                agreement.consortium.partner.name_ko,
                f"{agreement.pledged_krw / 100_000_000:,.0f}억",
                f"{agreement.committed_krw / 100_000_000:,.1f}억",
                f"{agreement.mentee_quota:,}",
                f"{agreement.live:,}",
                f"{hours.get(agreement.pk, 0):,}",
            ]
        )
    for line in table(rows, right=[1, 2, 3, 4, 5]):
        log(line)

    print_deployments(log)


def print_deployments(log: Callable[[str], None]) -> None:
    """Factories by completion year and level, outcome reports, complexes and the workforce trained."""
    log("")
    log("완료연도별 스마트공장 / Smart factories by completion year")
    levels = ["L1", "L2", "L3", "L4", "L5"]
    rows = [
        [
            "연도 year",
            "공장 factories",
            "실적 counted",
            "자체구축 self-built",
            *levels,
            "L3+",
            "폐업·이탈 closed",
            "누적 cumulative",
        ]
    ]
    per_year = cast(
        list[dict[str, Any]],
        list(
            Factory.objects.values("completion_year")
            .annotate(
                n=Count("id"),
                counted=Count("id", filter=Q(counted=True)),
                self_built=Count("id", filter=Q(origin=FactoryOrigin.SELF_BUILT)),
                closed=Count("id", filter=Q(closed_on__isnull=False)),
                **{code: Count("id", filter=Q(level__code=code)) for code in levels},
            )
            .order_by("completion_year")
        ),
    )
    cumulative = 0
    totals = dict.fromkeys(["n", "counted", "self_built", "closed", *levels], 0)
    for row in per_year:
        cumulative += row["counted"]
        for key in totals:
            totals[key] += row[key]
        advanced = row["L3"] + row["L4"] + row["L5"]
        rows.append(
            [
                str(row["completion_year"]),
                f"{row['n']:,}",
                f"{row['counted']:,}",
                f"{row['self_built']:,}",
                *(f"{row[code]:,}" for code in levels),
                f"{advanced / row['n']:.0%}",
                f"{row['closed']:,}",
                f"{cumulative:,}",
            ]
        )
    if totals["n"]:
        advanced = totals["L3"] + totals["L4"] + totals["L5"]
        rows.append(
            [
                "합계 total",
                f"{totals['n']:,}",
                f"{totals['counted']:,}",
                f"{totals['self_built']:,}",
                *(f"{totals[code]:,}" for code in levels),
                f"{advanced / totals['n']:.0%}",
                f"{totals['closed']:,}",
                "",
            ]
        )
    for line in table(rows, right=list(range(1, 12))):
        log(line)
    confirmations = LevelConfirmation.objects.aggregate(
        n=Count("id"),
        bodies=Count("id", filter=Q(kind="level_confirmation")),
        self_built=Count("id", filter=Q(self_built=True)),
    )
    log(
        f"  수준확인 이력 level history: {confirmations['n']:,} rows, of which "
        f"{confirmations['bodies']:,} confirmations by accredited bodies "
        f"({confirmations['self_built']:,} self-built)"
    )

    log("")
    log("성과 보고 / Outcome reports")
    today = timezone.localdate()
    counts = dict(OutcomeReport.objects.values("status").annotate(n=Count("id")).values_list("status", "n"))
    open_ = Q(status__in=[OutcomeStatus.DUE, OutcomeStatus.RETURNED], due_on__lt=today)
    overdue = OutcomeReport.objects.filter(open_).count()
    unreminded = OutcomeReport.objects.filter(open_, reminded_at__isnull=True).count()
    rows = [["상태 status", "건수 reports"]]
    with translation.override("ko"):
        rows += [
            [f"{str(status.label).split(' (')[0]} {status.value}", f"{counts.get(status.value, 0):,}"]
            for status in OutcomeStatus
        ]
    rows.append(["기한 경과 overdue", f"{overdue:,}"])
    rows.append(["  독촉 전 not reminded yet", f"{unreminded:,}"])
    for line in table(rows, right=[1]):
        log(line)

    log("")
    log("선도 스마트산단 / Leading smart industrial complexes")
    rows = [["산업단지 complex", "지정 designated", "사업장 workplaces", "스마트공장 factories"]]
    complexes = IndustrialComplex.objects.annotate(
        members_n=Count("members", distinct=True),
        factories_n=Count("members__workplace__factories", distinct=True),
    ).order_by("designated_on", "name_ko")
    for cx in complexes:
        designated = cx.designated_on.isoformat() if cx.designated_on else "-"
        rows.append([cx.name_ko, designated, f"{cx.members_n:,}", f"{cx.factories_n:,}"])
    for line in table(rows, right=[2, 3]):
        log(line)

    log("")
    log("인력양성 / Workforce trained (수료 기준, by the year a cohort ends)")
    rows = [["연도 year", "기수 cohorts", "등록 enrolled", "수료 completed", "누적 cumulative"]]
    cumulative = 0
    cohort_years = cast(
        list[dict[str, Any]],
        list(
            TrainingCohort.objects.values("year")
            .annotate(n=Count("id"), enrolled=Sum("enrolled"), completed=Sum("completed"))
            .order_by("year")
        ),
    )
    for row in cohort_years:
        cumulative += row["completed"]
        rows.append(
            [
                str(row["year"]),
                f"{row['n']:,}",
                f"{row['enrolled']:,}",
                f"{row['completed']:,}",
                f"{cumulative:,}",
            ]
        )
    for line in table(rows, right=[1, 2, 3, 4]):
        log(line)
    rows = [["교육기관 provider", "과정 courses", "기수 cohorts", "수료 completed"]]
    providers = TrainingProvider.objects.select_related("organisation").annotate(
        courses_n=Count("courses", distinct=True),
        cohorts_n=Count("courses__cohorts"),
        completed=Sum("courses__cohorts__completed"),
    )
    for provider in providers.order_by("-completed", "id"):
        rows.append(
            [
                provider.organisation.name_ko,
                f"{provider.courses_n:,}",
                f"{provider.cohorts_n:,}",
                f"{provider.completed or 0:,}",
            ]
        )
    for line in table(rows, right=[1, 2, 3]):
        log(line)
