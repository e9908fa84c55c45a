"""Leading smart industrial complexes (선도 스마트산단): services and selectors.

Officials create complexes, designate them (a date; designation can end later, never be rewritten) and
say which workplaces lie inside (a workplace lies in at most one complex). Officials, auditors, regional
officers and finance officers see every complex; the factories inside one are the factories of its
workplaces, shown within each user's own factory scope. A complex counts toward the target of 10 while
designated: from `designated_on` until the day before `designation_ended_on`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Workplace
from core.audit import audited
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.models import Region, User
from factories.models import ComplexWorkplace, Factory, IndustrialComplex
from factories.permissions import can_manage_complexes, can_view_complexes
from factories.selectors import factory_list_for_user
from programs.models import NationalTarget, TargetMetric
from programs.selectors import national_target_list

AnyUser = User | AnonymousUser


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except ValueError as exc:
        raise NotFound() from exc


# --- services ----------------------------------------------------------------------------------------------


def _text_fields(name_ko: str, name_en: str, operator: str, description: str) -> dict[str, str]:
    errors: dict[str, list[object]] = {}
    name_ko = (name_ko or "").strip()
    name_en = (name_en or "").strip()
    if not name_ko:
        errors["name_ko"] = [_("Enter a name.")]
    if not name_en:
        errors["name_en"] = [_("Enter a name.")]
    for key, value, limit in (
        ("name_ko", name_ko, 200),
        ("name_en", name_en, 200),
        ("operator", operator, 200),
    ):
        if len(value or "") > limit:
            errors.setdefault(key, []).append(_("Keep it to %(n)s characters.") % {"n": limit})
    if len(description or "") > 5_000:
        errors["description"] = [_("Keep the description to 5,000 characters.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return {
        "name_ko": name_ko,
        "name_en": name_en,
        "operator": (operator or "").strip(),
        "description": (description or "").strip(),
    }


def _name_conflict() -> Conflict:
    message = _("An industrial complex of this name exists already.")
    return Conflict(message, code="complex_exists", fields={"name_ko": [message]})


def _require_manager(actor: User) -> None:
    if not can_manage_complexes(actor):
        raise PermissionDenied()


@audited
@transaction.atomic
def complex_create(
    *, actor: User, name_ko: str, name_en: str, region: Region, operator: str = "", description: str = ""
) -> IndustrialComplex:
    """An official registers an industrial complex (not designated yet). A duplicate name is a 409."""
    _require_manager(actor)
    data = _text_fields(name_ko, name_en, operator, description)
    if not isinstance(region, Region):
        raise ValidationFailed(fields={"region": [_("Choose a region.")]})
    try:
        with transaction.atomic():
            return IndustrialComplex.objects.create(region=region, **data)
    except IntegrityError as exc:
        raise _name_conflict() from exc


@audited
@transaction.atomic
def complex_update(
    *,
    complex: IndustrialComplex,
    actor: User,
    name_ko: str | None = None,
    name_en: str | None = None,
    region: Region | None = None,
    operator: str | None = None,
    description: str | None = None,
) -> IndustrialComplex:
    """An official corrects a complex's names, region, operator or description."""
    _require_manager(actor)
    locked = IndustrialComplex.objects.select_for_update().get(pk=complex.pk)
    data = _text_fields(
        locked.name_ko if name_ko is None else name_ko,
        locked.name_en if name_en is None else name_en,
        locked.operator if operator is None else operator,
        locked.description if description is None else description,
    )
    for key, value in data.items():
        setattr(locked, key, value)
    if region is not None:
        locked.region = region
    try:
        with transaction.atomic():
            locked.save(update_fields=[*data, "region"])
    except IntegrityError as exc:
        raise _name_conflict() from exc
    return locked


