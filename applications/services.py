"""Writes of applications: drafts, submission, screening, evaluation and selection.

Every status change goes through `_apply_transition`, which checks the workflow table, the permission
predicate and the source state on a locked row, saves with `update_fields` and writes the history row.
Locks are taken in one fixed order: call (budget) first, then applications by id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from applications.checks import budget_message, submission_failures
from applications.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    ConflictStatus,
    DuplicateBasis,
    DuplicateFlag,
    EvaluationScore,
    EvaluatorAssignment,
)
from applications.permissions import (
    can_assign_evaluators,
    can_confirm_partner_share,
    can_declare_conflict,
    can_edit_draft,
    can_override_duplicate_flag,
    can_score,
    is_applicant,
)
from applications.selectors import (
    cofunding_agreements_for,
    earlier_supported_projects,
    pending_duplicates_of,
    selection_candidates,
)
from applications.workflow import GENERIC_ACTIONS, TRANSITIONS
from companies.models import Company, Supplier, Workplace
from core.audit import audited
from core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from core.models import Level, Membership, TargetLevel, User
from core.money import MAX_KRW, format_krw
from core.roles import Role
from core.selectors import member_emails, user_access
from partners.models import COFUNDING_MATCH_STATES, AgreementStatus, Match, WinWinAgreement
from programs.models import Call, CallStatus
from programs.selectors import rubric_for

S = ApplicationStatus
TWO_PLACES = Decimal("0.01")
# Status changes the applicant is told about by email.
NOTIFY_STATUSES = frozenset({S.SUBMITTED, S.EVALUATION, S.SELECTED, S.REJECTED, S.WAITLISTED})

DRAFT_FIELDS = (
    "title",
    "summary",
    "planned_start",
    "planned_end",
    "supplier",
    "current_level",
    "target_level",
    "total_cost_krw",
    "gov_amount_krw",
    "partner_amount_krw",
    "sme_amount_krw",
    "local_amount_krw",
    "partner_agreement",
)
AMOUNT_FIELDS = (
    "total_cost_krw",
    "gov_amount_krw",
    "partner_amount_krw",
    "sme_amount_krw",
    "local_amount_krw",
)


def _lock(application: Application) -> Application:
    """Re-read the application under a row lock (only its own row, not the joined ones)."""
    return Application.objects.with_related().select_for_update(of=("self",)).get(pk=application.pk)


def _lock_with_agreement(application: Application) -> tuple[WinWinAgreement | None, Application]:
    """Lock the co-funding agreement (if any) and then the application: the fixed lock order is call,
    agreement, application. Conflict if the application switched agreements in between."""
    agreement_id = (
        Application.objects.filter(pk=application.pk).values_list("partner_agreement_id", flat=True).get()
    )
    agreement = (
        WinWinAgreement.objects.select_for_update().get(pk=agreement_id) if agreement_id is not None else None
    )
    app = _lock(application)
    if app.partner_agreement_id != agreement_id:
        raise Conflict(_("The application changed meanwhile; please try again."), code="concurrent_change")
    return agreement, app


def _release_partner_share(app: Application, agreement: WinWinAgreement | None) -> None:
    """Give a confirmed partner share back to the agreement's pledge and clear the confirmation."""
    if app.partner_confirmed_krw is None or agreement is None:
        return
    WinWinAgreement.objects.filter(pk=agreement.pk).update(
        committed_krw=F("committed_krw") - app.partner_confirmed_krw
    )
    app.partner_confirmed_krw = None
    app.partner_confirmed_at = None
    app.partner_confirmed_by = None
    app.save(
        update_fields=["partner_confirmed_krw", "partner_confirmed_at", "partner_confirmed_by", "updated_at"]
    )


def _lock_call(call_id: int) -> Call:
    return Call.objects.select_for_update().get(pk=call_id)


def _lock_companies(company_ids: list[int]) -> None:
    """Lock the applicants' company rows (after the call, before the applications) so that two
    selections for one company in different calls happen one after the other and the second sees the
    duplicate flag the first raised."""
    list(Company.objects.select_for_update().filter(pk__in=company_ids).order_by("pk").values_list("pk"))


