"""Training cohorts (교육 기수) of a provider's courses, recorded through `training.services.cohort_record`.

Each valid row is recorded by the training service itself, inside a savepoint of the import's
transaction, so every rule of the service applies (counts, dates, completions only once a cohort has
ended, one cohort per course and start date, active course and provider); the whole transaction is
rolled back unless every row was recorded and this is not a dry run. A provider's member imports their
own provider's cohorts (the provider column may be left blank); officials name the provider.

Cohorts are few (a provider runs dozens a year), so the service's per-row writes are affordable here;
the large kinds (companies, applications) insert in bulk instead.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError, ValidationFailed
from core.roles import Role
from core.selectors import user_access
from exports.imports.base import (
    AnyUser,
    Column,
    ImportKind,
    Row,
    RunContext,
    cell_text,
    header_key,
    lookup_table,
)
from training.models import TrainingCourse, TrainingProvider
from training.services import cohort_record

PROGRESS_EVERY = 500


def _provider_names() -> list[str]:
    return list(
        TrainingProvider.objects.filter(is_active=True)
        .order_by("organisation__name_ko")
        .values_list("organisation__name_ko", flat=True)
    )


class TrainingCohortsKind(ImportKind):
    key = "training_cohorts"
    label = _("Training cohorts")
    description = _(
        "One row per cohort of a course: its period and how many enrolled and completed. "
        "Completions are entered once the cohort has ended."
    )
    validation_writes = True
    columns = (
        Column(
            "provider",
            "교육기관",
            "Training provider",
            max_length=200,
            help=_("Leave blank for your own provider; officials name the provider."),
            choices=_provider_names,
            width=28,
        ),
        Column("course", "과정명", "Course", required=True, max_length=200, width=28),
        Column("period_start", "교육 시작일", "Starts", type="date", required=True),
        Column("period_end", "교육 종료일", "Ends", type="date", required=True),
        Column("enrolled", "입과 인원", "Enrolled", type="int", required=True, width=10),
        Column(
            "completed",
            "수료 인원",
            "Completed",
            type="int",
            help=_("Blank or 0 until the cohort has ended."),
            width=10,
        ),
        Column("note", "비고", "Note", max_length=5_000, width=30),
    )

    def can_import(self, user: AnyUser) -> bool:
        """Officials, and members of a training provider for their provider's courses."""
        return user_access(user).has(Role.OFFICIAL, Role.TRAINING_PROVIDER)

    def validate(self, rows: list[Row], ctx: RunContext) -> int:
        providers = TrainingProvider.objects.select_related("organisation")
        if not ctx.access.has(Role.OFFICIAL):
            providers = providers.filter(organisation_id__in=ctx.access.orgs(Role.TRAINING_PROVIDER))
        allowed = list(providers)
        by_name = lookup_table(([p.organisation.name_ko, p.organisation.name_en], p) for p in allowed)
        courses = {
            (course.provider_id, header_key(name)): course
            for course in TrainingCourse.objects.filter(provider__in=allowed).select_related("provider")
            for name in (course.title_ko, course.title_en)
            if name
        }
        default = allowed[0] if len(allowed) == 1 and not ctx.access.has(Role.OFFICIAL) else None
        seen: dict[tuple[int, object], int] = {}
        recorded = 0
        for done, row in enumerate(rows, start=1):
            v = row.values
            provider = default
            if row.ok("provider") and v.get("provider"):
                provider = by_name.get(header_key(v["provider"]))
                if provider is None:
                    ctx.error(
                        row,
                        "provider",
                        "unknown_provider",
                        _("Unknown training provider '%(value)s', or not one you record cohorts for.")
                        % {"value": cell_text(v["provider"])},
                    )
            elif provider is None:
                ctx.error(row, "provider", "required", _("Name the training provider."))
            course = None
            if provider is not None and row.ok("course"):
                course = courses.get((provider.pk, header_key(v["course"])))
                if course is None:
                    ctx.error(row, "course", "unknown_course", _("The provider has no course of this title."))
            if course is not None and row.ok("period_start"):
                earlier = seen.setdefault((course.pk, v["period_start"]), row.number)
                if earlier != row.number:
                    ctx.error(
                        row,
                        "period_start",
                        "duplicate_in_file",
                        _("A cohort of this course starting on this day is already in row %(row)s.")
                        % {"row": earlier},
                    )
            if course is not None and not row.bad:
                recorded += self._record(row, course, ctx)
            if done % PROGRESS_EVERY == 0:
                ctx.progress(done)
        return recorded

    def _record(self, row: Row, course: TrainingCourse, ctx: RunContext) -> int:
        """Record the cohort through the training service; its refusals become errors
        of the row (a field's error on that column, others on the course)."""
        v = row.values
        try:
            # The service is atomic itself: inside the import's transaction its refusal rolls back to its
            # own savepoint, leaving the rows recorded before it in place.
            cohort_record(
                actor=ctx.actor,
                course=course,
                period_start=v["period_start"],
                period_end=v["period_end"],
                enrolled=v["enrolled"],
                completed=v.get("completed") or 0,
                note=v.get("note") or "",
            )
        except ApplicationError as exc:
            code = "invalid" if isinstance(exc, ValidationFailed) else exc.code
            if not exc.fields:
                ctx.error(row, "course", code, exc.message)
            for field, messages in exc.fields.items():
                key = field if field in self._by_key else "course"
                ctx.error(row, key, code, messages[0] if messages else exc.message)
            return 0
        return 1

    def commit(self, prepared: int, ctx: RunContext) -> int:
        return prepared  # recorded by the service during validation, in this same transaction
