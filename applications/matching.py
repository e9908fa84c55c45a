"""Matching SMEs with the partner firms of a win-win call: ranked suggestions for one partner, and an
optimal allocation over every partner of the call (preview, then apply).

It lives in `applications` because a candidate's features need application data: its latest
self-assessed level and its prior support. The scoring (partners.scoring) and the allocation
(partners.assignment) are pure functions; this module feeds them from a few set-based queries, so the
cost does not grow in queries with the number of companies (national scale: 20,000 candidates).

Who may do what: officials for every agreement of the call; a partner firm's users for the agreements
of their own consortia only; everyone else is refused.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from applications.models import SUPPORTED_STATES, Application
from companies.models import BusinessStatus, Company, Workplace
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.models import Region, TargetLevel, User
from core.roles import Role
from core.selectors import user_access
from partners.assignment import assign_pairs
from partners.models import (
    LIVE_MATCH_STATES,
    WINWIN_TRACKS,
    AgreementStatus,
    Match,
    SupplyChainTie,
    WinWinAgreement,
)
from partners.scoring import CandidateFeatures, PartnerProfile, eligible_sizes, fit_table, score
from partners.services import Proposal, matches_propose
from programs.models import Call, CallStatus, ExclusionCondition, FundingRule

DEFAULT_SUGGESTIONS = 100
MAX_SUGGESTIONS = 500

# Conditions of a call that exclude a firm, as filters on Company (mirrors applications.checks).
_EXCLUSION_FILTERS = {
    ExclusionCondition.CLOSED_OR_SUSPENDED: ~Q(business_status=BusinessStatus.ACTIVE),
    ExclusionCondition.TAX_ARREARS: Q(has_tax_arrears=True),
    ExclusionCondition.INSOLVENCY: Q(in_insolvency=True),
    ExclusionCondition.FINANCIAL_DELINQUENCY: Q(has_financial_delinquency=True),
}


# --- results -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchLine:
    """One SME with its fit for a partner, and why."""

    company_id: int
    company_name: str
    brn: str
    regions: list[str]
    score: int
    reasons: list[dict[str, Any]]  # {code, label (lazy), points}


@dataclass(frozen=True)
class PartnerAllocation:
    """What the allocation gives one partner firm's agreement."""

    agreement_id: int
    partner_id: int
    partner_name: str
    consortium_name: str
    mentee_quota: int
    live_matches: int
    capacity: int  # places left before this allocation
    lines: list[MatchLine]
    total_score: int

    @property
    def allocated(self) -> int:
        return len(self.lines)


@dataclass(frozen=True)
class MatchingPreview:
    call_id: int
    target_level: str
    target_level_name: str
    candidate_count: int
    allocations: list[PartnerAllocation]
    allocated_count: int
    capacity_total: int
    total_score: int
    fingerprint: str


@dataclass(frozen=True)
class MatchingSuggestions:
    call_id: int
    agreement_id: int
    target_level: str
    target_level_name: str
    candidate_count: int  # SMEs in the call's candidate pool
    eligible_count: int  # of those, eligible for this partner
    capacity: int
    lines: list[MatchLine]


# --- selectors ---------------------------------------------------------------------------------------


def matching_target_levels(call: Call) -> QuerySet[TargetLevel]:
    """Target levels the call funds (those with a funding rule), lowest first."""
    return TargetLevel.objects.filter(
        pk__in=FundingRule.objects.filter(call=call).values("target_level_id")
    ).order_by("sort_order", "id")


def matching_agreements(call: Call) -> QuerySet[WinWinAgreement]:
    """Agreements that can take mentees for the call: in force, of its fiscal year, funding its track."""
    return (
        WinWinAgreement.objects.filter(
            fiscal_year=call.fiscal_year, status=AgreementStatus.ACTIVE, tracks__contains=[call.program_type]
        )
        .select_related("consortium__partner")
        .order_by("consortium__name_ko", "id")
    )