def _check_transition(app: Application, *, action: str, actor: User | None, note: str = "") -> None:
    """Refuse an action the table does not allow: PermissionDenied when the predicate refuses,
    IllegalTransition (409) when the application is not in a source state, ValidationFailed when a
    required note is missing."""
    transition = TRANSITIONS[action]
    if actor is not None and not transition.permission(actor, app):
        raise PermissionDenied()
    if app.status not in transition.sources:
        raise IllegalTransition(
            _("'%(action)s' is not possible for an application that is '%(status)s'.")
            % {"action": transition.label, "status": S(app.status).label},
            fields={"status": [S(app.status).label]},
        )
    if transition.note_required and not note.strip():
        raise ValidationFailed(
            _("Give a reason for this decision."), code="note_required", fields={"note": [_("Required.")]}
        )


def _apply_transition(
    app: Application,
    *,
    action: str,
    actor: User | None,
    note: str = "",
    now: dt.datetime | None = None,
    extra_fields: tuple[str, ...] = (),
) -> ApplicationStatusChange:
    """Apply one row of the workflow table to a locked application and record it (see _check_transition)."""
    _check_transition(app, action=action, actor=actor, note=note)
    transition = TRANSITIONS[action]
    now = now or timezone.now()
    from_status = app.status
    app.status = transition.target
    app.save(update_fields=["status", "updated_at", *extra_fields])
    change = ApplicationStatusChange.objects.create(
        application=app,
        action=action,
        from_status=from_status,
        to_status=transition.target,
        actor=actor,
        note=note.strip(),
        at=now,
    )
    if transition.target in NOTIFY_STATUSES:
        change_id = change.pk
        transaction.on_commit(lambda: _enqueue_notification(change_id))
    return change


def _enqueue_notification(change_id: int) -> None:
    from applications.tasks import notify_status_change

    notify_status_change.delay(change_id)


def _validate_amounts(changes: dict[str, Any]) -> dict[str, list[Any]]:
    errors: dict[str, list[Any]] = {}
    for field in AMOUNT_FIELDS:
        if field in changes:
            value = changes[field]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_KRW:
                errors[field] = [_("Enter the amount as whole won, zero or more.")]
    return errors


@audited
@transaction.atomic
def application_create_draft(
    *, actor: User, call: Call, workplace: Workplace, target_level: TargetLevel
) -> Application:
    """Start a draft application of a workplace to a published call.

    Refusals: PermissionDenied (not the workplace's company), Conflict (call not published, or the
    workplace already has an application in this call).
    """
    probe = Application(company=workplace.company)
    if not is_applicant(actor, probe):
        raise PermissionDenied(_("You can only apply for your own company's workplaces."))
    if call.status != CallStatus.PUBLISHED:
        raise Conflict(_("This call is not open for applications."), code="call_not_published")
    if call.closes_at < timezone.now():
        raise Conflict(_("The application period of this call has ended."), code="call_closed")
    try:
        with transaction.atomic():
            return Application.objects.create(
                call=call,
                workplace=workplace,
                company=workplace.company,
                region_id=workplace.region_id,
                target_level=target_level,
                created_by=actor,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("This workplace has already applied to this call."),
            code="already_applied",
            fields={"workplace": [_("Already applied.")]},
        ) from exc


