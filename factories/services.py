"""Writes of the factory register: a project's completion and its factory, level confirmations (수준확인)
with self-built factories, and closures.

The counting rule (factories/models.py) is applied here under the workplace's row lock, so that two
completions or confirmations of one workplace happen one after the other and the second sees the first:

- a supported completion counts unless the workplace already has a supported factory counted in the same
  completion year (then it is recorded with `counted=False`); a self-built factory counted in that year
  is un-counted in its favour;
- a self-built confirmation creates the workplace's one self-built factory, counted unless a factory of
  the workplace is already counted in that year; later self-built confirmations only add levels.

The database holds the outcome too (one counted factory per workplace and completion year; one
self-built factory per workplace). Locks follow one order: workplace, then the application (and what the
applications services lock after it), then the factory.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.agreements import application_complete
from applications.models import Application, ProjectAgreement
from companies.models import Workplace
from core.audit import audited
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.models import Level, User
from factories.models import (
    ClosureReason,
    ConfirmationKind,
    Factory,
    FactoryOrigin,
    LevelConfirmation,
)
from factories.outcomes_services import schedule_outcome_reports
from factories.permissions import can_manage_region, can_record_completion, can_record_level

MAX_TEXT = 5_000
MAX_BODY = 200
MAX_CERTIFICATE = 50


def _lock_workplace(workplace_id: int) -> Workplace:
    return Workplace.objects.select_for_update().get(pk=workplace_id)


def _level(level: Level | str | None) -> Level:
    """A level given as an object or its code (L1–L5); anything else is a 400."""
    if isinstance(level, Level):
        return level
    code = str(level or "").strip().upper()
    found = Level.objects.filter(code=code).first() if code else None
    if found is None:
        raise ValidationFailed(
            _("Choose a level from L1 to L5."),
            code="unknown_level",
            fields={"level": [_("Choose a level from L1 to L5.")]},
        )
    return found


def _check_not_future(field: str, day: dt.date, today: dt.date) -> None:
    if day > today:
        raise ValidationFailed(
            _("The date cannot be in the future."),
            code="date_in_future",
            fields={field: [_("The date cannot be in the future.")]},
        )


def _check_text(field: str, value: str, limit: int, *, required: bool, message: str) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(fields={field: [message]})
    if len(text) > limit:
        raise ValidationFailed(
            fields={field: [_("At most %(n)s characters.") % {"n": limit}]},
        )
    return text


def _counted_in_year(workplace: Workplace, year: int) -> Factory | None:
    """The factory of the workplace counted in this completion year (at most one), read under the
    workplace's lock."""
    return Factory.objects.filter(workplace=workplace, completion_year=year, counted=True).first()


@audited
@transaction.atomic
def factory_record_completion(
    *,
    application: Application,
    actor: User,
    completed_on: dt.date,
    level: Level | str,
    confirming_body: str,
    note: str = "",
) -> Factory:
    """Pass a project's final inspection, complete it and record its factory, in one transaction.

    Completes the application (final_inspection → completed, with its history row), creates the
    supported Factory (workplace, company, region and industry as they are at completion; call, program
    type, support year = the call's fiscal year, the co-funding partner firm when a win-win agreement
    co-funds it; completion year from `completed_on`; the level reached) and the final inspection's
    LevelConfirmation. Counting: see the module docstring.

    Refusals: 403 (not an official or the workplace's regional center), 409 (the project is not in
    final inspection), 400 (`completed_on` in the future, before the agreement started or before the
    support year; unknown level; no confirming body). Nothing changes on a refusal.
    """
    if not can_record_completion(actor, application.region_id):
        raise PermissionDenied()
    workplace = _lock_workplace(application.workplace_id)
    # Locks the application, checks the permission and the status (409), writes the history row; a
    # refusal below rolls it back with everything else.
    app = application_complete(application=application, actor=actor, note=note)
    today = timezone.localdate()
    _check_not_future("completed_on", completed_on, today)
    agreement = ProjectAgreement.objects.filter(application=app).only("starts_on").first()
    if agreement is not None and completed_on < agreement.starts_on:
        raise ValidationFailed(
            _("A project cannot complete before its agreement started (%(start)s).")
            % {"start": agreement.starts_on.isoformat()},
            code="completed_before_agreement",
            fields={"completed_on": [_("Before the agreement started.")]},
        )
    support_year = app.call.fiscal_year
    if completed_on.year < support_year:
        raise ValidationFailed(
            _("A project cannot complete before its support year (%(year)s).") % {"year": support_year},
            code="completed_before_support_year",
            fields={"completed_on": [_("Before the support year.")]},
        )
    reached = _level(level)
    body = _check_text(
        "confirming_body",
        confirming_body,
        MAX_BODY,
        required=True,
        message=str(_("Name the body that inspected the project.")),
    )
    note_text = _check_text("note", note, MAX_TEXT, required=False, message="")

    year = completed_on.year
    counted = True
    existing = _counted_in_year(workplace, year)
    if existing is not None:
        if existing.origin == FactoryOrigin.SELF_BUILT:
            # Support takes precedence over a self-built confirmation of the same workplace and year.
            existing.counted = False
            existing.save(update_fields=["counted"])
        else:
            counted = False
    partner_id = None
    if app.partner_agreement_id is not None:
        partner_id = app.partner_agreement.consortium.partner_id  # type: ignore[union-attr]
    factory = Factory.objects.create(
        workplace=workplace,
        company_id=app.company_id,
        region_id=workplace.region_id,
        ksic_id=workplace.ksic_id,
        origin=FactoryOrigin.SUPPORTED,
        application=app,
        call_id=app.call_id,
        program_type=app.call.program_type,
        partner_id=partner_id,
        support_year=support_year,
        completed_on=completed_on,
        completion_year=year,
        level=reached,
        counted=counted,
        created_by=actor,
    )
    LevelConfirmation.objects.create(
        workplace=workplace,
        level=reached,
        confirmed_on=completed_on,
        kind=ConfirmationKind.FINAL_INSPECTION,
        confirming_body=body,
        factory=factory,
        note=note_text,
        recorded_by=actor,
    )
    # Its outcome reports (성과 보고) fall due on the call's schedule from the completion date.
    schedule_outcome_reports(factory)
    return factory


