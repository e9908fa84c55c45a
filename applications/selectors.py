"""Reads of applications, their history, flags and evaluation, scoped to what the user may see."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet

from applications.models import (
    AGREEMENT_STATES,
    PENDING_STATES,
    SUPPORTED_STATES,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    ChangeRequest,
    ConflictStatus,
    DuplicateFlag,
    EvaluationScore,
    EvaluatorAssignment,
    ProjectAgreement,
)
from applications.permissions import can_see_evaluations
from core.errors import NotFound
from core.models import User
from core.roles import Role
from core.selectors import user_access
from partners.models import COFUNDING_MATCH_STATES, AgreementStatus, WinWinAgreement
from programs.models import Call

AnyUser = User | AnonymousUser


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except ValueError as exc:
        raise NotFound() from exc


def application_scope(user: AnyUser) -> Q | None:
    """The one place that decides which applications a user may see; None means all of them.

    Officials and auditors see every application. SME users see their company's; suppliers the ones
    naming them; partner firms those their agreements co-fund (drafts included, to confirm their
    share); cooperating institutions the submitted ones of the consortia they administer; regional
    officers the submitted ones in their region; evaluators those assigned to them once they have
    declared no conflict of interest; finance officers supported projects.
    """
    access = user_access(user)
    if access.has(Role.OFFICIAL, Role.AUDITOR):
        return None
    scope = Q(pk__in=[])
    # A draft withdrawn before submission was never submitted: it stays with the applicant.
    submitted = ~Q(status=ApplicationStatus.DRAFT) & ~Q(
        status=ApplicationStatus.WITHDRAWN, submitted_at__isnull=True
    )
    if access.has(Role.SME):
        scope |= Q(company__organisation_id__in=access.orgs(Role.SME))
    if access.has(Role.SUPPLIER):
        scope |= Q(supplier__organisation_id__in=access.orgs(Role.SUPPLIER))
    if access.has(Role.PARTNER):
        # Drafts too: the partner firm confirms its share before the SME submits.
        scope |= Q(partner_agreement__consortium__partner_id__in=access.orgs(Role.PARTNER))
    if access.has(Role.INSTITUTION):
        scope |= (
            Q(partner_agreement__consortium__institution_id__in=access.orgs(Role.INSTITUTION)) & submitted
        )
    if access.has(Role.REGIONAL_OFFICER):
        scope |= Q(region_id__in=access.region_ids) & submitted
    if access.has(Role.EVALUATOR):
        scope |= Q(
            pk__in=EvaluatorAssignment.objects.filter(
                evaluator_id=access.user_id, conflict_status=ConflictStatus.NO_CONFLICT
            ).values("application_id")
        ) & ~Q(status=ApplicationStatus.DRAFT)
    if access.has(Role.FINANCE):
        # Finance officers see every project that holds or held money: selected, under agreement,
        # settled and terminated ones.
        scope |= Q(status__in=SUPPORTED_STATES | AGREEMENT_STATES)
    return scope


def application_list_for_user(user: AnyUser) -> QuerySet[Application]:
    qs = Application.objects.with_related()
    scope = application_scope(user)
    return qs if scope is None else qs.filter(scope)


def application_get_for_user(user: AnyUser, application_id: object) -> Application:
    """The application if the user may see it; NotFound otherwise (also for ids that do not exist)."""
    application = application_list_for_user(user).filter(pk=_pk(application_id)).first()
    if application is None:
        raise NotFound()
    return application


def application_history(application: Application) -> QuerySet[ApplicationStatusChange]:
    return application.history.select_related("actor").order_by("at", "id")


def duplicate_flags_for(user: AnyUser, application: Application) -> QuerySet[DuplicateFlag]:
    """Duplicate-support flags are internal to reviewers; applicants do not see them."""
    if not can_see_evaluations(user):
        return DuplicateFlag.objects.none()
    return application.duplicate_flags.select_related(
        "earlier_application__call", "earlier_application__workplace", "overridden_by"
    )


def duplicate_flag_get_for_user(user: AnyUser, flag_id: object) -> DuplicateFlag:
    flag = (
        DuplicateFlag.objects.select_related("application")
        .filter(pk=_pk(flag_id), application__in=application_list_for_user(user))
        .first()
    )
    if flag is None or not can_see_evaluations(user):
        raise NotFound()
    return flag


def earlier_supported_projects(application: Application) -> QuerySet[Application]:
    """Supported projects of the same workplace or company, at the same target level, in any call whose
    fiscal year lies within the application's call's prior-support exclusion period (before it, or in
    the same year)."""
    years = application.call.prior_support_exclusion_years
    if years == 0:
        return Application.objects.none()
    first_year = application.call.fiscal_year - years
    return (
        Application.objects.filter(
            Q(workplace_id=application.workplace_id) | Q(company_id=application.company_id),
            target_level_id=application.target_level_id,
            status__in=SUPPORTED_STATES,
            call__fiscal_year__gt=first_year,
            call__fiscal_year__lte=application.call.fiscal_year,
        )
        .exclude(pk=application.pk)
        .select_related("call", "workplace")
        .order_by("-call__fiscal_year", "id")
    )


def cofunding_agreements_for(application: Application) -> QuerySet[WinWinAgreement]:
    """Agreements that may co-fund this application: in force, for its call's year and track, and with
    an accepted or active match of its company."""
    call = application.call
    return (
        WinWinAgreement.objects.filter(
            status=AgreementStatus.ACTIVE,
            fiscal_year=call.fiscal_year,
            tracks__contains=[call.program_type],
            matches__company_id=application.company_id,
            matches__status__in=COFUNDING_MATCH_STATES,
        )
        .select_related("consortium__partner")
        .distinct()
        .order_by("consortium__name_ko", "id")
    )


def pending_duplicates_of(selected: Application) -> list[Application]:
    """Applications still waiting for a decision that the selection of `selected` makes a duplicate:
    same workplace or company, same target level, and `selected`'s call year within their own call's
    exclusion period on either side (two supports that close together are a duplicate whichever
    came first)."""
    candidates = (
        Application.objects.filter(
            Q(workplace_id=selected.workplace_id) | Q(company_id=selected.company_id),
            target_level_id=selected.target_level_id,
            status__in=PENDING_STATES,
        )
        .exclude(pk=selected.pk)
        .select_related("call")
    )
    year = selected.call.fiscal_year
    return [
        app for app in candidates if abs(app.call.fiscal_year - year) < app.call.prior_support_exclusion_years
    ]


def assignment_list_for_user(user: AnyUser) -> QuerySet[EvaluatorAssignment]:
    """Evaluators see their own assignments; officials, auditors and regional officers those they may see."""
    qs = EvaluatorAssignment.objects.select_related(
        "application__call",
        "application__company__organisation",
        "application__supplier__organisation",
        "application__target_level",
        "evaluator",
    )
    access = user_access(user)
    if access.has(Role.OFFICIAL, Role.AUDITOR):
        return qs
    scope = Q(evaluator_id=access.user_id) if access.has(Role.EVALUATOR) else Q(pk__in=[])
    if access.has(Role.REGIONAL_OFFICER):
        scope |= Q(application__region_id__in=access.region_ids)
    return qs.filter(scope)


def assignment_get_for_user(user: AnyUser, assignment_id: object) -> EvaluatorAssignment:
    assignment = assignment_list_for_user(user).filter(pk=_pk(assignment_id)).first()
    if assignment is None:
        raise NotFound()
    return assignment


def assignments_for_application(user: AnyUser, application: Application) -> QuerySet[EvaluatorAssignment]:
    if not can_see_evaluations(user):
        return EvaluatorAssignment.objects.none()
    return (
        application.assignments.select_related("evaluator")
        .prefetch_related(Prefetch("scores", queryset=EvaluationScore.objects.select_related("criterion")))
        .order_by("assigned_at", "id")
    )


def submitted_totals(application: Application) -> list[tuple[int, object]]:
    return list(
        application.assignments.filter(submitted_at__isnull=False).values_list("evaluator_id", "total_score")
    )


def status_counts(applications: QuerySet[Application]) -> dict[str, int]:
    rows = applications.order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def selection_candidates(call: Call) -> QuerySet[Application]:
    """Applications of a call that can be selected, best score first (ties: earlier submission), each
    with `open_flags`, the number of its duplicate-support flags not yet overridden."""
    return (
        Application.objects.filter(
            call=call,
            status__in=[ApplicationStatus.EVALUATION, ApplicationStatus.WAITLISTED],
            evaluation_score__isnull=False,
        )
        .annotate(open_flags=Count("duplicate_flags", filter=Q(duplicate_flags__overridden_at__isnull=True)))
        .select_related("company__organisation", "workplace", "target_level")
        .order_by("-evaluation_score", "submitted_at", "id")
    )


def evaluators_for_assignment(exclude_ids: Iterable[int] = ()) -> QuerySet[User]:
    """Users who hold the evaluator role, for the assignment form."""
    return (
        User.objects.filter(is_active=True, memberships__role=Role.EVALUATOR, memberships__is_active=True)
        .exclude(pk__in=list(exclude_ids))
        .distinct()
        .order_by("display_name", "username")
    )


def agreement_scope(user: AnyUser) -> Q | None:
    """Agreements of the applications the user may see; finance officers see every agreement (they
    approve and pay), terminated ones included. None means all."""
    if user_access(user).has(Role.FINANCE):
        return None
    scope = application_scope(user)
    return None if scope is None else Q(application__in=Application.objects.filter(scope))


def agreement_list_for_user(user: AnyUser) -> QuerySet[ProjectAgreement]:
    qs = ProjectAgreement.objects.select_related(
        "application__call",
        "application__company__organisation",
        "application__workplace",
        "supplier__organisation",
    )
    scope = agreement_scope(user)
    return (qs if scope is None else qs.filter(scope)).order_by("-id")


def agreement_get_for_user(user: AnyUser, agreement_id: object) -> ProjectAgreement:
    agreement = agreement_list_for_user(user).prefetch_related("funding").filter(pk=_pk(agreement_id)).first()
    if agreement is None:
        raise NotFound()
    return agreement


def change_request_list_for_user(user: AnyUser) -> QuerySet[ChangeRequest]:
    qs = ChangeRequest.objects.select_related("agreement__application__call", "filed_by", "decided_by")
    scope = agreement_scope(user)
    if scope is not None:
        qs = qs.filter(agreement__in=ProjectAgreement.objects.filter(scope))
    return qs.order_by("-filed_at", "-id")


def change_request_get_for_user(user: AnyUser, change_id: object) -> ChangeRequest:
    change = change_request_list_for_user(user).filter(pk=_pk(change_id)).first()
    if change is None:
        raise NotFound()
    return change