@audited
@transaction.atomic
def application_update_draft(*, application: Application, actor: User, **changes: Any) -> Application:
    """Save fields of a draft (any subset, so the multi-step form can save each step).

    Refusals: ValidationFailed for unknown fields or bad values, IllegalTransition once submitted,
    PermissionDenied for anyone but the applicant.
    """
    unknown = set(changes) - set(DRAFT_FIELDS)
    if unknown:
        raise ValidationFailed(fields={k: [_("This field cannot be changed.")] for k in sorted(unknown)})
    agreement, app = _lock_with_agreement(application)
    if not is_applicant(actor, app):
        raise PermissionDenied()
    if not can_edit_draft(actor, app):
        raise IllegalTransition(_("Only a draft can be edited."), code="not_a_draft")
    errors = _validate_amounts(changes)
    for field in ("supplier", "current_level", "target_level"):
        value = changes.get(field)
        expected = {"supplier": Supplier, "current_level": Level, "target_level": TargetLevel}[field]
        # The target level is required (NOT NULL); supplier and current level may be cleared.
        nullable = field != "target_level"
        if (value is not None or (field in changes and not nullable)) and not isinstance(value, expected):
            errors[field] = [_("Unknown value.")]
    supplier = changes.get("supplier")
    if isinstance(supplier, Supplier) and not supplier.is_active:
        errors["supplier"] = [_("This supplier is no longer active.")]
    new_agreement = changes.get("partner_agreement")
    if new_agreement is not None and (
        not isinstance(new_agreement, WinWinAgreement)
        or not cofunding_agreements_for(app).filter(pk=new_agreement.pk).exists()
    ):
        errors["partner_agreement"] = [
            _(
                "Choose a partner firm that has accepted a match with your company "
                "for this call's track and year."
            )
        ]
    for field, limit in (("title", 200), ("summary", 20_000)):
        if field in changes and (not isinstance(changes[field], str) or len(changes[field]) > limit):
            errors[field] = [_("Enter at most %(n)s characters.") % {"n": limit}]
    for field in ("planned_start", "planned_end"):
        value = changes.get(field)
        if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
            errors[field] = [_("Enter a valid date.")]
    if errors:
        raise ValidationFailed(fields=errors)
    start = changes.get("planned_start", app.planned_start)
    end = changes.get("planned_end", app.planned_end)
    if start and end and end < start:
        errors["planned_end"] = [_("The end date must not be before the start date.")]
    if errors:
        raise ValidationFailed(fields=errors)
    agreement_changes = (
        "partner_agreement" in changes and changes["partner_agreement"] != app.partner_agreement
    )
    amount_changes = (
        "partner_amount_krw" in changes and changes["partner_amount_krw"] != app.partner_confirmed_krw
    )
    if app.partner_confirmed_krw is not None and (agreement_changes or amount_changes):
        # The partner confirmed a different share (or agreement): it must confirm again.
        _release_partner_share(app, agreement)
    for field, value in changes.items():
        setattr(app, field, value.strip() if isinstance(value, str) else value)
    app.save(update_fields=[*changes, "updated_at"])
    return app


@audited
@transaction.atomic
def application_partner_confirm(*, application: Application, actor: User) -> Application:
    """The partner firm confirms the share the draft names, committing it against its pledge.

    The pledge is held by a conditional UPDATE and a database constraint, so concurrent confirmations
    never commit more than was pledged. Confirming again after the amount changed replaces the earlier
    confirmation; confirming the same amount twice changes nothing.
    """
    agreement, app = _lock_with_agreement(application)
    if agreement is None or not can_confirm_partner_share(actor, app):
        raise PermissionDenied()
    if app.status != S.DRAFT:
        raise IllegalTransition(
            _("The partner share can be confirmed only before submission."), code="not_a_draft"
        )
    amount = app.partner_amount_krw
    if amount <= 0:
        raise ValidationFailed(
            _("The application names no partner contribution to confirm."),
            code="no_partner_share",
            fields={"partner_amount_krw": [_("Enter the partner firm's contribution first.")]},
        )
    if (
        agreement.status != AgreementStatus.ACTIVE
        or app.call.fiscal_year != agreement.fiscal_year
        or (app.call.program_type not in agreement.tracks)
    ):
        raise Conflict(
            _("The partner firm's agreement does not fund this call's track in this year."),
            code="partner_track_not_funded",
        )
    if not Match.objects.filter(
        agreement=agreement, company_id=app.company_id, status__in=COFUNDING_MATCH_STATES
    ).exists():
        raise Conflict(
            _("The company has no accepted match with this partner firm."), code="partner_not_matched"
        )
    if app.partner_confirmed_krw == amount:
        return app
    _release_partner_share(app, agreement)
    committed = WinWinAgreement.objects.filter(
        pk=agreement.pk, committed_krw__lte=F("pledged_krw") - amount
    ).update(committed_krw=F("committed_krw") + amount)
    if not committed:
        agreement.refresh_from_db()
        raise Conflict(
            _("Confirming %(amount)s won would exceed the pledge: %(remaining)s won of it is left.")
            % {"amount": format_krw(amount), "remaining": format_krw(agreement.remaining_krw)},
            code="pledge_exceeded",
        )
    app.partner_confirmed_krw = amount
    app.partner_confirmed_at = timezone.now()
    app.partner_confirmed_by = actor
    app.save(
        update_fields=["partner_confirmed_krw", "partner_confirmed_at", "partner_confirmed_by", "updated_at"]
    )
    return app


