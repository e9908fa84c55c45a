"""Writes of calls, funding rules, rubrics and national targets. Only officials run calls."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audited
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.models import FirmSizeClass, KsicDivision, Region, TargetLevel, User
from programs.models import (
    BP_100_PERCENT,
    Call,
    CallStatus,
    ExclusionCondition,
    FundingRule,
    NationalTarget,
    ProgramType,
    RubricCriterion,
)
from programs.permissions import can_manage_calls

CALL_FIELDS = (
    "fiscal_year",
    "round",
    "program_type",
    "title_ko",
    "title_en",
    "description",
    "budget_krw",
    "target_count",
    "opens_at",
    "closes_at",
    "eligible_size_codes",
    "excluded_conditions",
    "prior_support_exclusion_years",
    "max_concurrent_projects",
    "pass_score",
)


def _require_official(actor: User) -> None:
    if not can_manage_calls(actor):
        raise PermissionDenied(_("Only ministry officials can manage calls."))


def _validate_call_values(values: dict[str, Any]) -> None:
    errors: dict[str, list[Any]] = {}
    if values["program_type"] not in ProgramType.values:
        errors["program_type"] = [_("Unknown program type.")]
    if values["closes_at"] <= values["opens_at"]:
        errors["closes_at"] = [_("The call must close after it opens.")]
    if not 2014 <= values["fiscal_year"] <= 2100:
        errors["fiscal_year"] = [_("The fiscal year must be between 2014 and 2100.")]
    if values["budget_krw"] <= 0:
        errors["budget_krw"] = [_("The budget must be greater than zero.")]
    if values["target_count"] <= 0:
        errors["target_count"] = [_("The target number of projects must be greater than zero.")]
    sizes = set(FirmSizeClass.objects.values_list("code", flat=True))
    if any(code not in sizes for code in values["eligible_size_codes"]):
        errors["eligible_size_codes"] = [_("Unknown firm-size class.")]
    if any(c not in ExclusionCondition.values for c in values["excluded_conditions"]):
        errors["excluded_conditions"] = [_("Unknown exclusion condition.")]
    if not Decimal(0) <= Decimal(values["pass_score"]) <= Decimal(100):
        errors["pass_score"] = [_("The pass score must be between 0 and 100.")]
    if errors:
        raise ValidationFailed(fields=errors)


@audited
@transaction.atomic
def call_create(
    *,
    actor: User,
    fiscal_year: int,
    round: int,
    program_type: str,
    title_ko: str,
    budget_krw: int,
    target_count: int,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    title_en: str = "",
    description: str = "",
    eligible_size_codes: list[str] | None = None,
    eligible_ksic: list[KsicDivision] | None = None,
    eligible_regions: list[Region] | None = None,
    excluded_conditions: list[str] | None = None,
    prior_support_exclusion_years: int = 3,
    max_concurrent_projects: int = 2,
    pass_score: Decimal = Decimal(70),
) -> Call:
    """Create a call in draft. Raises PermissionDenied for non-officials, ValidationFailed for bad values,
    Conflict when the same year, type and round exists."""
    _require_official(actor)
    values: dict[str, Any] = {
        "fiscal_year": fiscal_year,
        "round": round,
        "program_type": program_type,
        "title_ko": title_ko.strip(),
        "title_en": title_en.strip(),
        "description": description,
        "budget_krw": budget_krw,
        "target_count": target_count,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "eligible_size_codes": sorted(set(eligible_size_codes or [])),
        "excluded_conditions": sorted(set(excluded_conditions or [])),
        "prior_support_exclusion_years": prior_support_exclusion_years,
        "max_concurrent_projects": max_concurrent_projects,
        "pass_score": pass_score,
    }
    _validate_call_values(values)
    if not values["title_ko"]:
        raise ValidationFailed(fields={"title_ko": [_("Enter a title.")]})
    try:
        with transaction.atomic():
            call = Call.objects.create(created_by=actor, **values)
    except IntegrityError as exc:
        raise Conflict(
            _("A call of this program type and round already exists for that fiscal year."),
            code="call_exists",
        ) from exc
    call.eligible_ksic.set(eligible_ksic or [])
    call.eligible_regions.set(eligible_regions or [])
    return call


@audited
@transaction.atomic
def call_update(
    *,
    call: Call,
    actor: User,
    eligible_ksic: list[KsicDivision] | None = None,
    eligible_regions: list[Region] | None = None,
    **changes: Any,
) -> Call:
    """Change a call. The budget can never drop below what is already committed, nor the target count
    below the projects already selected (also held by database constraints)."""
    _require_official(actor)
    unknown = set(changes) - set(CALL_FIELDS)
    if unknown:
        raise ValidationFailed(fields={k: [_("This field cannot be changed.")] for k in sorted(unknown)})
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.status == CallStatus.CANCELLED:
        raise Conflict(_("A cancelled call cannot be changed."), code="call_cancelled")
    values = {f: getattr(locked, f) for f in CALL_FIELDS} | changes
    _validate_call_values(values)
    if values["budget_krw"] < locked.committed_krw:
        raise Conflict(
            _("The budget cannot be lower than the support already committed to selected projects."),
            code="budget_below_committed",
            fields={"budget_krw": [_("Lower than the committed amount.")]},
        )
    if values["target_count"] < locked.selected_count:
        raise Conflict(
            _("The target number cannot be lower than the number of projects already selected."),
            code="target_below_selected",
            fields={"target_count": [_("Lower than the number selected.")]},
        )
    if locked.status == CallStatus.PUBLISHED and (
        values["program_type"] != locked.program_type or values["fiscal_year"] != locked.fiscal_year
    ):
        raise Conflict(
            _("The program type and year of a published call cannot change."), code="call_published"
        )
    for field, value in changes.items():
        setattr(locked, field, value)
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError as exc:
        raise Conflict(
            _("A call of this program type and round already exists for that fiscal year."),
            code="call_exists",
        ) from exc
    if eligible_ksic is not None:
        locked.eligible_ksic.set(eligible_ksic)
    if eligible_regions is not None:
        locked.eligible_regions.set(eligible_regions)
    return locked


@audited
@transaction.atomic
def call_publish(*, call: Call, actor: User) -> Call:
    """Publish a draft call. It needs a funding rule and a rubric whose weights add up to 100."""
    _require_official(actor)
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.status != CallStatus.DRAFT:
        raise Conflict(_("Only a draft call can be published."), code="illegal_transition")
    problems: dict[str, list[Any]] = {}
    if not locked.funding_rules.exists():
        problems["funding_rules"] = [_("Add at least one funding rule (caps and shares).")]
    weights = sum(locked.rubric.values_list("weight", flat=True))
    if weights != 100:
        problems["rubric"] = [
            _("The rubric's weights must add up to 100 (now %(sum)s).") % {"sum": weights},
        ]
    if problems:
        raise ValidationFailed(
            _("The call is not ready to publish."), code="call_incomplete", fields=problems
        )
    locked.status = CallStatus.PUBLISHED
    locked.save(update_fields=["status", "updated_at"])
    return locked


@audited
@transaction.atomic
def call_cancel(*, call: Call, actor: User) -> Call:
    _require_official(actor)
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.selected_count > 0:
        raise Conflict(_("A call with selected projects cannot be cancelled."), code="call_has_selections")
    if locked.status == CallStatus.CANCELLED:
        raise Conflict(_("The call is already cancelled."), code="illegal_transition")
    locked.status = CallStatus.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    return locked


RULE_SHARE_FIELDS = (
    "gov_max_bp",
    "gov_min_bp",
    "partner_min_bp",
    "partner_max_bp",
    "sme_max_bp",
    "combined_max_bp",
    "local_max_bp",
)


@transaction.atomic
def funding_rule_set(
    *,
    call: Call,
    actor: User,
    target_level: TargetLevel,
    gov_cap_krw: int,
    gov_max_bp: int,
    size_code: str = "",
    total_cap_krw: int | None = None,
    gov_min_bp: int | None = None,
    partner_min_bp: int | None = None,
    partner_max_bp: int | None = None,
    sme_max_bp: int | None = None,
    combined_max_bp: int | None = None,
    local_max_bp: int | None = None,
) -> FundingRule:
    """Create or replace the rule for a target level (and firm size) of a call. Refused (Conflict) once a
    published call has opened: applicants have been checked against the rules from then on."""
    _require_official(actor)
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.status == CallStatus.CANCELLED or (
        locked.status == CallStatus.PUBLISHED and locked.opens_at <= timezone.now()
    ):
        raise Conflict(
            _("The funding rules of a call cannot change once it has opened for applications."),
            code="call_rules_frozen",
        )
    shares = {
        "gov_max_bp": gov_max_bp,
        "gov_min_bp": gov_min_bp,
        "partner_min_bp": partner_min_bp,
        "partner_max_bp": partner_max_bp,
        "sme_max_bp": sme_max_bp,
        "combined_max_bp": combined_max_bp,
        "local_max_bp": local_max_bp,
    }
    errors: dict[str, list[Any]] = {
        k: [_("A share is between 0 and 10,000 basis points (100 %).")]
        for k, v in shares.items()
        if v is not None and not 0 <= v <= BP_100_PERCENT
    }
    if gov_cap_krw <= 0:
        errors["gov_cap_krw"] = [_("The cap must be greater than zero.")]
    if total_cap_krw is not None and total_cap_krw <= 0:
        errors["total_cap_krw"] = [_("The cap must be greater than zero.")]
    if gov_min_bp is not None and gov_min_bp > gov_max_bp:
        errors["gov_min_bp"] = [_("The minimum cannot exceed the maximum.")]
    if partner_min_bp is not None and partner_max_bp is not None and partner_min_bp > partner_max_bp:
        errors["partner_min_bp"] = [_("The minimum cannot exceed the maximum.")]
    if size_code and not FirmSizeClass.objects.filter(code=size_code).exists():
        errors["size_code"] = [_("Unknown firm-size class.")]
    if errors:
        raise ValidationFailed(fields=errors)
    rule, _created = FundingRule.objects.update_or_create(
        call=call,
        target_level=target_level,
        size_code=size_code,
        defaults={"gov_cap_krw": gov_cap_krw, "total_cap_krw": total_cap_krw, **shares},
    )
    return rule


@transaction.atomic
def rubric_set(*, call: Call, actor: User, criteria: list[dict[str, Any]]) -> list[RubricCriterion]:
    """Replace the call's rubric. Refused once any evaluator has submitted scores for the call.

    Each criterion: code, name_ko, name_en, weight, max_score, description. Weights add up to 100.
    """
    _require_official(actor)
    locked = Call.objects.select_for_update().get(pk=call.pk)
    codes = [c.get("code") for c in criteria]
    errors: dict[str, list[Any]] = {}
    if not criteria:
        errors["criteria"] = [_("Add at least one criterion.")]
    if len(set(codes)) != len(codes):
        errors["criteria"] = [_("Criterion codes must be unique.")]
    if sum(int(c.get("weight", 0)) for c in criteria) != 100:
        errors["weight"] = [_("The weights must add up to 100.")]
    if any(int(c.get("weight", 0)) <= 0 or int(c.get("max_score", 10)) <= 0 for c in criteria):
        errors["max_score"] = [_("Weights and maximum scores must be greater than zero.")]
    if errors:
        raise ValidationFailed(fields=errors)
    try:
        # Scores protect their criteria (on_delete=PROTECT), so a scored rubric cannot be replaced.
        with transaction.atomic():
            RubricCriterion.objects.filter(call=locked).delete()
    except ProtectedError as exc:
        raise Conflict(
            _("The rubric cannot change after scores have been submitted."), code="rubric_in_use"
        ) from exc
    return RubricCriterion.objects.bulk_create(
        [
            RubricCriterion(
                call=locked,
                order=i,
                code=c["code"],
                name_ko=c["name_ko"],
                name_en=c.get("name_en", ""),
                description=c.get("description", ""),
                weight=int(c["weight"]),
                max_score=int(c.get("max_score", 10)),
            )
            for i, c in enumerate(criteria, start=1)
        ]
    )


@transaction.atomic
def national_target_save(*, actor: User, code: str, **values: Any) -> NationalTarget:
    """Create or update a national target by its code."""
    _require_official(actor)
    if values.get("deadline") and values.get("counts_from") and values["deadline"] <= values["counts_from"]:
        raise ValidationFailed(fields={"deadline": [_("The deadline must come after the start.")]})
    target, _created = NationalTarget.objects.update_or_create(code=code, defaults=values)
    return target
