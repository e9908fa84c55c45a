"""Writes of win-win partnerships: consortia, agreements, supply-chain ties, matches, mentors and
mentoring activity. Every match status change writes a history row."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from core.audit import audited
from core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from core.identifiers import normalize_brn
from core.models import KsicDivision, Organisation, Region, User
from core.money import MAX_KRW
from core.roles import OrganisationKind
from partners.models import (
    LIVE_MATCH_STATES,
    WINWIN_TRACKS,
    ActivityKind,
    AgreementStatus,
    Consortium,
    Match,
    MatchStatus,
    MatchStatusChange,
    Mentor,
    MentoringActivity,
    SupplyChainTie,
    WinWinAgreement,
)
from partners.permissions import (
    can_manage_agreement,
    can_manage_consortia,
    can_manage_partner_data,
    can_propose_match,
)
from partners.workflow import MATCH_TRANSITIONS

AGREEMENT_EDITABLE = ("pledged_krw", "mentee_quota", "tracks", "signed_on", "status")


@transaction.atomic
def consortium_create(
    *,
    actor: User,
    partner: Organisation,
    institution: Organisation,
    name_ko: str,
    established_on: dt.date,
    name_en: str = "",
) -> Consortium:
    """Form a consortium of a partner firm and a cooperating institution. Officials only."""
    if not can_manage_consortia(actor):
        raise PermissionDenied()
    errors: dict[str, list[Any]] = {}
    if partner.kind != OrganisationKind.PARTNER:
        errors["partner"] = [_("Choose a partner firm.")]
    if institution.kind != OrganisationKind.INSTITUTION:
        errors["institution"] = [_("Choose a cooperating institution.")]
    if not name_ko.strip():
        errors["name_ko"] = [_("Enter a name.")]
    if errors:
        raise ValidationFailed(fields=errors)
    try:
        with transaction.atomic():
            return Consortium.objects.create(
                partner=partner,
                institution=institution,
                name_ko=name_ko.strip(),
                name_en=name_en.strip(),
                established_on=established_on,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("This partner firm already has a consortium with this institution."), code="consortium_exists"
        ) from exc


def _check_agreement_values(values: dict[str, Any]) -> None:
    errors: dict[str, list[Any]] = {}
    pledged = values.get("pledged_krw")
    if pledged is not None and (
        isinstance(pledged, bool) or not isinstance(pledged, int) or not 0 < pledged <= MAX_KRW
    ):
        errors["pledged_krw"] = [_("Enter the pledge in whole won, greater than zero.")]
    quota = values.get("mentee_quota")
    if quota is not None and (isinstance(quota, bool) or not isinstance(quota, int) or quota <= 0):
        errors["mentee_quota"] = [_("The mentee quota must be at least one.")]
    tracks = values.get("tracks")
    if tracks is not None and (not tracks or any(t not in WINWIN_TRACKS for t in tracks)):
        errors["tracks"] = [_("Choose the win-win tracks the agreement funds.")]
    year = values.get("fiscal_year")
    if year is not None and not 2014 <= year <= 2100:
        errors["fiscal_year"] = [_("The fiscal year must be between 2014 and 2100.")]
    if values.get("status") is not None and values["status"] not in AgreementStatus.values:
        errors["status"] = [_("Unknown status.")]
    if errors:
        raise ValidationFailed(fields=errors)


@audited
@transaction.atomic
def agreement_create(
    *,
    actor: User,
    consortium: Consortium,
    fiscal_year: int,
    pledged_krw: int,
    mentee_quota: int,
    tracks: list[str],
    signed_on: dt.date,
    regions: list[Region] | None = None,
    industries: list[KsicDivision] | None = None,
) -> WinWinAgreement:
    """Record a consortium's win-win agreement for a fiscal year (officials or the institution)."""
    if not can_manage_agreement(actor, consortium):
        raise PermissionDenied()
    tracks = sorted(set(tracks))
    _check_agreement_values(
        {
            "pledged_krw": pledged_krw,
            "mentee_quota": mentee_quota,
            "tracks": tracks,
            "fiscal_year": fiscal_year,
        }
    )
    try:
        with transaction.atomic():
            agreement = WinWinAgreement.objects.create(
                consortium=consortium,
                fiscal_year=fiscal_year,
                pledged_krw=pledged_krw,
                mentee_quota=mentee_quota,
                tracks=tracks,
                signed_on=signed_on,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("This consortium already has an agreement for that fiscal year."), code="agreement_exists"
        ) from exc
    agreement.regions.set(regions or [])
    agreement.industries.set(industries or [])
    return agreement


