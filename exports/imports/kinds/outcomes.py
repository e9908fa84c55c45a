"""Outcome report values (성과 보고) filled in by a regional center or the ministry for due reports.

The rules are the outcome service's (factories.outcomes_services): a report can be filed while it is
due or returned and only once its measurement period has ended; its values follow
`clean_outcome_values` (percentages 0–100 with two decimals, whole won and counts of zero or more, an
after value for every baseline given, productivity or the defect rate required). The report is then
submitted as `outcome_report_submit` would, with the importing user as the submitter. Regional
officers fill in reports of factories in their own region only (can_manage_region).
"""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ValidationFailed
from core.roles import Role
from core.selectors import user_access
from exports.imports.base import AnyUser, Column, ImportKind, Row, RunContext, cell_text
from factories.models import OUTCOME_MEASURES, OutcomeReport, OutcomeStatus
from factories.outcomes_services import SUBMITTABLE_STATUSES, VALUE_FIELDS, clean_outcome_values
from factories.permissions import can_manage_region

LOOKUP_CHUNK = 5_000
UPDATE_BATCH = 1_000
NUMBER = re.compile(r"(\d{4})-(\d{1,12})")

MEASURE_HEADERS: dict[str, tuple[str, str]] = {
    "productivity": ("생산성", "Productivity"),
    "defect_rate": ("불량률(%)", "Defect rate, %"),
    "cost": ("원가(원)", "Cost, KRW"),
    "on_time_delivery": ("납기준수율(%)", "On-time delivery, %"),
    "sales": ("매출액(원)", "Sales, KRW"),
    "employees": ("고용 인원", "Employees"),
    "accidents": ("산업재해 건수", "Industrial accidents"),
}
COLUMN_TYPES = {"decimal": "decimal", "percent": "decimal", "krw": "money", "count": "int"}


def _value_columns() -> tuple[Column, ...]:
    columns = []
    for stem, _label, kind in OUTCOME_MEASURES:
        ko, en = MEASURE_HEADERS[stem]
        for side, side_ko, side_en in (("before", "도입 전", "before"), ("after", "도입 후", "after")):
            columns.append(
                Column(f"{stem}_{side}", f"{ko} {side_ko}", f"{en} {side_en}", type=COLUMN_TYPES[kind])
            )
    return tuple(columns)


