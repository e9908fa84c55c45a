"""Write a plan's money layer with COPY (agreements, their funding sources, disbursement requests, the funding
ledger, change requests), check it, and derive the committed totals of calls and win-win agreements from it.

The ledger's balance trigger (`funding.LedgerEntry:ledger_moves_balance`) adds each entry to its source's
paid and recovered totals. For a million entries that is a million single-row UPDATEs of the funding rows;
the bulk load sets it aside instead and writes the funding rows with the totals the plan computed from the
same entries, then `check_balances` proves, in one query, that every funding row equals the sums over its
ledger entries and open requests (the seed fails otherwise). Entries made later through the services move
the totals through the trigger as always.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Q, Sum

from applications.models import (
    AGREEMENT_STATES,
    AgreementFunding,
    Application,
    ApplicationStatus,
    ChangeRequest,
    FundingSource,
    ProjectAgreement,
)
from demo.seed import bulk
from demo.seed.money_records import SETTLED_OR_ENDED, SOURCES
from demo.seed.text import progress
from demo.seed.writer import Writer
from funding.models import DisbursementRequest, LedgerEntry
from partners.models import WinWinAgreement
from programs.models import Call

S = ApplicationStatus
# Whether the ledger's balance trigger runs during the bulk load (see the module docstring).
LEDGER_TRIGGER_IN_BULK = False
# Agreements in force: their agreed amounts stay committed; settled or terminated ones keep what was paid.
RUNNING = [str(s) for s in AGREEMENT_STATES if str(s) not in SETTLED_OR_ENDED]
ENDED = sorted(SETTLED_OR_ENDED)


class MoneyWriter(Writer):
    """Writes the agreements, funding sources, requests, ledger entries and change requests (COPY)."""

    def agreements(self) -> int:
        plan = self.plan
        first = bulk.next_id(ProjectAgreement)
        self.project_ids = [first + n for n in range(len(plan.projects))]
        actor = self.staff_actor
        count = bulk.copy_rows(
            ProjectAgreement,
            (
                "id",
                "application_id",
                "starts_on",
                "ends_on",
                "supplier_id",
                "scope",
                "account_bank",
                "account_number",
                "account_holder",
                "signed_on",
                "signed_by_id",
                "created_at",
                "updated_at",
            ),
            (
                (
                    self.project_ids[n],
                    self.app_ids[p.app],
                    p.starts_on,
                    p.ends_on,
                    self.supplier_ids[supplier],
                    p.scope,
                    p.bank,
                    p.account,
                    plan.companies[app.company].name_ko,
                    p.signed_on,
                    actor(p.signed_by),
                    p.created_at,
                    p.updated_at,
                )
                for n, p in enumerate(plan.projects)
                for app in (plan.apps[p.app],)
                for supplier in (app.supplier if app.supplier is not None else 0,)
            ),
        )
        ledger_moves = LEDGER_TRIGGER_IN_BULK
        funding0 = bulk.next_id(AgreementFunding)
        bulk.copy_rows(
            AgreementFunding,
            ("id", "agreement_id", "source", "agreed_krw", "outstanding_krw", "paid_krw", "recovered_krw"),
            (
                (
                    funding0 + 4 * n + k,
                    self.project_ids[n],
                    SOURCES[k],
                    p.agreed[k],
                    p.outstanding[k],
                    0 if ledger_moves else p.paid[k],
                    0 if ledger_moves else p.recovered[k],
                )
                for n, p in enumerate(self.plan.projects)
                for k in range(4)
            ),
        )
        return count

    def disbursements(self) -> int:
        """The requests, numbered so that the ledger can name them without reading them back."""
        first = bulk.next_id(DisbursementRequest)
        self.request_first: list[int] = []
        actor = self.staff_actor
        next_request = first
        for p in self.plan.projects:
            self.request_first.append(next_request)
            next_request += len(p.requests)
        project_ids = self.project_ids

        def rows() -> Iterator[tuple[object, ...]]:
            rid = first
            for n, p in enumerate(self.plan.projects):
                agreement = project_ids[n]
                for r in p.requests:
                    yield (
                        rid,
                        agreement,
                        SOURCES[r.source],
                        r.tranche,
                        r.amount,
                        r.status,
                        r.note,
                        actor(r.requested_by),
                        r.requested_at,
                        None if r.approved_by is None else actor(r.approved_by),
                        r.approved_at,
                        None if r.paid_by is None else actor(r.paid_by),
                        r.paid_at,
                        None if r.rejected_by is None else actor(r.rejected_by),
                        r.rejected_at,
                        r.reason,
                    )
                    rid += 1

        return bulk.copy_rows(
            DisbursementRequest,
            (
                "id",
                "agreement_id",
                "source",
                "tranche",
                "amount_krw",
                "status",
                "note",
                "requested_by_id",
                "requested_at",
                "approved_by_id",
                "approved_at",
                "paid_by_id",
                "paid_at",
                "rejected_by_id",
                "rejected_at",
                "rejection_reason",
            ),
            rows(),
        )

    def ledger(self) -> int:
        first = bulk.next_id(LedgerEntry)
        actor = self.staff_actor
        project_ids, request_first = self.project_ids, self.request_first

        def rows() -> Iterator[tuple[object, ...]]:
            eid = first
            for n, p in enumerate(self.plan.projects):
                agreement = project_ids[n]
                requests = request_first[n]
                entries = eid
                for e in p.ledger:
                    yield (
                        eid,
                        agreement,
                        SOURCES[e.source],
                        e.kind,
                        e.amount,
                        None if e.request is None else requests + e.request,
                        None if e.reverses is None else entries + e.reverses,
                        e.note,
                        actor(e.created_by),
                        e.created_at,
                    )
                    eid += 1

        return bulk.copy_rows(
            LedgerEntry,
            (
                "id",
                "agreement_id",
                "source",
                "kind",
                "amount_krw",
                "disbursement_id",
                "reverses_id",
                "note",
                "created_by_id",
                "created_at",
            ),
            rows(),
        )

    def change_requests(self) -> int:
        actor = self.staff_actor
        return bulk.copy_rows(
            ChangeRequest,
            (
                "agreement_id",
                "status",
                "cause_date",
                "reason",
                "new_ends_on",
                "new_scope",
                "filed_by_id",
                "filed_at",
                "decided_by_id",
                "decided_at",
                "decision_note",
            ),
            (
                (
                    self.project_ids[n],
                    c.status,
                    c.cause_date,
                    c.reason,
                    c.new_ends_on,
                    c.new_scope,
                    actor(c.filed_by),
                    c.filed_at,
                    None if c.decided_by is None else actor(c.decided_by),
                    c.decided_at,
                    c.decision_note,
                )
                for n, p in enumerate(self.plan.projects)
                for c in p.changes
            ),
        )

    def money(self) -> int:
        """Agreements and funding sources, requests, ledger entries and change requests (COPY)."""
        count = self.agreements()
        self.log_count("  자금원 funding sources", 4 * count)
        self.log_count("  지급 요청 disbursement requests", self.disbursements())
        self.log_count("  원장 ledger entries", self.ledger())
        self.log_count("  사업변경 change requests", self.change_requests())
        return count

    def log_count(self, label: str, count: int) -> None:
        self.log(progress(label, count, None))

    # After the load -----------------------------------------------------------------------------------------

    @staticmethod
    def check_balances() -> None:
        """Every funding row equals its ledger (paid = Σ entries, recovered = −Σ recoveries) and its open
        requests (outstanding = Σ requested or approved); the seed fails loudly otherwise."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT f.agreement_id, f.source FROM applications_agreementfunding f
                LEFT JOIN (
                    SELECT agreement_id, source, SUM(amount_krw) AS paid,
                           SUM(CASE WHEN kind = 'recovery' THEN -amount_krw ELSE 0 END) AS recovered
                      FROM funding_ledgerentry GROUP BY agreement_id, source
                ) l ON l.agreement_id = f.agreement_id AND l.source = f.source
                LEFT JOIN (
                    SELECT agreement_id, source, SUM(amount_krw) AS open
                      FROM funding_disbursementrequest WHERE status IN ('requested', 'approved')
                     GROUP BY agreement_id, source
                ) r ON r.agreement_id = f.agreement_id AND r.source = f.source
                WHERE f.paid_krw <> COALESCE(l.paid, 0) OR f.recovered_krw <> COALESCE(l.recovered, 0)
                   OR f.outstanding_krw <> COALESCE(r.open, 0)
                LIMIT 5
                """
            )
            wrong = cursor.fetchall()
        if wrong:
            raise CommandError(f"funding totals disagree with the ledger for (agreement, source) {wrong}")

    def committed_totals(self) -> None:
        """What every call and win-win agreement has committed, from the data (as the services keep it):

        - a call: the government amount of its selected applications, the agreed government amount of its
          agreements in force, and what was paid (net) of its settled or terminated ones;
        - a win-win agreement: the partner shares confirmed on its applications without an agreement yet,
          the agreed partner amount of its agreements in force, and what was paid of settled or
          terminated ones.

        Selections count every supported application, as before."""
        gov, partner = FundingSource.GOVERNMENT.value, FundingSource.PARTNER.value
        calls: dict[int, int] = dict.fromkeys(self.call_ids.values(), 0)
        for call_id, total in (
            Application.objects.filter(status=S.SELECTED)
            .values("call_id")
            .annotate(total=Sum("gov_amount_krw"))
            .values_list("call_id", "total")
            .order_by()
        ):
            calls[call_id] += total
        winwin: dict[int, int] = dict.fromkeys(self.agreement_ids, 0)
        for agreement_id, total in (
            Application.objects.filter(partner_confirmed_krw__isnull=False)
            .exclude(status__in=AGREEMENT_STATES)
            .values("partner_agreement_id")
            .annotate(total=Sum("partner_confirmed_krw"))
            .values_list("partner_agreement_id", "total")
            .order_by()
        ):
            winwin[agreement_id] += total
        held = (
            AgreementFunding.objects.filter(source__in=[gov, partner])
            .values(
                "source", "agreement__application__call_id", "agreement__application__partner_agreement_id"
            )
            .annotate(
                agreed=Sum("agreed_krw", filter=Q(agreement__application__status__in=RUNNING)),
                paid=Sum("paid_krw", filter=Q(agreement__application__status__in=ENDED)),
            )
            .order_by()
        )
        for row in held:
            amount = (row["agreed"] or 0) + (row["paid"] or 0)
            if row["source"] == gov:
                calls[row["agreement__application__call_id"]] += amount
            elif row["agreement__application__partner_agreement_id"] is not None:
                winwin[row["agreement__application__partner_agreement_id"]] += amount
        for call_id, committed in calls.items():
            Call.objects.filter(pk=call_id).exclude(committed_krw=committed).update(committed_krw=committed)
        for agreement_id, committed in winwin.items():
            WinWinAgreement.objects.filter(pk=agreement_id).exclude(committed_krw=committed).update(
                committed_krw=committed
            )