def _date(value: object, name: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationFailed(fields={name: [_("Enter a date.")]})
    if value > timezone.localdate():
        raise ValidationFailed(fields={name: [_("The date cannot be in the future.")]})
    if value < dt.date(2000, 1, 1):
        raise ValidationFailed(fields={name: [_("Enter a date in 2000 or later.")]})
    return value


@audited
@transaction.atomic
def complex_designate(
    *,
    complex: IndustrialComplex,
    actor: User,
    designated_on: dt.date,
) -> IndustrialComplex:
    """An official records the designation as a leading smart industrial complex (a date, not in the
    future). A complex designated once keeps its date: a second designation is a 409."""
    _require_manager(actor)
    when = _date(designated_on, "designated_on")
    locked = IndustrialComplex.objects.select_for_update().get(pk=complex.pk)
    if locked.designated_on is not None:
        raise Conflict(_("This complex is already designated."), code="already_designated")
    locked.designated_on = when
    locked.save(update_fields=["designated_on"])
    return locked


@audited
@transaction.atomic
def complex_end_designation(
    *,
    complex: IndustrialComplex,
    actor: User,
    ended_on: dt.date,
) -> IndustrialComplex:
    """An official records that a designation ended (after it began, not in the future)."""
    _require_manager(actor)
    when = _date(ended_on, "ended_on")
    locked = IndustrialComplex.objects.select_for_update().get(pk=complex.pk)
    if locked.designated_on is None:
        raise Conflict(_("This complex is not designated."), code="not_designated")
    if locked.designation_ended_on is not None:
        raise Conflict(_("This designation has already ended."), code="designation_ended")
    if when <= locked.designated_on:
        raise ValidationFailed(fields={"ended_on": [_("The designation must end after it began.")]})
    locked.designation_ended_on = when
    locked.save(update_fields=["designation_ended_on"])
    return locked


@audited
@transaction.atomic
def complex_workplace_add(
    *,
    complex: IndustrialComplex,
    actor: User,
    workplace: Workplace,
) -> ComplexWorkplace:
    """An official places a workplace inside a complex. A workplace already inside this or another
    complex is a 409 (a workplace lies in at most one)."""
    _require_manager(actor)
    existing = (
        ComplexWorkplace.objects.select_for_update()
        .filter(workplace=workplace)
        .select_related("complex")
        .first()
    )
    if existing is not None:
        raise Conflict(
            _("This workplace is already inside %(complex)s.") % {"complex": existing.complex.name_ko},
            code="workplace_in_complex",
        )
    try:
        with transaction.atomic():
            return ComplexWorkplace.objects.create(complex=complex, workplace=workplace)
    except IntegrityError as exc:  # a concurrent add of the same workplace
        raise Conflict(_("This workplace is already inside a complex."), code="workplace_in_complex") from exc


@audited
@transaction.atomic
def complex_workplace_remove(
    *,
    complex: IndustrialComplex,
    actor: User,
    workplace: Workplace,
) -> Workplace:
    """An official takes a workplace out of a complex (returns the workplace); a workplace not inside
    it is a 409."""
    _require_manager(actor)
    deleted, _rows = ComplexWorkplace.objects.filter(complex=complex, workplace=workplace).delete()
    if not deleted:
        raise Conflict(_("This workplace is not inside this complex."), code="not_in_complex")
    return workplace


# --- selectors ---------------------------------------------------------------------------------------------


def complex_list_for_user(user: AnyUser) -> QuerySet[IndustrialComplex]:
    """Every complex for the roles that see complexes; none for anyone else. Annotated with the number
    of workplaces inside (`n_workplaces`)."""
    qs = IndustrialComplex.objects.select_related("region").annotate(n_workplaces=Count("members"))
    if not can_view_complexes(user):
        return qs.none()
    return qs.order_by("name_ko", "id")


def complex_get_for_user(user: AnyUser, complex_id: object) -> IndustrialComplex:
    found = complex_list_for_user(user).filter(pk=_pk(complex_id)).first()
    if found is None:
        raise NotFound()
    return found


def complex_workplaces(complex: IndustrialComplex) -> QuerySet[ComplexWorkplace]:
    return (
        ComplexWorkplace.objects.filter(complex=complex)
        .select_related("workplace__company__organisation", "workplace__region")
        .order_by("workplace__company__organisation__name_ko", "workplace__name", "id")
    )


def complex_factories(user: AnyUser, complex: IndustrialComplex) -> QuerySet[Factory]:
    """The factories of the complex's workplaces that the user may see, latest completion first."""
    return (
        factory_list_for_user(user)
        .filter(workplace__complex_membership__complex=complex)
        .order_by("-completed_on", "-id")
    )


def designated_q(as_of: dt.date) -> Q:
    return Q(designated_on__lte=as_of) & (
        Q(designation_ended_on__isnull=True) | Q(designation_ended_on__gt=as_of)
    )


def complexes_designated(as_of: dt.date | None = None) -> int:
    """How many complexes are designated on `as_of` (today by default)."""
    return IndustrialComplex.objects.filter(designated_q(as_of or timezone.localdate())).count()


@dataclass(frozen=True)
class ComplexProgress:
    target: NationalTarget
    achieved: int

    @property
    def percent(self) -> float:
        return min(100.0, float(self.achieved) * 100 / float(self.target.target_value))


def complex_target_progress(as_of: dt.date | None = None) -> list[ComplexProgress]:
    """Each active leading-complex target with the complexes designated on its deadline, or on `as_of`
    (today by default) when that comes first."""
    today = as_of or timezone.localdate()
    return [
        ComplexProgress(t, complexes_designated(min(today, t.deadline)))
        for t in national_target_list().filter(metric=TargetMetric.LEADING_COMPLEXES)
    ]