def matching_agreements_for_user(user: User, call: Call) -> QuerySet[WinWinAgreement]:
    """The call's agreements the user may match for: all for officials, their own consortia's for a
    partner firm's users, none for anyone else."""
    access = user_access(user)
    qs = matching_agreements(call)
    if access.has(Role.OFFICIAL):
        return qs
    if access.has(Role.PARTNER):
        return qs.filter(consortium__partner_id__in=access.orgs(Role.PARTNER))
    return qs.none()


def _call_size_codes(call: Call, target_level: TargetLevel) -> frozenset[str]:
    """Sizes the call is open to at this target level (empty = every size): its eligible sizes, narrowed
    to the sizes its funding rules cover when it has no rule for every size."""
    named = frozenset(call.eligible_size_codes)
    rule_sizes = set(
        FundingRule.objects.filter(call=call, target_level=target_level).values_list("size_code", flat=True)
    )
    if not rule_sizes or "" in rule_sizes:
        return named
    return named & rule_sizes if named else frozenset(rule_sizes)


@dataclass(frozen=True)
class _Setting:
    """The call and target level a matching is for, with the firm sizes they admit."""

    call: Call
    level: TargetLevel  # with reference_level loaded
    call_sizes: frozenset[str]  # the call's eligible size codes at this level (empty = all)

    @property
    def track(self) -> str:
        return self.call.program_type

    @property
    def rank(self) -> int:
        return self.level.reference_level.rank

    @property
    def sizes(self) -> frozenset[str] | None:
        return eligible_sizes(self.track, self.call_sizes)


def matching_candidates(call: Call, target_level: TargetLevel) -> list[CandidateFeatures]:
    """Features of every SME that could be matched for the call at the target level, in company id order.

    A candidate is a company in business with an active workplace in the call's eligible regions and
    industries (none named = all), of a firm size the call's track and funding rules admit, not excluded
    by the call's conditions (tax arrears …), and without a live match in the call's fiscal year yet
    (a live match under another agreement of the year is conflicting support, so such a company is left
    out of the pool rather than scored). Its conflicting prior support is a supported project at the
    same target level in a call whose year lies within the call's exclusion period (as in the
    duplicate-support check of applications).

    A fixed number of queries whatever the number of companies.
    """
    return _candidates(_Setting(call, target_level, _call_size_codes(call, target_level)))


def _candidates(setting: _Setting) -> list[CandidateFeatures]:
    call = setting.call
    sizes = setting.sizes
    companies = Company.objects.filter(business_status=BusinessStatus.ACTIVE)
    for condition in call.excluded_conditions:
        exclusion = _EXCLUSION_FILTERS.get(ExclusionCondition(condition))
        if exclusion is not None:
            companies = companies.exclude(exclusion)
    if sizes is not None:
        companies = companies.filter(size_class__code__in=sorted(sizes))
    workplaces = Workplace.objects.filter(is_active=True, company__in=companies)
    region_ids = [r.pk for r in call.eligible_regions.all()]
    if region_ids:
        workplaces = workplaces.filter(region_id__in=region_ids)
    ksic_ids = [k.pk for k in call.eligible_ksic.all()]
    if ksic_ids:
        workplaces = workplaces.filter(ksic_id__in=ksic_ids)

    regions: dict[int, set[str]] = defaultdict(set)
    workplace_counts: dict[int, int] = defaultdict(int)
    for company_id, slug in workplaces.values_list("company_id", "region__slug"):
        regions[company_id].add(slug)
        workplace_counts[company_id] += 1
    matched = set(
        Match.objects.filter(
            agreement__fiscal_year=call.fiscal_year, status__in=LIVE_MATCH_STATES
        ).values_list("company_id", flat=True)
    )
    pool = companies.filter(pk__in=workplaces.values("company_id"))
    # The latest level and prior support of every company, filtered here rather than with a semi-join on
    # the pool: one pass over the applications is faster (national scale: 0.2 s against 0.6 s).
    levels = dict(
        Application.objects.filter(current_level__isnull=False)
        .order_by("company_id", "-created_at", "-id")
        .distinct("company_id")
        .values_list("company_id", "current_level__rank")
    )
    prior: set[int] = set()
    years = call.prior_support_exclusion_years
    if years:
        prior = set(
            Application.objects.filter(
                status__in=SUPPORTED_STATES,
                target_level=setting.level,
                call__fiscal_year__gt=call.fiscal_year - years,
                call__fiscal_year__lte=call.fiscal_year,
            ).values_list("company_id", flat=True)
        )
    rows = pool.order_by("pk").values_list("pk", "brn", "ksic__code", "size_class__code", "employees")
    return [
        CandidateFeatures(
            company_id=pk,
            brn=brn,
            ksic=ksic,
            region_slugs=frozenset(regions[pk]),
            size_code=size_code,
            level_rank=levels.get(pk),
            active_workplaces=workplace_counts[pk],
            employees=employees,
            has_conflicting_prior_support=pk in prior,
        )
        for pk, brn, ksic, size_code, employees in rows
        if pk not in matched
    ]


