"""Reads that may go to the read replica (config.db_router).

KPI snapshot tables are always read from the replica when one is configured. Other reads go there only
inside `replica_reads()`, which an export or report wraps around its generation: a long read of many rows
that can tolerate a few seconds of replication lag. Nothing inside a transaction is ever sent there (see
the router), so a service's read-then-write always sees the primary.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

REPLICA_ALIAS = "replica"

_prefer_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("prefer_replica", default=False)


def replica_reads_active() -> bool:
    return _prefer_replica.get()


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within the block, reads of any model may use the replica (when configured)."""
    token = _prefer_replica.set(True)
    try:
        yield
    finally:
        _prefer_replica.reset(token)
