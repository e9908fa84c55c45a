"""Applications entered by a regional center or the ministry as drafts (센터 대리 입력 신청서).

Each row is a draft of a registered company's workplace to a call, as `application_create_draft` and
`application_update_draft` would make it: the call must be open (applications.checks.window_failures),
a workplace applies once per call, a target level is required, amounts are whole won, the planned
period is in order, and amounts given are checked against the call's funding rule for the target level
and firm size (programs.rules.check_split). The applicant completes and submits the draft later.
Regional officers enter drafts of workplaces in their own region only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.checks import window_failures
from applications.models import Application, ApplicationStatus
from companies.models import Company, Workplace
from core.identifiers import normalize_brn
from core.models import TargetLevel
from core.roles import Role
from core.selectors import user_access
from exports.imports.base import AnyUser, Column, ImportKind, Row, RunContext, cell_text, header_key
from exports.imports.kinds.reference import target_level_names, target_level_table
from programs.models import Call, FundingRule
from programs.rules import FundingSplit, check_split

LOOKUP_CHUNK = 5_000
INSERT_BATCH = 2_000
AMOUNTS = ("total_cost_krw", "gov_amount_krw", "partner_amount_krw", "sme_amount_krw", "local_amount_krw")


@dataclass
class NewDraft:
    row: int
    call: Call
    workplace: Workplace
    target_level: TargetLevel
    values: dict[str, Any]


def _money(key: str, ko: str, en: str) -> Column:
    return Column(key, ko, en, type="money", help=_("Whole won; blank is 0."), width=18)


class ApplicationsKind(ImportKind):
    key = "applications"
    label = _("Applications entered by a center (drafts)")
    description = _(
        "One row per application, saved as a draft of the company's workplace: the applicant completes "
        "and submits it. The call must be open and a workplace applies once per call."
    )
    columns = (
        Column(
            "brn",
            "사업자등록번호",
            "Business registration number",
            required=True,
            pad=10,
            help=_("The registered company's number."),
            width=18,
        ),
        Column(
            "workplace_name",
            "사업장명",
            "Workplace name",
            max_length=100,
            help=_("Required when the company has more than one workplace."),
        ),
        Column(
            "call",
            "공고 ID",
            "Call ID",
            type="int",
            required=True,
            minimum=1,
            help=_("The number of the call, as shown on its page."),
            width=10,
        ),
        Column(
            "target_level",
            "목표수준",
            "Target level",
            required=True,
            help=_("기초, 고도화1, 고도화2 (or basic, advanced1, advanced2)."),
            choices=target_level_names,
        ),
        Column("title", "사업명", "Project title", max_length=200, width=30),
        Column("summary", "사업계획 요약", "Plan summary", max_length=20_000, width=40),
        Column("planned_start", "사업 시작 예정일", "Planned start", type="date"),
        Column("planned_end", "사업 종료 예정일", "Planned end", type="date"),
        _money("total_cost_krw", "총사업비(원)", "Total project cost, KRW"),
        _money("gov_amount_krw", "정부지원금(원)", "Government support, KRW"),
        _money("partner_amount_krw", "대기업 출연금(원)", "Partner contribution, KRW"),
        _money("sme_amount_krw", "기업부담금(원)", "SME contribution, KRW"),
        _money("local_amount_krw", "지자체 지원금(원)", "Local-government top-up, KRW"),
    )

    def can_import(self, user: AnyUser) -> bool:
        """Officials everywhere; regional officers for workplaces of their region."""
        return user_access(user).has(Role.OFFICIAL, Role.REGIONAL_OFFICER)

    def validate(self, rows: list[Row], ctx: RunContext) -> list[NewDraft]:
        companies = self._companies(rows)
        calls = Call.objects.in_bulk({r.values["call"] for r in rows if r.ok("call") and r.values["call"]})
        rules: dict[tuple[int, int, str], FundingRule] = {
            (rule.call_id, rule.target_level_id, rule.size_code): rule
            for rule in FundingRule.objects.filter(call__in=list(calls))
        }
        levels = target_level_table()
        national = ctx.access.has(Role.OFFICIAL)
        now = timezone.now()
        # The call's window is the same for every row: checked once per call.
        windows = {pk: window_failures(Application(call=call), now) for pk, call in calls.items()}
        seen: dict[tuple[int, int], int] = {}
        drafts: list[NewDraft] = []
        for row in rows:
            v = row.values
            company = self._company(row, companies, ctx)
            workplace = self._workplace(row, company, ctx) if company is not None else None
            if workplace is not None and not national and workplace.region_id not in ctx.access.region_ids:
                ctx.error(
                    row,
                    "workplace_name",
                    "region_not_yours",
                    _("You can enter applications of workplaces in your own region only."),
                )
            call = calls.get(v["call"]) if row.ok("call") else None
            if row.ok("call") and call is None:
                ctx.error(row, "call", "unknown_call", _("There is no call with this ID."))
            if call is not None:
                for failure in windows[call.pk]:
                    ctx.error(row, "call", failure.code, failure.message)
            level = levels.get(header_key(v["target_level"])) if row.ok("target_level") else None
            if row.ok("target_level") and level is None:
                ctx.error(
                    row,
                    "target_level",
                    "unknown_target_level",
                    _("Unknown target level '%(value)s'.") % {"value": cell_text(v["target_level"])},
                )
            if call is not None and workplace is not None:
                earlier = seen.setdefault((call.pk, workplace.pk), row.number)
                if earlier != row.number:
                    ctx.error(
                        row,
                        "workplace_name",
                        "duplicate_in_file",
                        _("This workplace already applies to this call in row %(row)s.") % {"row": earlier},
                    )
            start, end = v.get("planned_start"), v.get("planned_end")
            if start and end and end < start:
                ctx.error(row, "planned_end", "invalid", _("The end date must not be before the start date."))
            if call is not None and level is not None and company is not None and row.ok(*AMOUNTS):
                self._check_split(row, call, level, company, rules, ctx)
            if call is not None and workplace is not None and level is not None and not row.bad:
                drafts.append(NewDraft(row.number, call, workplace, level, v))
        self._check_already_applied(drafts, ctx)
        return drafts

    @staticmethod
    def _companies(rows: list[Row]) -> dict[str, Company]:
        """Companies of the file by BRN, with their workplaces and size (one query per chunk)."""
        numbers: set[str] = set()
        for row in rows:
            if row.ok("brn"):
                try:
                    numbers.add(normalize_brn(row.values["brn"]))
                except ValidationError:
                    continue
        wanted = sorted(numbers)
        out: dict[str, Company] = {}
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[start : start + LOOKUP_CHUNK]
            queryset = (
                Company.objects.filter(brn__in=chunk)
                .select_related("size_class")
                .prefetch_related(Prefetch("workplaces", queryset=Workplace.objects.order_by("id")))
            )
            out.update({company.brn: company for company in queryset})
        return out

    @staticmethod
    def _company(row: Row, companies: dict[str, Company], ctx: RunContext) -> Company | None:
        if not row.ok("brn"):
            return None
        try:
            brn = normalize_brn(row.values["brn"])
        except ValidationError as exc:
            ctx.error(row, "brn", exc.code or "brn_format", exc.messages[0])
            return None
        company = companies.get(brn)
        if company is None:
            ctx.error(
                row,
                "brn",
                "unknown_company",
                _("No company with this business registration number is registered; register it first."),
            )
        return company

    @staticmethod
    def _workplace(row: Row, company: Company, ctx: RunContext) -> Workplace | None:
        if not row.ok("workplace_name"):
            return None
        name = row.values.get("workplace_name")
        workplaces = [w for w in company.workplaces.all() if w.is_active]
        if name:
            match = next((w for w in workplaces if header_key(w.name) == header_key(name)), None)
            if match is None:
                ctx.error(
                    row,
                    "workplace_name",
                    "unknown_workplace",
                    _("The company has no active workplace of this name."),
                )
            return match
        if len(workplaces) == 1:
            return workplaces[0]
        ctx.error(
            row,
            "workplace_name",
            "required",
            _("The company has several workplaces (or none active): name the workplace."),
        )
        return None

    @staticmethod
    def _check_split(
        row: Row,
        call: Call,
        level: TargetLevel,
        company: Company,
        rules: dict[tuple[int, int, str], FundingRule],
        ctx: RunContext,
    ) -> None:
        """Amounts given are checked against the call's rule, as applications.checks.funding_failures
        does at submission (the rule of the firm's size wins over the general one)."""
        amounts = {key: row.values.get(key) or 0 for key in AMOUNTS}
        if not any(amounts.values()):
            return  # a draft without amounts: the applicant enters them
        size = company.size_class.code
        rule = rules.get((call.pk, level.pk, size)) or rules.get((call.pk, level.pk, ""))
        if rule is None:
            ctx.error(
                row,
                "target_level",
                "target_level_not_offered",
                _("This call offers no support at this target level for firms of this size."),
            )
            return
        split = FundingSplit(
            total=amounts["total_cost_krw"],
            gov=amounts["gov_amount_krw"],
            partner=amounts["partner_amount_krw"],
            sme=amounts["sme_amount_krw"],
            local=amounts["local_amount_krw"],
        )
        for failure in check_split(rule, split):
            key = failure.field if failure.field in AMOUNTS else "total_cost_krw"
            ctx.error(row, key, failure.code, failure.message)

    @staticmethod
    def _check_already_applied(drafts: list[NewDraft], ctx: RunContext) -> None:
        """Workplaces that already have an application (not withdrawn) in the call, read by call."""
        by_call: dict[int, dict[int, int]] = defaultdict(dict)
        for draft in drafts:
            by_call[draft.call.pk][draft.workplace.pk] = draft.row
        for call_id, workplaces in by_call.items():
            wanted = list(workplaces)
            for start in range(0, len(wanted), LOOKUP_CHUNK):
                taken = (
                    Application.objects.filter(
                        call_id=call_id, workplace_id__in=wanted[start : start + LOOKUP_CHUNK]
                    )
                    .exclude(status=ApplicationStatus.WITHDRAWN)
                    .values_list("workplace_id", flat=True)
                )
                for workplace_id in taken:
                    ctx.error(
                        workplaces[workplace_id],
                        "workplace_name",
                        "already_applied",
                        _("This workplace has already applied to this call."),
                    )

    def commit(self, prepared: list[NewDraft], ctx: RunContext) -> int:
        created = Application.objects.bulk_create(
            (
                Application(
                    call=draft.call,
                    workplace=draft.workplace,
                    company_id=draft.workplace.company_id,
                    region_id=draft.workplace.region_id,
                    target_level=draft.target_level,
                    status=ApplicationStatus.DRAFT,
                    title=draft.values.get("title") or "",
                    summary=draft.values.get("summary") or "",
                    planned_start=draft.values.get("planned_start"),
                    planned_end=draft.values.get("planned_end"),
                    created_by=ctx.actor,
                    **{key: draft.values.get(key) or 0 for key in AMOUNTS},
                )
                for draft in prepared
            ),
            batch_size=INSERT_BATCH,
        )
        return len(created)