@dataclass(frozen=True)
class _Agreement:
    """An agreement's profile with what the pages show of it."""

    profile: PartnerProfile
    partner_name: str
    consortium_name: str
    mentee_quota: int
    live_matches: int


def matching_profiles(agreements: list[WinWinAgreement]) -> list[_Agreement]:
    """Profiles of agreements (with `consortium__partner` loaded), in agreement id order: supply-chain
    ties of the partner firm, industries and regions served, tracks, and places left in the mentee quota
    (quota minus live matches). Four queries."""
    ids = sorted(a.pk for a in agreements)
    if not ids:
        return []
    served_regions: dict[int, set[str]] = defaultdict(set)
    for agreement_id, slug in WinWinAgreement.objects.filter(pk__in=ids, regions__isnull=False).values_list(
        "pk", "regions__slug"
    ):
        served_regions[agreement_id].add(slug)
    industries: dict[int, set[str]] = defaultdict(set)
    for agreement_id, code in WinWinAgreement.objects.filter(
        pk__in=ids, industries__isnull=False
    ).values_list("pk", "industries__code"):
        industries[agreement_id].add(code)
    partner_ids = {a.consortium.partner_id for a in agreements}
    ties: dict[int, set[str]] = defaultdict(set)
    for partner_id, brn in SupplyChainTie.objects.filter(partner_id__in=partner_ids).values_list(
        "partner_id", "brn"
    ):
        ties[partner_id].add(brn)
    live = dict(
        Match.objects.filter(agreement_id__in=ids, status__in=LIVE_MATCH_STATES)
        .order_by()
        .values("agreement_id")
        .annotate(n=Count("id"))
        .values_list("agreement_id", "n")
    )
    by_id = {a.pk: a for a in agreements}
    out = []
    for pk in ids:
        agreement = by_id[pk]
        partner_id = agreement.consortium.partner_id
        used = live.get(pk, 0)
        out.append(
            _Agreement(
                profile=PartnerProfile(
                    agreement_id=pk,
                    partner_id=partner_id,
                    tie_brns=frozenset(ties[partner_id]),
                    industries=frozenset(industries[pk]),
                    regions=frozenset(served_regions[pk]),
                    tracks=frozenset(agreement.tracks),
                    remaining_quota=max(0, agreement.mentee_quota - used),
                ),
                partner_name=agreement.consortium.partner.name,
                consortium_name=agreement.consortium.name,
                mentee_quota=agreement.mentee_quota,
                live_matches=used,
            )
        )
    return out


# --- building blocks ---------------------------------------------------------------------------------


