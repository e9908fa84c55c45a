"""What `seed_demo` prints at the end: the demo logins, row counts per model and per status."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db.models import Count, Q, Sum
from django.utils import translation

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