@audited
@transaction.atomic
def agreement_update(
    *,
    agreement: WinWinAgreement,
    actor: User,
    regions: list[Region] | None = None,
    industries: list[KsicDivision] | None = None,
    **changes: Any,
) -> WinWinAgreement:
    """Change an agreement. The pledge never drops below what is committed, nor the quota below the
    matches that hold a place in it (the pledge is also held by a database constraint)."""
    if not can_manage_agreement(actor, agreement.consortium):
        raise PermissionDenied()
    unknown = set(changes) - set(AGREEMENT_EDITABLE)
    if unknown:
        raise ValidationFailed(fields={k: [_("This field cannot be changed.")] for k in sorted(unknown)})
    if "tracks" in changes:
        changes["tracks"] = sorted(set(changes["tracks"]))
    _check_agreement_values(changes)
    locked = WinWinAgreement.objects.select_for_update().get(pk=agreement.pk)
    if changes.get("pledged_krw", locked.pledged_krw) < locked.committed_krw:
        raise Conflict(
            _("The pledge cannot be lower than what is already committed to applications."),
            code="pledge_below_committed",
            fields={"pledged_krw": [_("Lower than the committed amount.")]},
        )
    live = locked.matches.filter(status__in=LIVE_MATCH_STATES).count()
    if changes.get("mentee_quota", locked.mentee_quota) < live:
        raise Conflict(
            _("The mentee quota cannot be lower than the number of current matches (%(n)s).") % {"n": live},
            code="quota_below_matches",
            fields={"mentee_quota": [_("Lower than the current matches.")]},
        )
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.save()
    if regions is not None:
        locked.regions.set(regions)
    if industries is not None:
        locked.industries.set(industries)
    return locked


@transaction.atomic
def supply_chain_ties_add(
    *, actor: User, partner: Organisation, entries: list[tuple[str, str]]
) -> list[SupplyChainTie]:
    """Record supply-chain SMEs (협력사) of a partner firm by business registration number.

    All or nothing: one invalid number refuses the whole list, naming its line. Numbers already
    recorded are kept as they are.
    """
    if not can_manage_partner_data(actor, partner.pk):
        raise PermissionDenied()
    if partner.kind != OrganisationKind.PARTNER:
        raise ValidationFailed(fields={"partner": [_("Choose a partner firm.")]})
    clean: dict[str, str] = {}
    errors: dict[str, list[Any]] = {}
    for line, (brn, name) in enumerate(entries, start=1):
        try:
            clean.setdefault(normalize_brn(brn), name.strip()[:200])
        except ValidationError as exc:
            errors[f"line {line}"] = list(exc.messages)
    if errors:
        raise ValidationFailed(_("Some business registration numbers are not valid."), fields=errors)
    SupplyChainTie.objects.bulk_create(
        [SupplyChainTie(partner=partner, brn=brn, name=name) for brn, name in clean.items()],
        ignore_conflicts=True,
    )
    return list(SupplyChainTie.objects.filter(partner=partner, brn__in=clean).order_by("brn"))


@transaction.atomic
def supply_chain_tie_remove(*, actor: User, tie: SupplyChainTie) -> None:
    if not can_manage_partner_data(actor, tie.partner_id):
        raise PermissionDenied()
    SupplyChainTie.objects.filter(pk=tie.pk).delete()


def _lock_agreement(agreement_id: int) -> WinWinAgreement:
    return (
        WinWinAgreement.objects.select_related("consortium")
        .select_for_update(of=("self",))
        .get(pk=agreement_id)
    )


@dataclass(frozen=True)
class Proposal:
    """One match to propose: an agreement, a company, and optionally the fit score with its reasons."""

    agreement_id: int
    company_id: int
    score: int | None = None
    reasons: tuple[dict[str, Any], ...] = ()