def _check_call(call: Call) -> None:
    if call.program_type not in WINWIN_TRACKS:
        raise ValidationFailed(
            _("Matching with partner firms is for win-win calls only."), code="call_not_winwin"
        )
    if call.status == CallStatus.CANCELLED:
        raise Conflict(_("A cancelled call takes no matches."), code="call_cancelled")


def _setting(call: Call, target_level: TargetLevel | None) -> _Setting:
    """The given target level if the call funds it; by default the lowest level the call funds."""
    offered = list(matching_target_levels(call).select_related("reference_level"))
    if not offered:
        raise ValidationFailed(
            _("The call has no funding rules yet, so there is no target level to match for."),
            code="no_target_level",
            fields={"target_level": [_("The call funds no target level.")]},
        )
    level = (
        offered[0] if target_level is None else next((x for x in offered if x.pk == target_level.pk), None)
    )
    if level is None:
        raise ValidationFailed(fields={"target_level": [_("The call does not fund this target level.")]})
    return _Setting(call, level, _call_size_codes(call, level))


def _agreements_in_scope(
    call: Call, actor: User, agreements: list[WinWinAgreement] | None, *, field: str = "agreements"
) -> list[WinWinAgreement]:
    """The agreements to match for, checked against the actor's rights and the call.

    None means every agreement the actor may match for. PermissionDenied for a user who is neither an
    official nor a partner firm's user, or for an agreement of another partner firm; ValidationFailed
    for an agreement that does not take mentees for this call.
    """
    access = user_access(actor)
    if not access.has(Role.OFFICIAL, Role.PARTNER):
        raise PermissionDenied()
    allowed = list(matching_agreements_for_user(actor, call))
    if agreements is None:
        if not allowed and not access.has(Role.OFFICIAL):
            raise PermissionDenied(_("Your firm has no agreement in force for this call's track and year."))
        return allowed
    official = access.has(Role.OFFICIAL)
    own = access.orgs(Role.PARTNER)
    allowed_ids = {a.pk for a in allowed}
    chosen: dict[int, WinWinAgreement] = {}
    for agreement in agreements:
        if not official and agreement.consortium.partner_id not in own:
            raise PermissionDenied()
        if agreement.pk not in allowed_ids:
            raise ValidationFailed(
                fields={
                    field: [
                        _(
                            "The agreement of %(name)s does not take mentees for this call: it must be in "
                            "force, for the call's year, and fund its track."
                        )
                        % {"name": agreement.consortium.name}
                    ]
                }
            )
        chosen[agreement.pk] = agreement
    return [chosen[pk] for pk in sorted(chosen)]


def _region_names() -> dict[str, str]:
    english = (get_language() or "ko").startswith("en")
    return {
        slug: (en or ko) if english else ko
        for slug, ko, en in Region.objects.order_by("sort_order").values_list("slug", "name_ko", "name_en")
    }


def _lines(rows: list[tuple[CandidateFeatures, PartnerProfile]], setting: _Setting) -> list[MatchLine]:
    """Lines with names and reasons for (candidate, partner) pairs that were scored, in the given order."""
    companies = Company.objects.select_related("organisation").in_bulk([c.company_id for c, _p in rows])
    region_names = _region_names() if rows else {}
    lines = []
    for candidate, profile in rows:
        fit = score(candidate, profile, setting.track, setting.rank, call_size_codes=setting.call_sizes)
        if fit is None:  # the pair was scored eligible a moment ago: the two functions disagree
            raise RuntimeError("partners.scoring: score() and fit_table() disagree")
        company = companies[candidate.company_id]
        lines.append(
            MatchLine(
                company_id=candidate.company_id,
                company_name=company.name,
                brn=company.brn_display,
                regions=[region_names.get(s, s) for s in sorted(candidate.region_slugs)],
                score=fit.score,
                reasons=fit.reasons,
            )
        )
    return lines


