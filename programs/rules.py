"""Checks of an application's co-funding split against the call's funding rule.

Pure functions over integers: shares are compared exactly (`part × 10,000 ≤ bp × total`), never through
rounded percentages, so a split that is one won over a limit is refused and one exactly at it passes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.money import format_bp, format_krw
from programs.models import BP_100_PERCENT, FundingRule


@dataclass(frozen=True)
class FundingSplit:
    total: int
    gov: int
    partner: int
    sme: int
    local: int = 0


@dataclass(frozen=True)
class RuleFailure:
    """One rule an application breaks: a stable code, a message that names the rule, and the field."""

    code: str
    message: str | Promise
    field: str


def _share_at_most(part: int, bp: int, total: int) -> bool:
    return part * BP_100_PERCENT <= bp * total


def _share_at_least(part: int, bp: int, total: int) -> bool:
    return part * BP_100_PERCENT >= bp * total


def check_split(rule: FundingRule, split: FundingSplit) -> list[RuleFailure]:
    """Every way `split` breaks `rule`; empty when it complies."""
    failures: list[RuleFailure] = []
    amounts = {"gov": split.gov, "partner": split.partner, "sme": split.sme, "local": split.local}
    if split.total <= 0:
        return [RuleFailure("total_cost_missing", _("Enter the total project cost."), "total_cost_krw")]
    if any(v < 0 for v in amounts.values()):
        return [RuleFailure("amount_negative", _("Amounts cannot be negative."), "total_cost_krw")]
    if sum(amounts.values()) != split.total:
        failures.append(
            RuleFailure(
                "split_sum_mismatch",
                _(
                    "Government, partner, SME and local-government amounts (%(sum)s won) must add up to "
                    "the total project cost (%(total)s won)."
                )
                % {"sum": format_krw(sum(amounts.values())), "total": format_krw(split.total)},
                "total_cost_krw",
            )
        )
        return failures
    total = split.total
    if split.gov > rule.gov_cap_krw:
        failures.append(
            RuleFailure(
                "gov_cap_exceeded",
                _("Government support of %(amount)s won exceeds this call's cap of %(cap)s won.")
                % {"amount": format_krw(split.gov), "cap": format_krw(rule.gov_cap_krw)},
                "gov_amount_krw",
            )
        )
    if rule.total_cap_krw is not None and total > rule.total_cap_krw:
        failures.append(
            RuleFailure(
                "total_cap_exceeded",
                _("The total project cost of %(amount)s won exceeds this call's cap of %(cap)s won.")
                % {"amount": format_krw(total), "cap": format_krw(rule.total_cap_krw)},
                "total_cost_krw",
            )
        )
    limits: list[tuple[bool, str, str | Promise, str]] = [
        (
            _share_at_most(split.gov, rule.gov_max_bp, total),
            "gov_share_exceeded",
            _("The government share may be at most %(bp)s of the total project cost.")
            % {"bp": format_bp(rule.gov_max_bp)},
            "gov_amount_krw",
        )
    ]
    if rule.gov_min_bp is not None:
        limits.append(
            (
                _share_at_least(split.gov, rule.gov_min_bp, total),
                "gov_share_too_low",
                _("The government share must be at least %(bp)s of the total project cost.")
                % {"bp": format_bp(rule.gov_min_bp)},
                "gov_amount_krw",
            )
        )
    if rule.partner_min_bp is not None:
        limits.append(
            (
                _share_at_least(split.partner, rule.partner_min_bp, total),
                "partner_share_too_low",
                _("The partner firm's share must be at least %(bp)s of the total project cost.")
                % {"bp": format_bp(rule.partner_min_bp)},
                "partner_amount_krw",
            )
        )
    if rule.partner_max_bp is not None:
        limits.append(
            (
                _share_at_most(split.partner, rule.partner_max_bp, total),
                "partner_share_exceeded",
                _("The partner firm's share may be at most %(bp)s of the total project cost.")
                % {"bp": format_bp(rule.partner_max_bp)},
                "partner_amount_krw",
            )
        )
    if rule.sme_max_bp is not None:
        limits.append(
            (
                _share_at_most(split.sme, rule.sme_max_bp, total),
                "sme_share_exceeded",
                _("The SME's own share may be at most %(bp)s of the total project cost.")
                % {"bp": format_bp(rule.sme_max_bp)},
                "sme_amount_krw",
            )
        )
    if rule.combined_max_bp is not None:
        limits.append(
            (
                _share_at_most(split.gov + split.partner, rule.combined_max_bp, total),
                "combined_support_exceeded",
                _("Government and partner support together may be at most %(bp)s of the total project cost.")
                % {"bp": format_bp(rule.combined_max_bp)},
                "partner_amount_krw",
            )
        )
    if split.local > 0:
        if rule.local_max_bp is None:
            limits.append(
                (
                    False,
                    "local_top_up_not_allowed",
                    _("This call does not allow a local-government top-up."),
                    "local_amount_krw",
                )
            )
        else:
            limits.append(
                (
                    _share_at_most(split.local, rule.local_max_bp, total),
                    "local_share_exceeded",
                    _("The local-government top-up may be at most %(bp)s of the total project cost.")
                    % {"bp": format_bp(rule.local_max_bp)},
                    "local_amount_krw",
                )
            )
    failures.extend(RuleFailure(code, message, field) for ok, code, message, field in limits if not ok)
    return failures