@audited
@transaction.atomic
def application_partner_unconfirm(*, application: Application, actor: User) -> Application:
    """The partner firm withdraws its confirmation of a draft's share, giving it back to the pledge."""
    agreement, app = _lock_with_agreement(application)
    if agreement is None or not can_confirm_partner_share(actor, app):
        raise PermissionDenied()
    if app.status != S.DRAFT:
        raise IllegalTransition(
            _("A confirmation can be withdrawn only before submission."), code="not_a_draft"
        )
    if app.partner_confirmed_krw is None:
        raise Conflict(_("There is no confirmation to withdraw."), code="not_confirmed")
    _release_partner_share(app, agreement)
    return app


@audited
@transaction.atomic
def application_submit(*, application: Application, actor: User) -> Application:
    """Submit a draft after checking completeness, the call window, eligibility and the funding rule.

    A failed check names the rule (code and message per field). On success the firm-size class is fixed,
    duplicate-support flags are raised for earlier supported projects, and the applicant is notified.
    A second concurrent submit of the same draft waits for the lock and then gets IllegalTransition.
    """
    app = _lock(application)
    _check_transition(app, action="submit", actor=actor)
    now = timezone.now()
    failures = submission_failures(app, now)
    if failures:
        fields: dict[str, list[Any]] = {}
        for failure in failures:
            fields.setdefault(failure.field, []).append(failure.message)
        message = _("The application cannot be submitted yet: %(reasons)s") % {
            "reasons": " ".join(str(f.message) for f in failures)
        }
        code = failures[0].code if len(failures) == 1 else "submission_checks_failed"
        raise ValidationFailed(message, code=code, fields=fields)
    app.size_class_id = app.company.size_class_id
    # The region was copied when the draft began; the workplace's region may have been corrected since,
    # and eligibility was just checked against the current one. Scoping must follow the same region.
    app.region_id = app.workplace.region_id
    app.submitted_at = now
    _apply_transition(
        app, action="submit", actor=actor, now=now, extra_fields=("size_class", "region", "submitted_at")
    )
    _flag_duplicates(app)
    return app


def _raise_flags(pairs: list[tuple[Application, Application]]) -> None:
    """Record (application, other supported project) pairs as open duplicate-support flags, once each."""
    DuplicateFlag.objects.bulk_create(
        [
            DuplicateFlag(
                application=app,
                earlier_application=other,
                basis=DuplicateBasis.WORKPLACE
                if other.workplace_id == app.workplace_id
                else DuplicateBasis.COMPANY,
            )
            for app, other in pairs
        ],
        ignore_conflicts=True,
    )


def _flag_duplicates(app: Application) -> None:
    _raise_flags([(app, earlier) for earlier in earlier_supported_projects(app)])


@audited
@transaction.atomic
def application_transition(
    *, application: Application, actor: User, action: str, note: str = ""
) -> Application:
    """Apply a workflow action that needs no checks beyond the table (withdraw, start or fail screening,
    waitlist, reject). Other actions have their own services."""
    if action not in GENERIC_ACTIONS:
        raise ValidationFailed(
            _("Unknown action."), code="unknown_action", fields={"action": [_("Unknown.")]}
        )
    agreement, app = _lock_with_agreement(application)
    extra: tuple[str, ...] = ()
    if TRANSITIONS[action].target in (S.REJECTED, S.WITHDRAWN):
        # A project that will not go ahead gives the partner's committed share back to its pledge.
        _check_transition(app, action=action, actor=actor, note=note)
        _release_partner_share(app, agreement)
    if TRANSITIONS[action].target in (S.REJECTED, S.WAITLISTED):
        app.decided_at = timezone.now()
        extra = ("decided_at",)
    _apply_transition(app, action=action, actor=actor, note=note, extra_fields=extra)
    if TRANSITIONS[action].target == S.SCREENING:
        # Support granted since submission (a selection in another call) must be reviewed as well.
        _flag_duplicates(app)
    return app


