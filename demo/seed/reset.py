"""Clear what an earlier seed made, never the reference data that migrations load.

One `TRUNCATE … RESTART IDENTITY CASCADE` over the seeded tables and the audit event tables of the seeded
models (django-pghistory), then the audit contexts no event refers to any more: fast at national scale,
and ids start from 1 again so the same seed gives the same ids. CASCADE also empties tables of other apps
that refer to these (their rows would point at deleted companies or users anyway); before running it, the
tables the cascade would reach are computed from the catalogue and the reset is refused if any of them is
reference or framework data.
"""

from __future__ import annotations

from typing import Any, cast

import pghistory.models
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.management.base import CommandError
from django.db import connection, models

from applications.models import (
    AgreementFunding,
    Application,
    ApplicationStatusChange,
    ChangeRequest,
    DuplicateFlag,
    EvaluationScore,
    EvaluatorAssignment,
    ProjectAgreement,
)
from companies.models import Company, Supplier, Workplace
from core.models import (
    ApiToken,
    FirmSizeClass,
    KsicDivision,
    Level,
    Membership,
    Organisation,
    Region,
    RegionCode,
    TargetLevel,
    User,
)
from factories.models import (
    ComplexWorkplace,
    Factory,
    HistoricalAggregate,
    IndustrialComplex,
    LevelConfirmation,
    OutcomeReport,
    OutcomeSchedule,
)
from funding.models import DisbursementRequest, LedgerEntry
from kpi.models import Snapshot, Value
from partners.models import (
    Consortium,
    Match,
    MatchStatusChange,
    Mentor,
    MentoringActivity,
    SupplyChainTie,
    WinWinAgreement,
)
from programs.models import Call, FundingRule, NationalTarget, RubricCriterion
from training.models import TrainingCohort, TrainingCourse, TrainingProvider

SEEDED: list[type[models.Model]] = [
    # Level confirmations and the funding ledger refuse DELETE (append-only triggers): TRUNCATE does not
    # fire row triggers, so the reset empties them like any other table (official KPI snapshots too).
    Value,
    Snapshot,
    TrainingCohort,
    TrainingCourse,
    TrainingProvider,
    HistoricalAggregate,
    ComplexWorkplace,
    IndustrialComplex,
    OutcomeReport,
    LevelConfirmation,
    Factory,
    OutcomeSchedule,
    LedgerEntry,
    DisbursementRequest,
    ChangeRequest,
    AgreementFunding,
    ProjectAgreement,
    MentoringActivity,
    Mentor,
    MatchStatusChange,
    Match,
    SupplyChainTie,
    WinWinAgreement,
    Consortium,
    EvaluationScore,
    EvaluatorAssignment,
    DuplicateFlag,
    ApplicationStatusChange,
    Application,
    RubricCriterion,
    FundingRule,
    Call,
    Workplace,
    Company,
    Supplier,
    ApiToken,
    Membership,
    Organisation,
    User,
]
# Loaded by migrations (or by Django itself) and kept by every reset.
REFERENCE: list[type[models.Model]] = [
    Region,
    RegionCode,
    KsicDivision,
    Level,
    TargetLevel,
    FirmSizeClass,
    NationalTarget,
    ContentType,
    Permission,
    Group,
    Session,
]
FRAMEWORK_TABLES = frozenset({"django_migrations"})


def _tables(models_: list[type[models.Model]]) -> list[str]:
    return [m._meta.db_table for m in models_]


def event_models() -> list[type[pghistory.models.Event]]:
    """The audit event models of django-pghistory (one per tracked model)."""
    return [m for m in apps.get_models() if issubclass(m, pghistory.models.Event)]


def seeded_event_tables() -> list[str]:
    """The audit event tables of the seeded models. They keep no foreign keys (audit history outlives its
    rows), so no cascade reaches them: the reset names them itself."""
    seeded = set(SEEDED)
    return sorted(m._meta.db_table for m in event_models() if m.pgh_tracked_model in seeded)


def _clear_contexts(cursor: Any) -> None:
    """Audit contexts (who acted, through which service) that no event refers to any more."""
    context = connection.ops.quote_name(pghistory.models.Context._meta.db_table)
    others = [m._meta.db_table for m in event_models() if m._meta.db_table not in seeded_event_tables()]
    if not others:
        cursor.execute(f"TRUNCATE {context}")
        return
    unused = " AND ".join(
        f"NOT EXISTS (SELECT 1 FROM {connection.ops.quote_name(t)} e WHERE e.pgh_context_id = c.id)"  # noqa: S608
        for t in others
    )
    cursor.execute(f"DELETE FROM {context} c WHERE {unused}")  # noqa: S608 - quoted table names


def cascade_closure(tables: list[str]) -> set[str]:
    """Every table a TRUNCATE … CASCADE of `tables` would empty: those tables and, recursively, every
    table with a foreign key to one of them."""
    found = set(tables)
    frontier = list(tables)
    with connection.cursor() as cursor:
        while frontier:
            cursor.execute(
                "SELECT DISTINCT src.relname FROM pg_constraint c "
                "JOIN pg_class src ON src.oid = c.conrelid "
                "JOIN pg_class dst ON dst.oid = c.confrelid "
                "JOIN pg_namespace n ON n.oid = dst.relnamespace "
                "WHERE c.contype = 'f' AND n.nspname = current_schema() AND dst.relname = ANY(%s)",
                [frontier],
            )
            frontier = [row[0] for row in cursor.fetchall() if row[0] not in found]
            found.update(frontier)
    return found


def reset_seeded_data() -> list[str]:
    """Empty the seeded tables. Returns the other tables the cascade emptied as well (other apps' rows
    that referred to seeded ones, e.g. the admin log). Raises CommandError, changing nothing, if the
    cascade would reach reference data."""
    seeded = _tables(SEEDED)
    events = seeded_event_tables()
    reach = cascade_closure(seeded) | set(events)
    protected = (set(_tables(REFERENCE)) | FRAMEWORK_TABLES) & reach
    if protected:
        raise CommandError(
            "초기화하면 기준 데이터까지 지워지므로 중단합니다 / Refusing to reset: the cascade would also "
            f"empty reference tables: {', '.join(sorted(protected))}"
        )
    quoted = ", ".join(connection.ops.quote_name(t) for t in sorted(reach))
    with connection.cursor() as cursor:
        # Fail clearly instead of waiting forever when another session holds a lock on these tables.
        cursor.execute("SET LOCAL lock_timeout = '30s'")
        # Check deferred foreign keys of rows written earlier in this transaction now: PostgreSQL refuses
        # to truncate a table with pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        _clear_contexts(cursor)
    also = sorted(reach - set(seeded) - set(events))
    # Many-to-many link tables of the seeded models are expected; report only other apps' tables.
    expected = {LogEntry._meta.db_table} | {
        cast(Any, f.remote_field).through._meta.db_table for m in SEEDED for f in m._meta.many_to_many
    }
    return [t for t in also if t not in expected]


def seeded_data_exists() -> bool:
    return (
        Organisation.objects.exists()
        or Call.objects.exists()
        or Application.objects.exists()
        or Company.objects.exists()
        or Consortium.objects.exists()
        or IndustrialComplex.objects.exists()
        or TrainingProvider.objects.exists()
    )