class OutcomeReportsKind(ImportKind):
    key = "outcome_reports"
    label = _("Outcome report values")
    description = _(
        "One row per due outcome report: the project's number, the report's number and the values before "
        "and after the project. The report is submitted for review."
    )
    columns = (
        Column(
            "agreement",
            "과제번호",
            "Project number",
            required=True,
            help=_("The application's number, e.g. 2025-0001234."),
            width=16,
        ),
        Column("sequence", "보고 회차", "Report number", type="int", required=True, minimum=1, width=10),
        *_value_columns(),
        Column("note", "비고", "Note", max_length=5_000, width=30),
    )

    def can_import(self, user: AnyUser) -> bool:
        return user_access(user).has(Role.OFFICIAL, Role.REGIONAL_OFFICER)

    def validate(self, rows: list[Row], ctx: RunContext) -> list[tuple[OutcomeReport, dict[str, Any], str]]:
        wanted: set[int] = set()  # application ids
        numbers: dict[int, tuple[int, int] | None] = {}
        for row in rows:
            match = NUMBER.fullmatch(cell_text(row.values["agreement"])) if row.ok("agreement") else None
            numbers[row.number] = (int(match[1]), int(match[2])) if match else None
            if match:
                wanted.add(int(match[2]))
        reports = self._reports(list(wanted))
        by_project = {application_id: report for (application_id, _seq), report in reports.items()}
        today = timezone.localdate()
        seen: dict[int, int] = {}
        ready: list[tuple[OutcomeReport, dict[str, Any], str]] = []
        for row in rows:
            report = self._report(row, numbers[row.number], reports, by_project, ctx)
            if report is None:
                continue
            earlier = seen.setdefault(report.pk, row.number)
            if earlier != row.number:
                ctx.error(
                    row,
                    "sequence",
                    "duplicate_in_file",
                    _("This report is already in row %(row)s.") % {"row": earlier},
                )
                continue
            if not self._can_file(row, report, today, ctx):
                continue  # as the service: the report's state is checked before its values
            values = {
                f: row.values[f] for f in VALUE_FIELDS if row.ok(f) and row.values.get(f) not in (None, "")
            }
            try:
                clean = clean_outcome_values(values)
            except ValidationFailed as exc:
                for field, messages in exc.fields.items():
                    if row.ok(field):
                        ctx.error(
                            row,
                            field if field in VALUE_FIELDS else "productivity_after",
                            "invalid",
                            messages[0],
                        )
                continue
            if not row.bad:
                ready.append((report, clean, row.values.get("note") or ""))
        return ready

    @staticmethod
    def _reports(application_ids: list[int]) -> dict[tuple[int, int], OutcomeReport]:
        """Reports of the projects named in the file by (application id, sequence), read in chunks."""
        out: dict[tuple[int, int], OutcomeReport] = {}
        for start in range(0, len(application_ids), LOOKUP_CHUNK):
            chunk = application_ids[start : start + LOOKUP_CHUNK]
            queryset = OutcomeReport.objects.filter(factory__application_id__in=chunk).select_related(
                "factory__application__call"
            )
            for report in queryset:
                application_id = report.factory.application_id
                if application_id is not None:  # always: filtered on it
                    out[(application_id, report.sequence)] = report
        return out

    @staticmethod
    def _report(
        row: Row,
        number: tuple[int, int] | None,
        reports: dict[tuple[int, int], OutcomeReport],
        by_project: dict[int, OutcomeReport],
        ctx: RunContext,
    ) -> OutcomeReport | None:
        if not row.ok("agreement"):
            return None
        year, application_id = number or (0, 0)
        sample = by_project.get(application_id)
        application = sample.factory.application if sample is not None else None
        if sample is None or application is None or application.call.fiscal_year != year:
            ctx.error(
                row,
                "agreement",
                "unknown_agreement",
                _("No supported factory has a project of this number (e.g. 2025-0001234)."),
            )
            return None
        if not can_manage_region(ctx.actor, sample.factory.region_id):
            ctx.error(
                row,
                "agreement",
                "region_not_yours",
                _("You can fill in reports of factories in your own region only."),
            )
            return None
        if not row.ok("sequence"):
            return None
        report = reports.get((application_id, row.values["sequence"]))
        if report is None:
            ctx.error(row, "sequence", "unknown_report", _("The factory has no report of this number."))
        return report

    @staticmethod
    def _can_file(row: Row, report: OutcomeReport, today: Any, ctx: RunContext) -> bool:
        if report.status == OutcomeStatus.ACCEPTED:
            ctx.error(row, "sequence", "outcome_accepted", _("An accepted report cannot be changed."))
            return False
        if report.status not in SUBMITTABLE_STATUSES:
            ctx.error(row, "sequence", "already_submitted", _("The report was submitted and awaits review."))
            return False
        if today <= report.period_end:
            ctx.error(
                row,
                "sequence",
                "period_not_ended",
                _("The measurement period ends on %(date)s; fill in the report after that.")
                % {"date": report.period_end.isoformat()},
            )
            return False
        return True

    def commit(self, prepared: list[tuple[OutcomeReport, dict[str, Any], str]], ctx: RunContext) -> int:
        """Submit the reports, as `outcome_report_submit` does, after locking them and checking that
        none was filed meanwhile (a report filed meanwhile is an error of its row)."""
        ids = [report.pk for report, _values, _note in prepared]
        locked = dict(
            OutcomeReport.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", "status")
        )
        now = timezone.now()
        changed = []
        for report, values, note in prepared:
            if locked.get(report.pk) not in SUBMITTABLE_STATUSES:
                ctx.error(
                    0, "sequence", "already_submitted", _("A report was filed while the file was checked.")
                )
                continue
            for name, value in values.items():
                setattr(report, name, value)
            report.note = note.strip()
            report.status = OutcomeStatus.SUBMITTED
            report.submitted_by = ctx.actor
            report.submitted_at = now
            changed.append(report)
        if ctx.errors:
            return 0
        OutcomeReport.objects.bulk_update(
            changed,
            [*VALUE_FIELDS, "note", "status", "submitted_by", "submitted_at"],
            batch_size=UPDATE_BATCH,
        )
        return len(changed)