def _fingerprint(
    setting: _Setting, agreements: list[_Agreement], allocations: list[PartnerAllocation]
) -> str:
    """What the apply must find unchanged: the call and target level, every agreement's places left,
    and the allocation with each pair's score and reasons."""
    call = setting.call
    digest = hashlib.sha256(
        f"{call.pk}|{call.fiscal_year}|{call.program_type}|{setting.level.code}|".encode()
    )
    for agreement in agreements:
        digest.update(f"{agreement.profile.agreement_id}:{agreement.profile.remaining_quota};".encode())
    digest.update(b"|")
    for allocation in allocations:
        for line in allocation.lines:
            codes = ",".join(r["code"] for r in line.reasons)
            digest.update(f"{allocation.agreement_id}:{line.company_id}:{line.score}:{codes};".encode())
    return digest.hexdigest()


def build_matching_preview(
    *, call: Call, target_level: TargetLevel | None, agreements: list[WinWinAgreement]
) -> MatchingPreview:
    """The optimal allocation of the call's candidates over the agreements (with `consortium__partner`
    loaded). No permission check: the services check, and the management command runs as the operator.
    Changes nothing. ValidationFailed for a target level the call does not fund."""
    setting = _setting(call, target_level)
    profiles = matching_profiles(agreements)
    open_profiles = [e.profile for e in profiles if e.profile.remaining_quota > 0]
    candidates = _candidates(setting) if open_profiles else []
    table = fit_table(candidates, open_profiles, setting.track, setting.rank, sizes=setting.sizes)
    company_ids = np.fromiter((c.company_id for c in candidates), dtype=np.int64, count=len(candidates))
    agreement_ids = np.array([p.agreement_id for p in open_profiles], dtype=np.int64)
    result = assign_pairs(
        company_ids[table.candidate],
        agreement_ids[table.partner],
        table.points,
        {p.agreement_id: p.remaining_quota for p in open_profiles},
    )
    del table
    by_company = {c.company_id: c for c in candidates}
    by_agreement = {e.profile.agreement_id: e.profile for e in profiles}
    rows = [
        (by_company[company_id], by_agreement[agreement_id])
        for company_id, agreement_id in sorted(result.allocation.items())
    ]
    grouped: dict[int, list[MatchLine]] = defaultdict(list)
    for (_candidate, profile), line in zip(rows, _lines(rows, setting), strict=True):
        grouped[profile.agreement_id].append(line)
    allocations = []
    for entry in sorted(profiles, key=lambda e: (e.consortium_name, e.profile.agreement_id)):
        mine = sorted(grouped[entry.profile.agreement_id], key=lambda line: (-line.score, line.company_id))
        allocations.append(
            PartnerAllocation(
                agreement_id=entry.profile.agreement_id,
                partner_id=entry.profile.partner_id,
                partner_name=entry.partner_name,
                consortium_name=entry.consortium_name,
                mentee_quota=entry.mentee_quota,
                live_matches=entry.live_matches,
                capacity=entry.profile.remaining_quota,
                lines=mine,
                total_score=sum(line.score for line in mine),
            )
        )
    return MatchingPreview(
        call_id=call.pk,
        target_level=setting.level.code,
        target_level_name=setting.level.name,
        candidate_count=len(candidates),
        allocations=allocations,
        allocated_count=len(result.allocation),
        capacity_total=sum(e.profile.remaining_quota for e in profiles),
        total_score=result.total_score,
        fingerprint=_fingerprint(setting, profiles, allocations),
    )


# --- services ----------------------------------------------------------------------------------------