@audited
@transaction.atomic
def level_confirmation_record(
    *,
    workplace: Workplace,
    actor: User,
    level: Level | str,
    confirmed_on: dt.date,
    confirming_body: str,
    certificate_number: str = "",
    self_built: bool = False,
    note: str = "",
) -> LevelConfirmation:
    """Record a workplace's level at a date, confirmed by a body (수준확인). Confirmations are never
    changed or deleted (a database trigger refuses it): a correction is a new confirmation.

    With `self_built`, the confirmation also establishes the workplace's self-built factory (민간 중심
    보급): created on the first such confirmation (completed on `confirmed_on`, at this level, counted
    unless a factory of the workplace is already counted in that year); a workplace that has one
    already only gains the level.

    Refusals: 403 (not an official or the workplace's regional center), 400 (a date in the future, an
    unknown level, no confirming body, a certificate number already recorded). Nothing changes on a
    refusal.
    """
    if not can_record_level(actor, workplace.region_id):
        raise PermissionDenied()
    locked = _lock_workplace(workplace.pk)
    if not can_record_level(actor, locked.region_id):
        raise PermissionDenied()
    _check_not_future("confirmed_on", confirmed_on, timezone.localdate())
    reached = _level(level)
    body = _check_text(
        "confirming_body",
        confirming_body,
        MAX_BODY,
        required=True,
        message=str(_("Name the body that confirmed the level.")),
    )
    certificate = _check_text(
        "certificate_number", certificate_number, MAX_CERTIFICATE, required=False, message=""
    )
    note_text = _check_text("note", note, MAX_TEXT, required=False, message="")
    duplicate = ValidationFailed(
        _("This certificate number is already recorded."),
        code="duplicate_certificate",
        fields={"certificate_number": [_("Already recorded.")]},
    )
    if certificate and LevelConfirmation.objects.filter(certificate_number=certificate).exists():
        raise duplicate

    factory = None
    if self_built:
        factory = Factory.objects.filter(workplace=locked, origin=FactoryOrigin.SELF_BUILT).first()
        if factory is None:
            year = confirmed_on.year
            factory = Factory.objects.create(
                workplace=locked,
                company_id=locked.company_id,
                region_id=locked.region_id,
                ksic_id=locked.ksic_id,
                origin=FactoryOrigin.SELF_BUILT,
                completed_on=confirmed_on,
                completion_year=year,
                level=reached,
                counted=_counted_in_year(locked, year) is None,
                created_by=actor,
            )
    try:
        with transaction.atomic():
            return LevelConfirmation.objects.create(
                workplace=locked,
                level=reached,
                confirmed_on=confirmed_on,
                kind=ConfirmationKind.LEVEL_CONFIRMATION,
                confirming_body=body,
                certificate_number=certificate,
                self_built=self_built,
                factory=factory,
                note=note_text,
                recorded_by=actor,
            )
    except IntegrityError as exc:
        # Two workplaces recording one certificate at once: the unique index decides.
        raise duplicate from exc


@audited
@transaction.atomic
def factory_close(
    *, factory: Factory, actor: User, closed_on: dt.date, reason: str, note: str = ""
) -> Factory:
    """Mark a factory closed (its company closed or left the program) with the date and reason.

    A closed factory stays counted in its completion year's deployments (it was deployed) but leaves
    the active count; the government support it received stays visible as sunk support.

    Refusals: 403 (not an official or the factory region's center), 409 (already closed), 400 (no or
    unknown reason, no note for reason "other", a date in the future or before completion).
    """
    if not can_manage_region(actor, factory.region_id):
        raise PermissionDenied()
    locked = Factory.objects.select_for_update().get(pk=factory.pk)
    if locked.closed_on is not None:
        raise Conflict(
            _("This factory was already closed on %(day)s.") % {"day": locked.closed_on.isoformat()},
            code="already_closed",
        )
    if reason not in ClosureReason.values:
        raise ValidationFailed(fields={"reason": [_("Choose the reason for the closure.")]})
    note_text = _check_text(
        "note",
        note,
        MAX_TEXT,
        required=reason == ClosureReason.OTHER,
        message=str(_("Explain the reason for the closure.")),
    )
    _check_not_future("closed_on", closed_on, timezone.localdate())
    if closed_on < locked.completed_on:
        raise ValidationFailed(
            _("A factory cannot close before it was completed (%(day)s).")
            % {"day": locked.completed_on.isoformat()},
            code="closed_before_completion",
            fields={"closed_on": [_("Before completion.")]},
        )
    locked.closed_on = closed_on
    locked.closure_reason = reason
    locked.closure_note = note_text
    locked.closed_by = actor
    locked.save(update_fields=["closed_on", "closure_reason", "closure_note", "closed_by"])
    return locked
