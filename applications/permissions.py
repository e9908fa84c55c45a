"""Pure predicates: may this user do this to this application? Visibility is the selectors' job."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from applications.models import Application, ApplicationStatus, EvaluatorAssignment
from core.models import User
from core.roles import Role
from core.selectors import user_access

AnyUser = User | AnonymousUser


def is_applicant(user: AnyUser, application: Application) -> bool:
    """The user acts for the applying company."""
    return application.company.organisation_id in user_access(user).orgs(Role.SME)


def can_edit_draft(user: AnyUser, application: Application) -> bool:
    return application.status == ApplicationStatus.DRAFT and is_applicant(user, application)


def can_submit_application(user: AnyUser, application: Application) -> bool:
    return is_applicant(user, application)


def can_withdraw_application(user: AnyUser, application: Application) -> bool:
    return is_applicant(user, application)


def can_screen_application(user: AnyUser, application: Application) -> bool:
    """Officials nationwide; regional center officers for workplaces in their region."""
    access = user_access(user)
    return access.has(Role.OFFICIAL) or (
        access.has(Role.REGIONAL_OFFICER) and application.region_id in access.region_ids
    )


def can_decide_application(user: AnyUser, application: Application) -> bool:
    """Selection, rejection and waitlisting are ministry decisions."""
    return user_access(user).has(Role.OFFICIAL)


def can_assign_evaluators(user: AnyUser, application: Application) -> bool:
    return user_access(user).has(Role.OFFICIAL)


def can_override_duplicate_flag(user: AnyUser, application: Application) -> bool:
    return user_access(user).has(Role.OFFICIAL)


def can_manage_project(user: AnyUser, application: Application) -> bool:
    """Agreements and inspections: officials, and the regional center of the workplace's region."""
    return can_screen_application(user, application)


def is_cofunding_partner(user: AnyUser, application: Application) -> bool:
    """The user acts for the partner firm whose agreement co-funds the application."""
    agreement = application.partner_agreement
    return agreement is not None and agreement.consortium.partner_id in user_access(user).orgs(Role.PARTNER)


def can_confirm_partner_share(user: AnyUser, application: Application) -> bool:
    return is_cofunding_partner(user, application)


def can_declare_conflict(user: AnyUser, assignment: EvaluatorAssignment) -> bool:
    return (
        user.is_authenticated and assignment.evaluator_id == user.pk and user_access(user).has(Role.EVALUATOR)
    )


def can_score(user: AnyUser, assignment: EvaluatorAssignment) -> bool:
    return can_declare_conflict(user, assignment)


def can_see_evaluations(user: AnyUser) -> bool:
    """Scores and evaluators' comments are never shown to applicants, suppliers or partners."""
    return user_access(user).has(Role.OFFICIAL, Role.AUDITOR, Role.REGIONAL_OFFICER)