def _open_flag_numbers(app: Application) -> str:
    flags = app.duplicate_flags.filter(overridden_at__isnull=True).select_related("earlier_application__call")
    return ", ".join(flag.earlier_application.number for flag in flags)


@audited
@transaction.atomic
def application_pass_screening(*, application: Application, actor: User, note: str = "") -> Application:
    """Move a screened application to evaluation. Refused (409) while a duplicate-support flag is open."""
    app = _lock(application)
    _check_transition(app, action="pass_screening", actor=actor, note=note)
    numbers = _open_flag_numbers(app)
    if numbers:
        raise Conflict(
            _(
                "Earlier support at the same target level was found (%(numbers)s). An official must review "
                "and override the duplicate-support flag before screening can pass."
            )
            % {"numbers": numbers},
            code="duplicate_support_unresolved",
        )
    _apply_transition(app, action="pass_screening", actor=actor, note=note)
    return app


@audited
@transaction.atomic
def duplicate_flag_override(*, flag: DuplicateFlag, actor: User, reason: str) -> DuplicateFlag:
    """Accept an application despite earlier support, recording who decided and why."""
    locked = DuplicateFlag.objects.select_for_update().select_related("application__company").get(pk=flag.pk)
    if not can_override_duplicate_flag(actor, locked.application):
        raise PermissionDenied()
    if locked.overridden_at is not None:
        raise Conflict(_("This flag has already been overridden."), code="already_overridden")
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [_("Give the reason for the override.")]})
    locked.overridden_by = actor
    locked.overridden_at = timezone.now()
    locked.override_reason = reason.strip()
    locked.save(update_fields=["overridden_by", "overridden_at", "override_reason"])
    return locked


def _conflicting_organisations(application: Application) -> set[int]:
    """Organisations an evaluator may not belong to: the applicant, its supplier and the partner firm
    co-funding it."""
    orgs = {application.company.organisation_id}
    if application.supplier is not None:
        orgs.add(application.supplier.organisation_id)
    if application.partner_agreement is not None:
        orgs.add(application.partner_agreement.consortium.partner_id)
    return orgs


@transaction.atomic
def evaluator_assign(*, application: Application, actor: User, evaluator: User) -> EvaluatorAssignment:
    """Assign an evaluator. Refused when the evaluator works for the applicant or its supplier."""
    app = _lock(application)
    if not can_assign_evaluators(actor, app):
        raise PermissionDenied()
    if app.status not in (S.SCREENING, S.EVALUATION):
        raise IllegalTransition(
            _("Evaluators can be assigned during screening and evaluation only."), code="not_in_evaluation"
        )
    if not evaluator.is_active or not user_access(evaluator).has(Role.EVALUATOR):
        raise ValidationFailed(fields={"evaluator": [_("This user is not an evaluator.")]})
    if evaluator.pk == actor.pk:
        raise Conflict(_("You cannot assign yourself as an evaluator."), code="self_assignment")
    employer_orgs = set(
        Membership.objects.filter(user=evaluator, is_active=True).values_list("organisation_id", flat=True)
    )
    if employer_orgs & _conflicting_organisations(app):
        raise Conflict(
            _(
                "This evaluator belongs to the applicant, its supplier or the partner firm co-funding it "
                "and cannot evaluate this application."
            ),
            code="evaluator_conflict_of_interest",
            fields={"evaluator": [_("Conflict of interest.")]},
        )
    try:
        with transaction.atomic():
            return EvaluatorAssignment.objects.create(application=app, evaluator=evaluator, assigned_by=actor)
    except IntegrityError as exc:
        raise Conflict(_("This evaluator is already assigned."), code="already_assigned") from exc