def matching_suggestions(
    *,
    call: Call,
    agreement: WinWinAgreement,
    actor: User,
    target_level: TargetLevel | None = None,
    limit: int = DEFAULT_SUGGESTIONS,
) -> MatchingSuggestions:
    """The call's candidate SMEs ranked by fit with one partner's agreement (best first, then lower
    company id), at most `limit`, each with its reasons. Changes nothing.

    Refusals: PermissionDenied (neither an official nor the agreement's partner firm), ValidationFailed
    (not a win-win call, a target level the call does not fund, an agreement that takes no mentees for
    the call, a limit outside 1–500), Conflict (a cancelled call).
    """
    _check_call(call)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_SUGGESTIONS:
        raise ValidationFailed(
            fields={"limit": [_("Enter a number from 1 to %(max)s.") % {"max": MAX_SUGGESTIONS}]}
        )
    (chosen,) = _agreements_in_scope(call, actor, [agreement], field="agreement")
    setting = _setting(call, target_level)
    (entry,) = matching_profiles([chosen])
    candidates = _candidates(setting)
    table = fit_table(candidates, [entry.profile], setting.track, setting.rank, sizes=setting.sizes)
    # Candidates are in company id order, so a stable sort by score keeps the lower id first on ties.
    ranked = table.candidate[np.argsort(-table.points, kind="stable")][:limit]
    top = [(candidates[int(i)], entry.profile) for i in ranked]
    return MatchingSuggestions(
        call_id=call.pk,
        agreement_id=chosen.pk,
        target_level=setting.level.code,
        target_level_name=setting.level.name,
        candidate_count=len(candidates),
        eligible_count=len(table.points),
        capacity=entry.profile.remaining_quota,
        lines=_lines(top, setting),
    )


def matching_preview(
    *,
    call: Call,
    actor: User,
    target_level: TargetLevel | None = None,
    agreements: list[WinWinAgreement] | None = None,
) -> MatchingPreview:
    """The allocation of the call's candidate SMEs to its partners' agreements with the greatest total
    fit within every agreement's places left (optimal, deterministic), with totals per partner and a
    fingerprint for `matching_apply`. `agreements` None = every agreement the actor may match for
    (officials: the whole call; a partner firm's user: its own). Changes nothing.

    Refusals as for `matching_suggestions`.
    """
    _check_call(call)
    chosen = _agreements_in_scope(call, actor, agreements)
    return build_matching_preview(call=call, target_level=target_level, agreements=chosen)


@transaction.atomic
def matching_apply(
    *,
    call: Call,
    actor: User,
    fingerprint: str,
    target_level: TargetLevel | None = None,
    agreements: list[WinWinAgreement] | None = None,
) -> MatchingPreview:
    """Propose exactly the matches the preview showed, all or nothing.

    The agreements are locked (in id order) and the allocation computed again; if it differs from the
    preview in any way (fingerprint), Conflict "matching_preview_stale" and nothing is created. The
    matches are proposed in one `partners.services.matches_propose` call (bulk inserts) with their
    scores and reasons (code, points and the label in the current language) and history rows.
    Refusals as for `matching_preview`, and Conflict "nothing_to_match" when the allocation is empty.
    """
    _check_call(call)
    chosen = _agreements_in_scope(call, actor, agreements)
    ids = [a.pk for a in chosen]
    list(WinWinAgreement.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    # Read again under the locks: an agreement closed meanwhile no longer takes mentees.
    fresh = list(matching_agreements(call).filter(pk__in=ids))
    preview = build_matching_preview(call=call, target_level=target_level, agreements=fresh)
    if fingerprint != preview.fingerprint:
        raise Conflict(
            _(
                "The candidates or the partners' places changed since the preview. "
                "Review the new preview and apply again."
            ),
            code="matching_preview_stale",
        )
    if not preview.allocated_count:
        raise Conflict(_("No SME can be matched with these partner firms."), code="nothing_to_match")
    note = str(
        _("Proposed by the matching run (target level %(level)s).") % {"level": preview.target_level_name}
    )
    matches_propose(
        actor=actor,
        proposals=[
            Proposal(
                agreement_id=allocation.agreement_id,
                company_id=line.company_id,
                score=line.score,
                reasons=tuple(
                    {"code": r["code"], "label": str(r["label"]), "points": r["points"]} for r in line.reasons
                ),
            )
            for allocation in preview.allocations
            for line in allocation.lines
        ],
        note=note,
    )
    return preview