@audited
@transaction.atomic
def matches_propose(*, actor: User, proposals: list[Proposal], note: str = "") -> list[Match]:
    """Propose partner firms to SMEs, all or nothing, with one history row per match.

    Refusals: PermissionDenied (not the partner of every agreement, nor an official), Conflict when an
    agreement is not in force (agreement_not_active), its mentee quota would be exceeded
    (mentee_quota_reached), a company already has a live match under the agreement (already_matched)
    or under another agreement of the same fiscal year (company_matched_this_year), ValidationFailed for
    a score outside 0–100. Locks: the agreements, then the companies, each in id order.
    """
    if not proposals:
        return []
    if any(p.score is not None and not 0 <= p.score <= 100 for p in proposals):
        raise ValidationFailed(fields={"score": [_("A fit score is between 0 and 100.")]})
    pairs = [(p.agreement_id, p.company_id) for p in proposals]
    if len(set(pairs)) != len(pairs):
        raise ValidationFailed(
            _("A company is proposed twice under one agreement."), code="duplicate_proposal"
        )
    agreements = {
        a.pk: a
        for a in WinWinAgreement.objects.select_related("consortium")
        .select_for_update(of=("self",))
        .filter(pk__in={p.agreement_id for p in proposals})
        .order_by("pk")
    }
    if len(agreements) != len({p.agreement_id for p in proposals}):
        raise ValidationFailed(fields={"agreement": [_("Unknown agreement.")]})
    company_ids = sorted({p.company_id for p in proposals})
    companies = {
        c.pk: c for c in Company.objects.select_for_update().filter(pk__in=company_ids).order_by("pk")
    }
    if len(companies) != len(company_ids):
        raise ValidationFailed(fields={"company": [_("Unknown company.")]})
    for agreement in agreements.values():
        if not can_propose_match(actor, agreement):
            raise PermissionDenied()
        if agreement.status != AgreementStatus.ACTIVE:
            raise Conflict(
                _("Matches can only be proposed under an agreement in force."), code="agreement_not_active"
            )
    live = Counter(
        Match.objects.filter(agreement_id__in=agreements, status__in=LIVE_MATCH_STATES).values_list(
            "agreement_id", flat=True
        )
    )
    for agreement_id, new in Counter(p.agreement_id for p in proposals).items():
        agreement = agreements[agreement_id]
        if live[agreement_id] + new > agreement.mentee_quota:
            raise Conflict(
                _("The agreement's mentee quota of %(n)s is full.") % {"n": agreement.mentee_quota},
                code="mentee_quota_reached",
            )
    existing = Match.objects.filter(
        company_id__in=company_ids,
        status__in=LIVE_MATCH_STATES,
        agreement__fiscal_year__in={a.fiscal_year for a in agreements.values()},
    ).values_list("company_id", "agreement_id", "agreement__fiscal_year")
    taken = {(company_id, year): agreement_id for company_id, agreement_id, year in existing}
    for p in proposals:
        year = agreements[p.agreement_id].fiscal_year
        holder = taken.get((p.company_id, year))
        if holder == p.agreement_id:
            raise Conflict(
                _("This company already has a match under this agreement."), code="already_matched"
            )
        if holder is not None:
            raise Conflict(
                _("%(company)s already has a partner firm for %(year)s.")
                % {"company": companies[p.company_id].name, "year": year},
                code="company_matched_this_year",
            )
        taken[(p.company_id, year)] = p.agreement_id
    matches = Match.objects.bulk_create(
        [
            Match(
                agreement_id=p.agreement_id,
                company_id=p.company_id,
                score=p.score,
                reasons=list(p.reasons),
                proposed_by=actor,
            )
            for p in proposals
        ]
    )
    now = timezone.now()
    MatchStatusChange.objects.bulk_create(
        [
            MatchStatusChange(
                match=match,
                action="propose",
                from_status=MatchStatus.PROPOSED,
                to_status=MatchStatus.PROPOSED,
                actor=actor,
                note=note.strip(),
                at=now,
            )
            for match in matches
        ]
    )
    return matches


@transaction.atomic
def match_propose(
    *,
    actor: User,
    agreement: WinWinAgreement,
    company: Company,
    score: int | None = None,
    reasons: list[dict[str, Any]] | None = None,
    note: str = "",
) -> Match:
    """Propose a partner firm to an SME (see `matches_propose` for the rules and refusals)."""
    proposal = Proposal(agreement.pk, company.pk, score, tuple(reasons or ()))
    [match] = matches_propose(actor=actor, proposals=[proposal], note=note)
    return match


