"""Write the applications of a plan with their history, evaluations and duplicate flags (COPY)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count

from applications.models import (
    SUPPORTED_STATES,
    Application,
    ApplicationStatusChange,
    DuplicateFlag,
    EvaluationScore,
    EvaluatorAssignment,
)
from demo.seed import bulk
from demo.seed.records import PApp
from demo.seed.writer import NOTIFY_STATUSES, Writer
from programs.models import Call


class HistoryWriter(Writer):
    """Writes the applications, their status history, evaluator assignments and scores, and flags."""

    def applications(self) -> int:
        plan = self.plan
        ref = self.ref
        app0 = bulk.next_id(Application)
        for n, app in enumerate(plan.apps):
            self.app_ids[app.idx] = app0 + n
        size_ids = {
            (code, year): ref.size(code, dt.date(year, 6, 30)).pk
            for code in ref.sizes
            for year in range(2014, 2031)
        }

        def rows() -> Iterator[tuple[object, ...]]:
            for n, a in enumerate(plan.apps):
                submitted = a.submitted_at
                size_id = size_ids[(a.size, submitted.year)] if a.size and submitted else None
                yield (
                    app0 + n,
                    self.call_ids[a.call],
                    self.workplace_ids[a.workplace],
                    self.company_ids[a.company],
                    ref.regions[a.region].pk,
                    ref.targets[a.target_level].pk,
                    self.supplier_ids[a.supplier] if a.supplier is not None else None,
                    ref.levels[a.current_level].pk if a.current_level else None,
                    size_id,
                    a.status,
                    a.title,
                    a.summary,
                    a.planned_start,
                    a.planned_end,
                    a.total,
                    a.gov,
                    a.partner,
                    a.sme,
                    a.local,
                    a.score,
                    submitted,
                    a.decided_at,
                    self.company_user[a.company],
                    a.created_at,
                    a.updated_at,
                    self.agreement_ids[a.agreement] if a.agreement is not None else None,
                    a.confirmed_krw,
                    a.confirmed_at,
                    self.partner_user_ids[a.confirmed_by] if a.confirmed_by is not None else None,
                )

        count = bulk.copy_rows(
            Application,
            (
                "id",
                "call_id",
                "workplace_id",
                "company_id",
                "region_id",
                "target_level_id",
                "supplier_id",
                "current_level_id",
                "size_class_id",
                "status",
                "title",
                "summary",
                "planned_start",
                "planned_end",
                "total_cost_krw",
                "gov_amount_krw",
                "partner_amount_krw",
                "sme_amount_krw",
                "local_amount_krw",
                "evaluation_score",
                "submitted_at",
                "decided_at",
                "created_by_id",
                "created_at",
                "updated_at",
                "partner_agreement_id",
                "partner_confirmed_krw",
                "partner_confirmed_at",
                "partner_confirmed_by_id",
            ),
            rows(),
        )
        return count

    def history(self) -> int:
        notify_delay = dt.timedelta(minutes=2)

        def rows() -> Iterator[tuple[object, ...]]:
            for a in self.plan.apps:
                app_id = self.app_ids[a.idx]
                for action, source, target, at, actor, note in a.path:
                    notified = at + notify_delay if target in NOTIFY_STATUSES else None
                    yield (app_id, action, source, target, self.staff_actor(actor), note, at, notified)

        return bulk.copy_rows(
            ApplicationStatusChange,
            ("application_id", "action", "from_status", "to_status", "actor_id", "note", "at", "notified_at"),
            rows(),
        )

    def evaluations(self) -> int:
        first = bulk.next_id(EvaluatorAssignment)
        numbered: list[tuple[int, PApp, int]] = []  # (assignment id, app, position)
        for a in self.plan.apps:
            for pos in range(len(a.assignments)):
                numbered.append((first + len(numbered), a, pos))
        count = bulk.copy_rows(
            EvaluatorAssignment,
            (
                "id",
                "application_id",
                "evaluator_id",
                "assigned_by_id",
                "assigned_at",
                "conflict_status",
                "conflict_note",
                "declared_at",
                "total_score",
                "comment",
                "submitted_at",
            ),
            (
                (
                    assignment_id,
                    self.app_ids[a.idx],
                    self.staff_ids[s.evaluator],
                    self.staff_ids[s.assigned_by],
                    s.assigned_at,
                    s.conflict_status,
                    s.conflict_note,
                    s.declared_at,
                    s.total_score,
                    s.comment,
                    s.submitted_at,
                )
                for assignment_id, a, pos in numbered
                for s in (a.assignments[pos],)
            ),
        )
        bulk.copy_rows(
            EvaluationScore,
            ("assignment_id", "criterion_id", "score"),
            (
                (assignment_id, criterion, score)
                for assignment_id, a, pos in numbered
                for criterion, score in zip(self.criteria[a.call], a.assignments[pos].scores, strict=False)
            ),
        )
        return count

    def flags(self) -> int:
        return bulk.copy_rows(
            DuplicateFlag,
            (
                "application_id",
                "earlier_application_id",
                "basis",
                "created_at",
                "overridden_by_id",
                "overridden_at",
                "override_reason",
            ),
            (
                (
                    self.app_ids[a.idx],
                    self.app_ids[f.earlier],
                    f.basis,
                    f.created_at,
                    self.staff_ids[f.overridden_by] if f.overridden_by is not None else None,
                    f.overridden_at,
                    f.override_reason,
                )
                for a in self.plan.apps
                for f in a.flags
            ),
        )

    # The demo logins' own activity, through the services ---------------------------------------------------

    def call_totals(self) -> int:
        """Selections of every call: its supported applications. (What it commits follows the agreements'
        money: `MoneyWriter.committed_totals`.)"""
        counts = dict(
            Application.objects.filter(status__in=SUPPORTED_STATES)
            .values("call_id")
            .annotate(n=Count("id"))
            .values_list("call_id", "n")
            .order_by()
        )
        for call_id in self.call_ids.values():
            Call.objects.filter(pk=call_id).update(selected_count=counts.get(call_id, 0))
        return len(self.call_ids)
