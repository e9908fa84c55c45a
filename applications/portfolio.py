"""Reads for a partner firm's win-win portfolio and the ministry's comparison of partner firms.

They live in `applications` because they count co-funded applications; they reach partnerships only
through `partners.selectors` and `partners.models` (DESIGN.md §2).

Every figure is computed with a fixed, small number of grouped queries (`values().annotate()`), never
one query per agreement, partner or mentee, so the pages stay fast at national scale (20 partner firms,
thousands of matches, ~500,000 mentoring rows).

Levels: the level *before* is the application's self-assessed current level; the level *after* is the
reference level of the project's target-level category. It is a target, not a measured outcome, until
factories and level confirmations (수준확인) are recorded, and it is labelled so everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from applications.models import SUPPORTED_STATES, Application, ApplicationStatus
from core.errors import ValidationFailed
from core.money import percent_bp
from core.roles import Role
from core.selectors import user_access
from partners.models import (
    LIVE_MATCH_STATES,
    Match,
    MatchStatus,
    MentoringActivity,
    WinWinAgreement,
)
from partners.selectors import AnyUser, agreement_get_for_user, agreement_list_for_user

S = ApplicationStatus
# Projects built and past the final inspection: 완료, 정산, 사후관리, 종료.
COMPLETED_PROJECT_STATES = frozenset({S.COMPLETED, S.SETTLED, S.FOLLOW_UP, S.CLOSED})
ZERO_HOURS = Decimal("0.0")
_HOURS = DecimalField(max_digits=12, decimal_places=1)


def can_view_portfolio(user: AnyUser) -> bool:
    """Partner firms and institutions see their own consortia's portfolio; officials and auditors any."""
    return user_access(user).has(Role.PARTNER, Role.INSTITUTION, Role.OFFICIAL, Role.AUDITOR)


def can_view_comparison(user: AnyUser) -> bool:
    """Comparing partner firms with each other is the ministry's view."""
    return user_access(user).has(Role.OFFICIAL, Role.AUDITOR)


def _name(ko: str, en: str) -> str:
    return en if (get_language() or "ko").startswith("en") and en else ko


# --- which agreements ---------------------------------------------------------------------------


def portfolio_agreements(
    user: AnyUser,
    *,
    agreement_id: int | None = None,
    fiscal_year: int | None = None,
    partner_id: int | None = None,
) -> tuple[QuerySet[WinWinAgreement], int | None]:
    """The agreements a portfolio covers, scoped to the user, and its fiscal year.

    One agreement (404 if the user may not see it), or every agreement the user may see for a fiscal
    year (default: the latest year with one), optionally of one partner firm. A partner firm's users see
    their own agreements only; an institution's those it administers; officials and auditors all.
    """
    if agreement_id is not None:
        agreement = agreement_get_for_user(user, agreement_id)
        return agreement_list_for_user(user).filter(pk=agreement.pk), agreement.fiscal_year
    qs = agreement_list_for_user(user)
    if partner_id is not None:
        qs = qs.filter(consortium__partner_id=partner_id)
    if fiscal_year is None:
        fiscal_year = qs.order_by("-fiscal_year").values_list("fiscal_year", flat=True).first()
        if fiscal_year is None:
            return qs.none(), None
    return qs.filter(fiscal_year=fiscal_year), fiscal_year


def portfolio_years(user: AnyUser) -> list[int]:
    return list(
        agreement_list_for_user(user)
        .order_by("-fiscal_year")
        .values_list("fiscal_year", flat=True)
        .distinct()
    )


# --- the portfolio --------------------------------------------------------------------------------


@dataclass
class AgreementLine:
    id: int
    consortium_name: str
    partner_id: int
    partner_name: str
    fiscal_year: int
    status: str
    status_label: str
    pledged_krw: int
    committed_krw: int
    remaining_krw: int
    execution_bp: int
    mentee_quota: int
    live_matches: int


@dataclass
class StatusCount:
    status: str
    label: str
    count: int


@dataclass
class LevelLine:
    before_code: str | None
    before_name: str
    after_code: str
    after_name: str
    count: int


