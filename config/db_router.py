"""Read-replica routing: KPI and export reads to `replica` when DATABASE_REPLICA_URL is set.

- Writes always go to `default`; so does every read inside a transaction on `default` (a service's
  read-then-write must see its own writes and take its locks on the primary; `select_for_update` is a
  write for routing).
- Reads of the KPI snapshot tables (what the dashboards read) go to the replica; reads of any other model
  go there only inside `core.replica.replica_reads()` (long export and report reads).
- Without a `replica` database (the setting unset, as in tests) the router has no opinion and Django uses
  `default`.
- Migrations run on `default` only; the replica follows by streaming replication.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Model

from core.replica import REPLICA_ALIAS, replica_reads_active

# The tables the dashboards read: precomputed snapshots and their cells.
REPLICA_MODELS = frozenset({("kpi", "snapshot"), ("kpi", "value")})


def replica_configured() -> bool:
    return REPLICA_ALIAS in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if not replica_configured():
            return None
        if connections["default"].in_atomic_block:
            return "default"
        meta = model._meta
        if (meta.app_label, meta.model_name) in REPLICA_MODELS or replica_reads_active():
            return REPLICA_ALIAS
        return None

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # Both aliases hold the same data, so objects read from either may be related.
        aliases = {"default", REPLICA_ALIAS}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        return db != REPLICA_ALIAS
