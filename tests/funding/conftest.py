"""Fixtures and helpers of the money tests: SME A's signed agreement, a second finance officer, money
moved with the real services, and a snapshot of every table that holds money.

SME A's agreement is scored by `other_evaluator`, so that the `evaluator` persona stays unassigned (the
access tests use it as an outsider).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from applications.models import (
    AgreementFunding,
    Application,
    ApplicationStatusChange,
    ChangeRequest,
    FundingSource,
    ProjectAgreement,
)
from core.models import IdempotencyRecord, User
from core.roles import Role
from funding import services as fs
from funding.models import DisbursementRequest, LedgerEntry
from partners.models import WinWinAgreement
from programs.models import Call
from tests import factories as f
from tests import flow
from tests.applications.support import busan_officer_persona
from tests.conftest import Persona

M = 1_000_000
G = FundingSource.GOVERNMENT
SME = FundingSource.SME

MONEY_MODELS = (
    Call,
    WinWinAgreement,
    Application,
    ApplicationStatusChange,
    ProjectAgreement,
    AgreementFunding,
    ChangeRequest,
    DisbursementRequest,
    LedgerEntry,
    IdempotencyRecord,
)


def money_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table that holds money or its state, to compare before and after a refusal."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MONEY_MODELS}


def funding(agreement: ProjectAgreement | int, source: str = G) -> AgreementFunding:
    """The source's row as the database holds it now."""
    agreement_id = agreement if isinstance(agreement, int) else agreement.pk
    return AgreementFunding.objects.get(agreement_id=agreement_id, source=source)


def totals(agreement: ProjectAgreement | int, source: str = G) -> tuple[int, int, int, int]:
    """(agreed, outstanding, paid, recovered) of one source."""
    row = funding(agreement, source)
    return row.agreed_krw, row.outstanding_krw, row.paid_krw, row.recovered_krw


def requested(
    agreement: ProjectAgreement,
    actor: User,
    amount: int,
    source: str = G,
    tranche: str = "advance",
) -> DisbursementRequest:
    return fs.disbursement_request(
        agreement=agreement, actor=actor, source=source, tranche=tranche, amount_krw=amount
    )


def approved(
    agreement: ProjectAgreement, maker: User, checker: User, amount: int, **kw: Any
) -> DisbursementRequest:
    made = requested(agreement, maker, amount, **kw)
    return fs.disbursement_approve(request=made, actor=checker)


def paid(agreement: ProjectAgreement, maker: User, checker: User, amount: int, **kw: Any) -> LedgerEntry:
    made = approved(agreement, maker, checker, amount, **kw)
    return fs.disbursement_pay(request=made, actor=checker)


def new_key() -> str:
    return uuid.uuid4().hex


def finance_user(username: str | None = None) -> User:
    """Another finance officer at KOSMO (or any ministry organisation)."""
    user = f.UserFactory(**({"username": username} if username else {}))
    f.member(user, f.OrganisationFactory(kind="ministry"), Role.FINANCE)
    return user


@pytest.fixture
def busan_officer(db) -> Persona:
    """A regional center officer serving Busan: another region than SME A's Gyeonggi workplace."""
    return busan_officer_persona()


@pytest.fixture
def other_finance(kosmo) -> User:
    user = f.UserFactory(username="finance2")
    f.member(user, kosmo, Role.FINANCE)
    return user


@pytest.fixture
def agreement(draft, sme_owner, official, other_evaluator) -> ProjectAgreement:
    """SME A's signed agreement (status agreed): 80 million won, 32 million of it government support."""
    return flow.to_agreed(draft, sme_owner.user, official.user, other_evaluator.user)


def race(*jobs: Callable[[], Callable[[], object]], timeout: float = 120) -> list[object]:
    """Run jobs on real threads, each with its own database connection, released together.

    Each job is called first to prepare (load its user, build its client: this opens the thread's
    connection) and returns the action; a Barrier then releases every action at once. Returns each
    action's result, or the exception it raised.
    """
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Callable[[], object]]) -> None:
        try:
            action = job()
            barrier.wait(timeout=timeout)
            results[i] = action()
        except Exception as exc:  # the test inspects what each thread got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads)
    return results


def client_for(user_id: int) -> APIClient:
    """An API client signed in as a fresh copy of the user (nothing shared between threads)."""
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user_id))
    return client
