"""Plain records of a plan's money layer: one `PProject` per application with a signed agreement (협약),
holding its agreement, its four funding sources, its disbursement requests, ledger entries and change
requests (사업변경). Nothing here touches the database.

Requests and ledger entries are plain tuples (about a million of each at national scale, where a dataclass
instance per row would cost seconds and hundreds of megabytes): see `Request` and `Entry` for their fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from applications.models import SOURCE_AMOUNT_FIELDS, ApplicationStatus

S = ApplicationStatus
# The four funding sources in the order of every per-source list (government, partner, local, SME).
SOURCES: tuple[str, ...] = tuple(str(source) for source in SOURCE_AMOUNT_FIELDS)
GOV, PARTNER, LOCAL, SME = range(4)


class Request(NamedTuple):
    """A disbursement request. Actors are indexes into Plan.staff (>= 0) or the SME user of company
    (-actor - 1), as in application steps."""

    source: int  # index into SOURCES
    tranche: str
    amount: int
    status: str
    note: str
    requested_by: int
    requested_at: dt.datetime
    approved_by: int | None
    approved_at: dt.datetime | None
    paid_by: int | None
    paid_at: dt.datetime | None
    rejected_by: int | None
    rejected_at: dt.datetime | None
    reason: str


class Entry(NamedTuple):
    """A ledger entry: a payment of a request, a reversal of an earlier entry, or a recovery (환수)."""

    source: int  # index into SOURCES
    kind: str
    amount: int  # positive for payments, negative for reversals and recoveries
    request: int | None  # position of the paid request in PProject.requests
    reverses: int | None  # position of the reversed entry in PProject.ledger
    note: str
    created_by: int
    created_at: dt.datetime


@dataclass(slots=True)
class PChange:
    """A change request (사업변경) of an agreement, filed by the SME and decided by an official."""

    status: str
    cause_date: dt.date
    reason: str
    filed_by: int
    filed_at: dt.datetime
    new_ends_on: dt.date | None = None
    new_scope: str = ""
    decided_by: int | None = None
    decided_at: dt.datetime | None = None
    decision_note: str = ""


@dataclass(slots=True)
class PProject:
    """The agreement of application `app` and its money."""

    app: int
    starts_on: dt.date
    ends_on: dt.date  # after approved extensions
    signed_on: dt.date
    signed_by: int
    created_at: dt.datetime
    updated_at: dt.datetime
    scope: str
    bank: str
    account: str
    agreed: tuple[int, int, int, int]
    outstanding: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    paid: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    recovered: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    requests: list[Request] = field(default_factory=list)
    ledger: list[Entry] = field(default_factory=list)
    changes: list[PChange] = field(default_factory=list)

    def committed(self, status: str, source: int) -> int:
        """What the project holds of a call's budget (government) or a partner's pledge (partner): the
        agreed amount while the agreement runs, what was paid (net) once it is settled or terminated."""
        return self.paid[source] if status in SETTLED_OR_ENDED else self.agreed[source]


# Statuses whose agreement was settled or terminated: only what was paid stays committed.
SETTLED_OR_ENDED = frozenset(str(s) for s in (S.SETTLED, S.FOLLOW_UP, S.CLOSED, S.TERMINATED))
