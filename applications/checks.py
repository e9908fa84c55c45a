"""Submission checks: completeness, the call window, eligibility and the call's co-funding rule.

Each check returns the rules the application breaks, each with a stable code and a message that names
the rule, so a refusal tells the applicant exactly what to fix.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from applications.models import ACTIVE_PROJECT_STATES, Application
from companies.models import BusinessStatus
from core.money import format_krw
from partners.models import COFUNDING_MATCH_STATES, WINWIN_TRACKS, AgreementStatus, Match
from programs.models import CallStatus, ExclusionCondition
from programs.rules import FundingSplit, RuleFailure, check_split
from programs.selectors import funding_rule_for


def completeness_failures(app: Application) -> list[RuleFailure]:
    missing = []
    if not app.title.strip():
        missing.append(RuleFailure("title_missing", _("Enter the project title."), "title"))
    if not app.summary.strip():
        missing.append(RuleFailure("summary_missing", _("Describe the project plan."), "summary"))
    if app.supplier_id is None:
        missing.append(
            RuleFailure("supplier_missing", _("Choose the supplier who will build the system."), "supplier")
        )
    if app.planned_start is None or app.planned_end is None:
        missing.append(
            RuleFailure("period_missing", _("Enter the planned start and end dates."), "planned_start")
        )
    if app.current_level_id is None:
        missing.append(
            RuleFailure("current_level_missing", _("Choose the workplace's current level."), "current_level")
        )
    if app.total_cost_krw <= 0:
        missing.append(
            RuleFailure("total_cost_missing", _("Enter the total project cost."), "total_cost_krw")
        )
    return missing


def window_failures(app: Application, now: dt.datetime) -> list[RuleFailure]:
    call = app.call
    if call.status != CallStatus.PUBLISHED:
        return [RuleFailure("call_not_published", _("This call is not open for applications."), "call")]
    if now < call.opens_at:
        return [RuleFailure("call_not_open_yet", _("This call does not accept applications yet."), "call")]
    if now > call.closes_at:
        return [RuleFailure("call_closed", _("The application period of this call has ended."), "call")]
    return []


EXCLUSION_TESTS = {
    ExclusionCondition.CLOSED_OR_SUSPENDED: lambda c: c.business_status != BusinessStatus.ACTIVE,
    ExclusionCondition.TAX_ARREARS: lambda c: c.has_tax_arrears,
    ExclusionCondition.INSOLVENCY: lambda c: c.in_insolvency,
    ExclusionCondition.FINANCIAL_DELINQUENCY: lambda c: c.has_financial_delinquency,
}


def eligibility_failures(app: Application) -> list[RuleFailure]:
    call, company, workplace = app.call, app.company, app.workplace
    failures: list[RuleFailure] = []
    if call.eligible_size_codes and company.size_class.code not in call.eligible_size_codes:
        failures.append(
            RuleFailure(
                "size_not_eligible",
                _("This call is not open to firms of size class %(size)s.")
                % {"size": company.size_class.name},
                "company",
            )
        )
    eligible_ksic = {k.pk for k in call.eligible_ksic.all()}
    if eligible_ksic and workplace.ksic_id not in eligible_ksic:
        failures.append(
            RuleFailure(
                "industry_not_eligible",
                _("This call is not open to the workplace's industry (KSIC %(code)s).")
                % {"code": workplace.ksic.code},
                "workplace",
            )
        )
    eligible_regions = {r.pk for r in call.eligible_regions.all()}
    if eligible_regions and workplace.region_id not in eligible_regions:
        failures.append(
            RuleFailure(
                "region_not_eligible",
                _("This call is not open to workplaces in %(region)s.") % {"region": workplace.region.name},
                "workplace",
            )
        )
    if not workplace.is_active:
        failures.append(
            RuleFailure("workplace_inactive", _("The workplace is no longer active."), "workplace")
        )
    for condition in call.excluded_conditions:
        test = EXCLUSION_TESTS.get(ExclusionCondition(condition))
        if test is not None and test(company):
            failures.append(
                RuleFailure(
                    f"excluded_{condition}",
                    _("Firms in this situation cannot apply to this call: %(condition)s.")
                    % {"condition": ExclusionCondition(condition).label},
                    "company",
                )
            )
    active = (
        Application.objects.filter(company_id=company.pk, status__in=ACTIVE_PROJECT_STATES)
        .exclude(pk=app.pk)
        .count()
    )
    if active >= call.max_concurrent_projects:
        failures.append(
            RuleFailure(
                "too_many_concurrent_projects",
                _("The company already has %(n)s projects under way; this call allows at most %(max)s.")
                % {"n": active, "max": call.max_concurrent_projects},
                "company",
            )
        )
    return failures


def funding_failures(app: Application) -> list[RuleFailure]:
    rule = funding_rule_for(app.call, app.target_level_id, app.company.size_class.code)
    if rule is None:
        return [
            RuleFailure(
                "target_level_not_offered",
                _("This call offers no support at target level %(level)s for firms of size class %(size)s.")
                % {"level": app.target_level.name, "size": app.company.size_class.name},
                "target_level",
            )
        ]
    split = FundingSplit(
        total=app.total_cost_krw,
        gov=app.gov_amount_krw,
        partner=app.partner_amount_krw,
        sme=app.sme_amount_krw,
        local=app.local_amount_krw,
    )
    return check_split(rule, split)


def cofunding_failures(app: Application) -> list[RuleFailure]:
    """A win-win application names an agreement that funds its track in its year, under which its
    company is matched, and the partner has confirmed exactly the share in the application."""
    call = app.call
    agreement = app.partner_agreement
    if call.program_type not in WINWIN_TRACKS:
        if agreement is not None:
            return [
                RuleFailure(
                    "partner_not_in_program",
                    _("This call is not a win-win program; remove the partner firm."),
                    "partner_agreement",
                )
            ]
        return []
    if agreement is None:
        return [
            RuleFailure(
                "partner_agreement_missing",
                _("Choose the partner firm that co-funds the project (주관기관)."),
                "partner_agreement",
            )
        ]
    failures: list[RuleFailure] = []
    if call.program_type not in agreement.tracks or agreement.fiscal_year != call.fiscal_year:
        failures.append(
            RuleFailure(
                "partner_track_not_funded",
                _("The partner firm's agreement does not fund this call's track in this year."),
                "partner_agreement",
            )
        )
    if agreement.status != AgreementStatus.ACTIVE:
        failures.append(
            RuleFailure(
                "partner_agreement_not_active",
                _("The partner firm's agreement is not in force."),
                "partner_agreement",
            )
        )
    matched = Match.objects.filter(
        agreement=agreement, company_id=app.company_id, status__in=COFUNDING_MATCH_STATES
    ).exists()
    if not matched:
        failures.append(
            RuleFailure(
                "partner_not_matched",
                _("The company has no accepted match with this partner firm."),
                "partner_agreement",
            )
        )
    if app.partner_confirmed_krw is None:
        failures.append(
            RuleFailure(
                "partner_share_not_confirmed",
                _("The partner firm has not confirmed its share yet."),
                "partner_amount_krw",
            )
        )
    elif app.partner_confirmed_krw != app.partner_amount_krw:
        failures.append(
            RuleFailure(
                "partner_confirmation_outdated",
                _(
                    "The partner firm confirmed %(confirmed)s won, "
                    "but the application now says %(amount)s won."
                )
                % {
                    "confirmed": format_krw(app.partner_confirmed_krw),
                    "amount": format_krw(app.partner_amount_krw),
                },
                "partner_amount_krw",
            )
        )
    return failures


def submission_failures(app: Application, now: dt.datetime) -> list[RuleFailure]:
    """Every rule the application breaks at submission; empty when it may be submitted."""
    failures = window_failures(app, now) + completeness_failures(app)
    failures += eligibility_failures(app)
    failures += cofunding_failures(app)
    if app.total_cost_krw > 0:
        failures += funding_failures(app)
    return failures


def budget_message(remaining: int, requested: int) -> str:
    return str(
        _("The call has %(remaining)s won of budget left; this project needs %(requested)s won.")
        % {"remaining": format_krw(remaining), "requested": format_krw(requested)}
    )
