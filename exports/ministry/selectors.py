"""Which KPI snapshot a ministry workbook is built from, and who may download the ministry reports."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from core.errors import NotFound, ValidationFailed
from core.models import User
from core.roles import Role
from core.selectors import user_access
from kpi.models import Snapshot
from kpi.selectors import official_snapshots

# Officials and auditors: the ministry report and the open-data file are theirs to hand out.
REPORT_ROLES = (Role.OFFICIAL, Role.AUDITOR)


def can_view_ministry_reports(user: User | AnonymousUser) -> bool:
    """The reports page, the ministry workbook and the open-data export: officials and auditors."""
    return user_access(user).has(*REPORT_ROLES)


def _snapshot_pk(value: object) -> int:
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 12 or int(text) < 1:
        raise ValidationFailed(
            fields={"snapshot": [_("A snapshot is named by its number.")]}, code="invalid_snapshot"
        )
    return int(text)


def _as_of_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValidationFailed(
            fields={"as_of": [_("Enter the date as YYYY-MM-DD.")]}, code="invalid_as_of"
        ) from exc


def ministry_snapshot_select(*, snapshot_id: object = None, as_of: object = None) -> Snapshot:
    """The snapshot a ministry workbook is built from: the one numbered `snapshot_id` (live or
    official), else the latest official snapshot as of the date `as_of` (YYYY-MM-DD), else the latest
    official snapshot.

    Refusals: ValidationFailed for a malformed number or date, or both given; NotFound (code
    "not_found") for an unknown number; NotFound (code "no_snapshot") when no official snapshot
    matches."""
    has_id = snapshot_id not in (None, "")
    has_date = as_of not in (None, "")
    if has_id and has_date:
        raise ValidationFailed(
            fields={"as_of": [_("Give either a snapshot or an as-of date, not both.")]},
            code="snapshot_and_as_of",
        )
    if has_id:
        try:
            return Snapshot.objects.get(pk=_snapshot_pk(snapshot_id))
        except Snapshot.DoesNotExist as exc:
            raise NotFound() from exc
    candidates = official_snapshots()
    if has_date:
        candidates = candidates.filter(as_of=_as_of_date(as_of))
    snapshot = candidates.first()
    if snapshot is None:
        raise NotFound(_("There is no official KPI snapshot for this report yet."), code="no_snapshot")
    return snapshot