@audited
@transaction.atomic
def match_transition(*, match: Match, actor: User, action: str, note: str = "") -> Match:
    """Apply one row of the match workflow table under a row lock and record it.

    Refusals: ValidationFailed (unknown action, missing note), PermissionDenied (the predicate),
    IllegalTransition (409) when the match is not in a source state.
    """
    transition = MATCH_TRANSITIONS.get(action)
    if transition is None:
        raise ValidationFailed(
            _("Unknown action."), code="unknown_action", fields={"action": [_("Unknown.")]}
        )
    locked = (
        Match.objects.select_related("agreement__consortium", "company")
        .select_for_update(of=("self",))
        .get(pk=match.pk)
    )
    if not transition.permission(actor, locked):
        raise PermissionDenied()
    if locked.status not in transition.sources:
        raise IllegalTransition(
            _("'%(action)s' is not possible for a match that is '%(status)s'.")
            % {"action": transition.label, "status": MatchStatus(locked.status).label}
        )
    if transition.note_required and not note.strip():
        raise ValidationFailed(_("Give a reason."), code="note_required", fields={"note": [_("Required.")]})
    from_status = locked.status
    locked.status = transition.target
    locked.save(update_fields=["status", "updated_at"])
    MatchStatusChange.objects.create(
        match=locked,
        action=action,
        from_status=from_status,
        to_status=transition.target,
        actor=actor,
        note=note.strip(),
        at=timezone.now(),
    )
    return locked


@transaction.atomic
def mentor_create(*, actor: User, partner: Organisation, name: str, expertise: str = "") -> Mentor:
    if not can_manage_partner_data(actor, partner.pk):
        raise PermissionDenied()
    if partner.kind != OrganisationKind.PARTNER:
        raise ValidationFailed(fields={"partner": [_("Choose a partner firm.")]})
    if not name.strip():
        raise ValidationFailed(fields={"name": [_("Enter the mentor's name.")]})
    return Mentor.objects.create(partner=partner, name=name.strip(), expertise=expertise.strip())


@transaction.atomic
def mentor_update(*, mentor: Mentor, actor: User, **changes: Any) -> Mentor:
    if not can_manage_partner_data(actor, mentor.partner_id):
        raise PermissionDenied()
    unknown = set(changes) - {"name", "expertise", "is_active"}
    if unknown:
        raise ValidationFailed(fields={k: [_("This field cannot be changed.")] for k in sorted(unknown)})
    if "name" in changes and not str(changes["name"]).strip():
        raise ValidationFailed(fields={"name": [_("Enter the mentor's name.")]})
    for field, value in changes.items():
        setattr(mentor, field, value.strip() if isinstance(value, str) else value)
    mentor.save()
    return mentor


MENTORING_STATES = frozenset({MatchStatus.ACCEPTED, MatchStatus.ACTIVE})


@transaction.atomic
def mentoring_activity_log(
    *,
    actor: User,
    match: Match,
    mentor: Mentor,
    kind: str,
    date: dt.date,
    hours: Decimal,
    notes: str = "",
) -> MentoringActivity:
    """Record a mentoring session of an accepted or active match by one of the partner's mentors."""
    if not can_manage_partner_data(actor, match.agreement.consortium.partner_id):
        raise PermissionDenied()
    errors: dict[str, list[Any]] = {}
    if match.status not in MENTORING_STATES:
        raise IllegalTransition(
            _("Mentoring can be recorded only for accepted or active matches."), code="match_not_active"
        )
    if mentor.partner_id != match.agreement.consortium.partner_id:
        errors["mentor"] = [_("The mentor belongs to another partner firm.")]
    elif not mentor.is_active:
        errors["mentor"] = [_("This mentor is no longer active.")]
    if kind not in ActivityKind.values:
        errors["kind"] = [_("Unknown kind of activity.")]
    if date > timezone.localdate():
        errors["date"] = [_("The date cannot be in the future.")]
    else:
        accepted_at = (
            match.history.filter(to_status=MatchStatus.ACCEPTED)
            .values_list("at", flat=True)
            .order_by("at")
            .first()
        )
        if accepted_at is not None and date < timezone.localtime(accepted_at).date():
            errors["date"] = [_("The date cannot be before the SME accepted the match.")]
    try:
        hours = Decimal(hours).quantize(Decimal("0.1"))
    except (InvalidOperation, TypeError, ValueError):
        errors["hours"] = [_("Enter hours as a number, for example 2.5.")]
    else:
        # NaN passes quantize() but raises on comparison; treat it (and infinities) as out of range.
        if not hours.is_finite() or not Decimal(0) < hours <= Decimal(24):
            errors["hours"] = [_("Enter between 0.1 and 24 hours.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return MentoringActivity.objects.create(
        match=match, mentor=mentor, kind=kind, date=date, hours=hours, notes=notes.strip(), created_by=actor
    )