@transaction.atomic
def assignment_declare(
    *, assignment: EvaluatorAssignment, actor: User, has_conflict: bool, note: str = ""
) -> EvaluatorAssignment:
    """The evaluator declares whether they have a conflict of interest. Only after declaring none do
    they see the application. A declared conflict needs a note and ends the assignment."""
    locked = EvaluatorAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not can_declare_conflict(actor, locked):
        raise PermissionDenied()
    if locked.conflict_status != ConflictStatus.PENDING:
        raise Conflict(_("You have already made your declaration."), code="already_declared")
    if has_conflict and not note.strip():
        raise ValidationFailed(fields={"note": [_("Describe the conflict of interest.")]})
    locked.conflict_status = ConflictStatus.CONFLICT if has_conflict else ConflictStatus.NO_CONFLICT
    locked.conflict_note = note.strip()
    locked.declared_at = timezone.now()
    locked.save(update_fields=["conflict_status", "conflict_note", "declared_at"])
    return locked


def weighted_total(scores: dict[int, Decimal], criteria: list[Any]) -> Decimal:
    """Σ score / max × weight over the rubric, rounded half-up to 2 places (0–100 when weights sum to 100)."""
    total = sum(
        (Decimal(scores[c.pk]) / Decimal(c.max_score) * Decimal(c.weight) for c in criteria), Decimal(0)
    )
    return total.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@transaction.atomic
def assignment_submit_scores(
    *, assignment: EvaluatorAssignment, actor: User, scores: dict[int, Decimal], comment: str = ""
) -> EvaluatorAssignment:
    """Score every criterion of the call's rubric (0 to its maximum). May be revised while the
    application is in evaluation. The application's score becomes the mean of submitted totals."""
    locked = EvaluatorAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not can_score(actor, locked):
        raise PermissionDenied()
    if locked.conflict_status != ConflictStatus.NO_CONFLICT:
        raise Conflict(
            _("Declare that you have no conflict of interest before scoring."), code="declaration_required"
        )
    app = _lock(locked.application)
    if app.status != S.EVALUATION:
        raise IllegalTransition(_("Scores can only be given while the application is in evaluation."))
    criteria = rubric_for(app.call)
    errors: dict[str, list[Any]] = {}
    by_id = {c.pk: c for c in criteria}
    for key in scores:
        if key not in by_id:
            errors[str(key)] = [_("This criterion is not part of the call's rubric.")]
    for criterion in criteria:
        value = scores.get(criterion.pk)
        if value is None:
            errors[criterion.code] = [_("Score every criterion.")]
        elif not Decimal(0) <= Decimal(value) <= Decimal(criterion.max_score):
            errors[criterion.code] = [
                _("Enter a score from 0 to %(max)s.") % {"max": criterion.max_score},
            ]
    if errors:
        raise ValidationFailed(fields=errors)
    clean = {pk: Decimal(v).quantize(TWO_PLACES, rounding=ROUND_HALF_UP) for pk, v in scores.items()}
    EvaluationScore.objects.filter(assignment=locked).delete()
    EvaluationScore.objects.bulk_create(
        [EvaluationScore(assignment=locked, criterion=c, score=clean[c.pk]) for c in criteria]
    )
    locked.total_score = weighted_total(clean, criteria)
    locked.comment = comment.strip()
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["total_score", "comment", "submitted_at"])
    _refresh_application_score(app)
    return locked