@dataclass
class Portfolio:
    fiscal_year: int | None
    agreements: list[AgreementLine]
    pledged_krw: int = 0
    committed_krw: int = 0
    remaining_krw: int = 0
    execution_bp: int = 0
    confirmed_krw: int = 0
    confirmed_applications: int = 0
    mentee_quota: int = 0
    live_matches: int = 0
    quota_bp: int = 0
    matches_by_status: list[StatusCount] = field(default_factory=list)
    mentees: int = 0
    applications_by_status: list[StatusCount] = field(default_factory=list)
    cofunded_applications: int = 0
    draft_applications: int = 0
    supported_projects: int = 0
    completed_projects: int = 0
    levels: list[LevelLine] = field(default_factory=list)
    mentoring_hours: Decimal = ZERO_HOURS
    mentoring_sessions: int = 0
    mentees_mentored: int = 0

    @property
    def agreement_ids(self) -> list[int]:
        return [a.id for a in self.agreements]


def portfolio_for(agreements: QuerySet[WinWinAgreement], fiscal_year: int | None) -> Portfolio:
    """Figures of a set of agreements (already scoped to the user) in five grouped queries whatever their
    number: agreements with live matches, matches by status, co-funded applications by status (with
    confirmed shares), level pairs of supported projects, and mentoring hours."""
    rows = list(
        agreements.annotate(
            live=Count("matches", filter=Q(matches__status__in=LIVE_MATCH_STATES))
        ).select_related("consortium__partner")
    )
    lines = [
        AgreementLine(
            id=a.pk,
            consortium_name=a.consortium.name,
            partner_id=a.consortium.partner_id,
            partner_name=a.consortium.partner.name,
            fiscal_year=a.fiscal_year,
            status=a.status,
            status_label=str(a.get_status_display()),
            pledged_krw=a.pledged_krw,
            committed_krw=a.committed_krw,
            remaining_krw=a.remaining_krw,
            execution_bp=percent_bp(a.committed_krw, a.pledged_krw),
            mentee_quota=a.mentee_quota,
            live_matches=a.live,
        )
        for a in rows
    ]
    p = Portfolio(fiscal_year=fiscal_year, agreements=lines)
    if not lines:
        return p
    ids = p.agreement_ids
    p.pledged_krw = sum(a.pledged_krw for a in lines)
    p.committed_krw = sum(a.committed_krw for a in lines)
    p.remaining_krw = p.pledged_krw - p.committed_krw
    p.execution_bp = percent_bp(p.committed_krw, p.pledged_krw)
    p.mentee_quota = sum(a.mentee_quota for a in lines)
    p.live_matches = sum(a.live_matches for a in lines)
    p.quota_bp = percent_bp(p.live_matches, p.mentee_quota)

    match_counts = dict(
        Match.objects.filter(agreement_id__in=ids)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    p.matches_by_status = [StatusCount(v, str(lbl), match_counts.get(v, 0)) for v, lbl in MatchStatus.choices]
    p.mentees = sum(match_counts.values())

    app_rows = (
        Application.objects.filter(partner_agreement_id__in=ids)
        .order_by()
        .values("status")
        .annotate(
            n=Count("id"), confirmed=Sum("partner_confirmed_krw"), confirmed_n=Count("partner_confirmed_krw")
        )
    )
    app_counts: dict[str, int] = {}
    for row in app_rows:
        app_counts[row["status"]] = row["n"]
        p.confirmed_krw += row["confirmed"] or 0
        p.confirmed_applications += row["confirmed_n"]
    p.applications_by_status = [
        StatusCount(v, str(lbl), app_counts[v]) for v, lbl in ApplicationStatus.choices if app_counts.get(v)
    ]
    p.draft_applications = app_counts.get(S.DRAFT, 0)
    p.cofunded_applications = sum(app_counts.values()) - p.draft_applications
    p.supported_projects = sum(n for s, n in app_counts.items() if s in SUPPORTED_STATES)
    p.completed_projects = sum(n for s, n in app_counts.items() if s in COMPLETED_PROJECT_STATES)

    p.levels = _level_lines(ids)

    hours = MentoringActivity.objects.filter(match__agreement_id__in=ids).aggregate(
        hours=Sum("hours"), sessions=Count("id"), mentees=Count("match_id", distinct=True)
    )
    p.mentoring_hours = hours["hours"] or ZERO_HOURS
    p.mentoring_sessions = hours["sessions"]
    p.mentees_mentored = hours["mentees"]
    return p


def _level_lines(agreement_ids: list[int]) -> list[LevelLine]:
    """Supported co-funded projects counted by (self-assessed level before, target's reference level),
    with the levels' names in the same query."""
    rows = (
        Application.objects.filter(partner_agreement_id__in=agreement_ids, status__in=SUPPORTED_STATES)
        .order_by()
        .values(
            "current_level__code",
            "current_level__name_ko",
            "current_level__name_en",
            "target_level__reference_level__code",
            "target_level__reference_level__name_ko",
            "target_level__reference_level__name_en",
        )
        .annotate(n=Count("id"))
    )
    unknown = str(_("Not given"))
    lines = [
        LevelLine(
            before_code=row["current_level__code"],
            before_name=(
                _name(row["current_level__name_ko"], row["current_level__name_en"])
                if row["current_level__code"]
                else unknown
            ),
            after_code=row["target_level__reference_level__code"],
            after_name=_name(
                row["target_level__reference_level__name_ko"], row["target_level__reference_level__name_en"]
            ),
            count=row["n"],
        )
        for row in rows
    ]
    return sorted(lines, key=lambda line: (line.before_code or "", line.after_code))


def mentee_rows(agreement_ids: list[int]) -> QuerySet[Match]:
    """The mentees (matches) of the agreements with their mentoring hours and sessions and their
    co-funded applications, each as a correlated subquery so a page of rows is one query."""
    sessions = (
        MentoringActivity.objects.filter(match_id=OuterRef("pk"))
        .order_by()
        .values("match_id")
        .annotate(hours=Sum("hours"), n=Count("id"))
    )
    apps = (
        Application.objects.filter(
            partner_agreement_id=OuterRef("agreement_id"), company_id=OuterRef("company_id")
        )
        .exclude(status=S.DRAFT)
        .order_by()
        .values("company_id")
    )
    return (
        Match.objects.filter(agreement_id__in=agreement_ids)
        .select_related("company__organisation", "agreement__consortium__partner")
        .annotate(
            hours=Coalesce(Subquery(sessions.values("hours")), Value(ZERO_HOURS), output_field=_HOURS),
            sessions=Coalesce(Subquery(sessions.values("n")), Value(0), output_field=IntegerField()),
            applications=Coalesce(
                Subquery(apps.annotate(n=Count("id")).values("n")), Value(0), output_field=IntegerField()
            ),
            completed=Coalesce(
                Subquery(
                    apps.filter(status__in=COMPLETED_PROJECT_STATES).annotate(n=Count("id")).values("n")
                ),
                Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("company__organisation__name_ko", "id")
    )


# --- the ministry's comparison --------------------------------------------------------------------


@dataclass
class ComparisonRow:
    partner_id: int | None
    partner_name: str
    agreements: int = 0
    pledged_krw: int = 0
    committed_krw: int = 0
    execution_bp: int = 0
    mentee_quota: int = 0
    live_matches: int = 0
    completed_matches: int = 0
    cofunded_applications: int = 0
    selected_projects: int = 0
    completed_projects: int = 0
    mentoring_hours: Decimal = ZERO_HOURS


# Sort keys of the comparison table → attribute.
COMPARISON_COLUMNS = {
    "partner": "partner_name",
    "agreements": "agreements",
    "pledged": "pledged_krw",
    "committed": "committed_krw",
    "execution": "execution_bp",
    "quota": "mentee_quota",
    "live": "live_matches",
    "completed_matches": "completed_matches",
    "cofunded": "cofunded_applications",
    "selected": "selected_projects",
    "completed_projects": "completed_projects",
    "hours": "mentoring_hours",
}
DEFAULT_COMPARISON_ORDERING = "-pledged"


@dataclass
class Comparison:
    fiscal_year: int | None
    years: list[int]
    ordering: str
    rows: list[ComparisonRow]
    totals: ComparisonRow


def comparison_years() -> list[int]:
    return list(
        WinWinAgreement.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct()
    )


def parse_comparison_ordering(value: str | None) -> str:
    """A sort key of COMPARISON_COLUMNS, optionally prefixed with '-' for descending; 400 otherwise."""
    if not value:
        return DEFAULT_COMPARISON_ORDERING
    if value.removeprefix("-") not in COMPARISON_COLUMNS:
        raise ValidationFailed(
            fields={"ordering": [_("Sort by one of: %(keys)s.") % {"keys": ", ".join(COMPARISON_COLUMNS)}]}
        )
    return value


def comparison_for(fiscal_year: int | None = None, ordering: str = DEFAULT_COMPARISON_ORDERING) -> Comparison:
    """One row per partner firm for a fiscal year (default: the latest year with agreements), from five
    grouped queries: the years, agreements, matches, co-funded applications and mentoring hours.

    Co-funded applications are those naming one of the firm's agreements, drafts excluded; selected
    projects are those selected or further (including completed ones); completed projects are completed,
    settled, in follow-up or closed. Callers check `can_view_comparison` first.
    """
    years = comparison_years()
    totals = ComparisonRow(partner_id=None, partner_name=str(_("Total")))
    if fiscal_year is None:
        if not years:
            return Comparison(fiscal_year=None, years=[], ordering=ordering, rows=[], totals=totals)
        fiscal_year = years[0]
    rows: dict[int, ComparisonRow] = {}
    agreement_rows = (
        WinWinAgreement.objects.filter(fiscal_year=fiscal_year)
        .order_by()
        .values("consortium__partner_id", "consortium__partner__name_ko", "consortium__partner__name_en")
        .annotate(
            n=Count("id"),
            pledged=Sum("pledged_krw"),
            committed=Sum("committed_krw"),
            quota=Sum("mentee_quota"),
        )
    )
    for a in agreement_rows:
        rows[a["consortium__partner_id"]] = ComparisonRow(
            partner_id=a["consortium__partner_id"],
            partner_name=_name(a["consortium__partner__name_ko"], a["consortium__partner__name_en"]),
            agreements=a["n"],
            pledged_krw=a["pledged"],
            committed_krw=a["committed"],
            execution_bp=percent_bp(a["committed"], a["pledged"]),
            mentee_quota=a["quota"],
        )
    empty = ComparisonRow(partner_id=None, partner_name="")
    match_rows = (
        Match.objects.filter(agreement__fiscal_year=fiscal_year)
        .order_by()
        .values("agreement__consortium__partner_id")
        .annotate(
            live=Count("id", filter=Q(status__in=LIVE_MATCH_STATES)),
            completed=Count("id", filter=Q(status=MatchStatus.COMPLETED)),
        )
    )
    for m in match_rows:
        row = rows.get(m["agreement__consortium__partner_id"], empty)
        row.live_matches = m["live"]
        row.completed_matches = m["completed"]
    app_rows = (
        Application.objects.filter(partner_agreement__fiscal_year=fiscal_year)
        .exclude(status=S.DRAFT)
        .order_by()
        .values("partner_agreement__consortium__partner_id")
        .annotate(
            n=Count("id"),
            selected=Count("id", filter=Q(status__in=SUPPORTED_STATES)),
            completed=Count("id", filter=Q(status__in=COMPLETED_PROJECT_STATES)),
        )
    )
    for ap in app_rows:
        row = rows.get(ap["partner_agreement__consortium__partner_id"], empty)
        row.cofunded_applications = ap["n"]
        row.selected_projects = ap["selected"]
        row.completed_projects = ap["completed"]
    hour_rows = (
        MentoringActivity.objects.filter(match__agreement__fiscal_year=fiscal_year)
        .order_by()
        .values("match__agreement__consortium__partner_id")
        .annotate(hours=Sum("hours"))
    )
    for h in hour_rows:
        rows.get(h["match__agreement__consortium__partner_id"], empty).mentoring_hours = h["hours"]

    ordered = sort_comparison(list(rows.values()), ordering)
    for row in ordered:
        for attr in COMPARISON_COLUMNS.values():
            if attr not in ("partner_name", "execution_bp"):
                setattr(totals, attr, getattr(totals, attr) + getattr(row, attr))
    totals.execution_bp = percent_bp(totals.committed_krw, totals.pledged_krw)
    return Comparison(fiscal_year=fiscal_year, years=years, ordering=ordering, rows=ordered, totals=totals)


def sort_comparison(rows: list[ComparisonRow], ordering: str) -> list[ComparisonRow]:
    attr = COMPARISON_COLUMNS[ordering.removeprefix("-")]
    descending = ordering.startswith("-")
    # Ties keep a stable order by name, whichever way the column is sorted.
    by_name = sorted(rows, key=lambda r: r.partner_name)
    return sorted(by_name, key=lambda r: _sort_value(getattr(r, attr)), reverse=descending)


def _sort_value(value: Any) -> Any:
    return value if not isinstance(value, str) else value.casefold()
