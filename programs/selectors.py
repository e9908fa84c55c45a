"""Reads of calls, their funding rules and rubrics, and national targets."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet

from core.errors import NotFound
from core.models import User
from programs.models import Call, CallQuerySet, CallStatus, FundingRule, NationalTarget, RubricCriterion
from programs.permissions import can_see_unpublished_calls


def call_list_for_user(user: User | AnonymousUser) -> CallQuerySet:
    """Officials and auditors see every call; everyone else sees published calls only."""
    qs = Call.objects.all()
    if not can_see_unpublished_calls(user):
        qs = qs.filter(status=CallStatus.PUBLISHED)
    return qs.order_by("-fiscal_year", "-round", "program_type", "id")


def call_get_for_user(user: User | AnonymousUser, call_id: object) -> Call:
    try:
        pk = int(str(call_id))
    except ValueError as exc:
        raise NotFound() from exc
    call = (
        call_list_for_user(user)
        .prefetch_related(
            Prefetch("funding_rules", queryset=FundingRule.objects.select_related("target_level")),
            Prefetch("rubric", queryset=RubricCriterion.objects.order_by("order", "id")),
            "eligible_ksic",
            "eligible_regions",
        )
        .filter(pk=pk)
        .first()
    )
    if call is None:
        raise NotFound()
    return call


def funding_rule_for(call: Call, target_level_id: int, size_code: str) -> FundingRule | None:
    """The rule for this target level and firm size; a size-specific rule wins over the general one."""
    rules = {
        r.size_code: r
        for r in FundingRule.objects.filter(
            call=call, target_level_id=target_level_id, size_code__in=[size_code, ""]
        )
    }
    return rules.get(size_code) or rules.get("")


def rubric_for(call: Call) -> list[RubricCriterion]:
    return list(RubricCriterion.objects.filter(call=call).order_by("order", "id"))


def national_target_list(*, active_only: bool = True) -> QuerySet[NationalTarget]:
    qs = NationalTarget.objects.all()
    return qs.filter(is_active=True) if active_only else qs