def _refresh_application_score(app: Application) -> None:
    totals = [
        Decimal(total)
        for total in EvaluatorAssignment.objects.filter(
            application=app, submitted_at__isnull=False
        ).values_list("total_score", flat=True)
        if total is not None
    ]
    app.evaluation_score = (
        (sum(totals, Decimal(0)) / len(totals)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        if totals
        else None
    )
    app.save(update_fields=["evaluation_score", "updated_at"])


def _check_call_not_cancelled(call: Call) -> None:
    """A cancelled call commits no budget: nothing in it can be selected any more."""
    if call.status == CallStatus.CANCELLED:
        raise Conflict(_("A cancelled call cannot be changed."), code="call_cancelled")


def _check_selectable(app: Application, call: Call) -> None:
    _check_call_not_cancelled(call)
    numbers = _open_flag_numbers(app)
    if numbers:
        raise Conflict(
            _(
                "Other support at the same target level was found (%(numbers)s). An official must review "
                "and override the duplicate-support flag before this application can be selected."
            )
            % {"numbers": numbers},
            code="duplicate_support_unresolved",
        )
    if app.evaluation_score is None:
        raise Conflict(_("The application has no evaluation scores yet."), code="not_evaluated")
    if app.evaluation_score < call.pass_score:
        raise Conflict(
            _("The evaluation score %(score)s is below the call's pass score of %(pass)s.")
            % {"score": app.evaluation_score, "pass": call.pass_score},
            code="below_pass_score",
        )
    if call.selected_count >= call.target_count:
        raise Conflict(
            _("The call's target of %(n)s projects has been reached.") % {"n": call.target_count},
            code="call_target_count_reached",
        )
    if app.gov_amount_krw > call.remaining_krw:
        raise Conflict(budget_message(call.remaining_krw, app.gov_amount_krw), code="call_budget_exceeded")


def _select_locked(app: Application, call: Call, *, actor: User, note: str, now: dt.datetime) -> None:
    app.decided_at = now
    _apply_transition(app, action="select", actor=actor, note=note, now=now, extra_fields=("decided_at",))
    call.committed_krw += app.gov_amount_krw
    call.selected_count += 1
    # Applications of the same workplace or company still waiting elsewhere now duplicate this support.
    _raise_flags([(pending, app) for pending in pending_duplicates_of(app)])


@audited
@transaction.atomic
def application_select(*, application: Application, actor: User, note: str = "") -> Application:
    """Select one application within the call's budget and target count (both also held by database
    constraints). Refusals: PermissionDenied, IllegalTransition, Conflict naming the limit reached."""
    call = _lock_call(application.call_id)
    _lock_companies([application.company_id])
    app = _lock(application)
    _check_transition(app, action="select", actor=actor, note=note)
    _check_selectable(app, call)
    _select_locked(app, call, actor=actor, note=note, now=timezone.now())
    call.save(update_fields=["committed_krw", "selected_count", "updated_at"])
    return app


@dataclass(frozen=True)
class SelectionLine:
    application_id: int
    number: str
    company_name: str
    title: str
    score: Decimal
    gov_amount_krw: int
    included: bool
    reason: str  # included | over_budget | no_slots | below_pass_score | duplicate_support | beyond_top_n


@dataclass(frozen=True)
class SelectionPreview:
    call_id: int
    top_n: int
    lines: list[SelectionLine]
    included_ids: list[int]
    total_gov_krw: int
    remaining_before_krw: int
    remaining_after_krw: int
    slots_before: int
    fingerprint: str


def _build_preview(call: Call, top_n: int) -> SelectionPreview:
    """Take candidates in score order; skip any that does not fit the remaining budget and go on, until
    N are chosen or the call's target count is reached. Candidates below the pass score, with an open
    duplicate-support flag, or of a company already chosen at the same target level are listed but never
    chosen."""
    _check_call_not_cancelled(call)
    remaining = call.remaining_krw
    slots = call.target_count - call.selected_count
    lines: list[SelectionLine] = []
    included: list[int] = []
    chosen: set[tuple[int, int]] = set()  # (company, target level) already chosen in this preview
    total = 0
    for app in selection_candidates(call):
        score = app.evaluation_score or Decimal(0)
        duplicate = app.open_flags > 0 or (  # type: ignore[attr-defined]
            call.prior_support_exclusion_years > 0 and (app.company_id, app.target_level_id) in chosen
        )
        if score < call.pass_score:
            reason = "below_pass_score"
        elif duplicate:
            reason = "duplicate_support"
        elif len(included) >= top_n:
            reason = "beyond_top_n"
        elif len(included) >= slots:
            reason = "no_slots"
        elif app.gov_amount_krw > remaining - total:
            reason = "over_budget"
        else:
            reason = "included"
            included.append(app.pk)
            chosen.add((app.company_id, app.target_level_id))
            total += app.gov_amount_krw
        lines.append(
            SelectionLine(
                application_id=app.pk,
                number=f"{call.fiscal_year}-{app.pk:07d}",
                company_name=app.company.name,
                title=app.title,
                score=score,
                gov_amount_krw=app.gov_amount_krw,
                included=reason == "included",
                reason=reason,
            )
        )
    digest = hashlib.sha256(
        f"{call.pk}|{call.committed_krw}|{call.selected_count}|{top_n}|".encode()
        + ",".join(
            f"{line.application_id}:{line.score}:{line.gov_amount_krw}" for line in lines if line.included
        ).encode()
    ).hexdigest()
    return SelectionPreview(
        call_id=call.pk,
        top_n=top_n,
        lines=lines,
        included_ids=included,
        total_gov_krw=total,
        remaining_before_krw=remaining,
        remaining_after_krw=remaining - total,
        slots_before=slots,
        fingerprint=digest,
    )


def _check_top_n(top_n: object) -> int:
    if isinstance(top_n, bool) or not isinstance(top_n, int) or not 1 <= top_n <= 100_000:
        raise ValidationFailed(fields={"top_n": [_("Enter a number of projects from 1 upward.")]})
    return top_n


def selection_preview(*, call: Call, actor: User, top_n: int) -> SelectionPreview:
    """What 'select the top N by score within budget' would do now. Changes nothing."""
    if not user_access(actor).has(Role.OFFICIAL):
        raise PermissionDenied()
    return _build_preview(call, _check_top_n(top_n))


@audited
@transaction.atomic
def selection_apply(*, call: Call, actor: User, top_n: int, fingerprint: str) -> SelectionPreview:
    """Select exactly what the preview showed. If anything changed since (a score, a selection, the
    budget), refuse with 409 so the official can look at the new preview first."""
    if not user_access(actor).has(Role.OFFICIAL):
        raise PermissionDenied()
    locked_call = _lock_call(call.pk)
    top_n = _check_top_n(top_n)
    first = _build_preview(locked_call, top_n)
    _lock_companies(
        list(Application.objects.filter(pk__in=first.included_ids).values_list("company_id", flat=True))
    )
    # Built again once the companies are locked: a selection for one of them in another call that
    # committed meanwhile has raised a duplicate flag, which changes the candidates and the fingerprint.
    preview = _build_preview(locked_call, top_n)
    if not fingerprint == first.fingerprint == preview.fingerprint:
        raise Conflict(
            _("The candidates changed since the preview was made. Review the new preview and apply again."),
            code="selection_preview_stale",
        )
    if not preview.included_ids:
        raise Conflict(
            _("No application can be selected within the budget and target."), code="nothing_to_select"
        )
    now = timezone.now()
    apps = (
        Application.objects.with_related()
        .select_for_update(of=("self",))
        .filter(pk__in=preview.included_ids)
        .order_by("pk")
    )
    by_id = {app.pk: app for app in apps}
    note = str(_("Selected in a top-%(n)s selection by score within budget.") % {"n": top_n})
    for app_id in preview.included_ids:
        _select_locked(by_id[app_id], locked_call, actor=actor, note=note, now=now)
    locked_call.save(update_fields=["committed_krw", "selected_count", "updated_at"])
    return preview


def status_change_notify(*, change_id: int) -> bool:
    """Email the applicant's users about a status change, once. Returns False when already sent.

    The row is claimed with a conditional UPDATE in the same transaction as the send, so a retry after a
    failed send tries again and a replay after success sends nothing.
    """
    with transaction.atomic():
        claimed = ApplicationStatusChange.objects.filter(pk=change_id, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
        if not claimed:
            return False
        change = ApplicationStatusChange.objects.select_related(
            "application__call", "application__company__organisation"
        ).get(pk=change_id)
        app = change.application
        recipients = member_emails(app.company.organisation_id, Role.SME)
        if not recipients:
            return True
        parts = []
        for language in ("ko", "en"):
            with translation.override(language):
                parts.append(
                    str(
                        _("Application %(number)s (%(title)s) is now: %(status)s.")
                        % {"number": app.number, "title": app.title, "status": S(change.to_status).label}
                    )
                )
                if change.note:
                    parts.append(str(_("Note: %(note)s") % {"note": change.note}))
        with translation.override("ko"):
            subject = str(
                _("[Smart factory program] Application %(number)s status update") % {"number": app.number}
            )
        send_mail(subject, "\n".join(parts), settings.DEFAULT_FROM_EMAIL, recipients)
        return True
