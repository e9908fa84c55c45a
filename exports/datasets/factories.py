"""The smart-factory register (스마트공장 보급 현황) and the outcome reports (성과 보고) of its factories."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, CharField, QuerySet, Value, When
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.roles import Role
from core.selectors import user_access
from exports.datasets.base import (
    AnyUser,
    ChoiceLabels,
    Column,
    Dataset,
    PageWord,
    application_number,
    register,
)
from factories.api_outcomes import OutcomeReportFilter
from factories.forms import FactoryFilter
from factories.forms_outcomes import ALL, OPEN
from factories.models import (
    OUTCOME_MEASURES,
    ClosureReason,
    Factory,
    FactoryOrigin,
    OutcomeReport,
    OutcomeStatus,
)
from factories.outcomes_selectors import outcome_report_list_for_user
from factories.outcomes_services import SUBMITTABLE_STATUSES
from factories.selectors import factory_register_for_user
from factories.views import REGISTER_ROLES
from factories.views_outcomes import PAGE_ROLES as OUTCOME_PAGE_ROLES
from programs.models import ProgramType


@register
class FactoriesDataset(Dataset):
    kind = "factories"
    title = _("Smart factories")
    model = Factory
    filterset_class = FactoryFilter
    columns = (
        Column(_("Factory no."), "id", "int"),
        Column(_("Company"), "company__organisation__name_ko"),
        Column(_("Business registration no."), "company__brn"),
        Column(_("Workplace"), "workplace__name"),
        Column(_("Region"), "region__name_ko"),
        Column(_("KSIC code"), "ksic__code"),
        Column(_("Industry"), "ksic__name_ko"),
        Column(_("Origin"), "origin", render=ChoiceLabels(FactoryOrigin.choices)),
        Column(_("Application no."), "export_number"),
        Column(_("Program type"), "program_type", render=ChoiceLabels(ProgramType.choices)),
        Column(_("Partner firm"), "partner__name_ko"),
        Column(_("Support year"), "support_year", "int"),
        Column(_("Completed"), "completed_on", "date"),
        Column(_("Completion year"), "completion_year", "int"),
        Column(_("Level reached"), "level__code"),
        Column(_("Current level"), "current_level_code"),
        Column(_("Counted toward the target"), "counted", "bool"),
        Column(_("Closed"), "closed_on", "date"),
        Column(_("Reason for closure"), "closure_reason", render=ChoiceLabels(ClosureReason.choices)),
        Column(_("Government support paid (KRW)"), "gov_paid_krw", "money"),
    )

    def allows(self, user: User) -> bool:
        return user_access(user).has(*REGISTER_ROLES)

    def scoped(self, user: AnyUser) -> QuerySet[Any]:
        # The register's selector: each factory with its current level and the support paid to it.
        return factory_register_for_user(user)

    def annotate(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.annotate(
            export_number=Case(
                When(application__isnull=False, then=application_number("application__")),
                default=Value(None),
                output_field=CharField(),
            )
        )


def _measure_columns() -> tuple[Column, ...]:
    """Before and after of every outcome measure, headed by the model's own names of the fields."""
    kinds = {"decimal": "decimal", "percent": "decimal", "krw": "money", "count": "int"}
    fields = {f.name: f for f in OutcomeReport._meta.get_fields() if hasattr(f, "verbose_name")}
    return tuple(
        Column(capfirst(fields[f"{stem}_{side}"].verbose_name), f"{stem}_{side}", kinds[kind])
        for stem, _label, kind in OUTCOME_MEASURES
        for side in ("before", "after")
    )


REVIEWER_ROLES = (Role.OFFICIAL, Role.REGIONAL_OFFICER, Role.AUDITOR)


@register
class OutcomeReportsDataset(Dataset):
    kind = "outcome_reports"
    title = _("Outcome reports")
    model = OutcomeReport
    filterset_class = OutcomeReportFilter
    # The outcome page's own words (factories.views_outcomes.outcome_list): `status=open` is what needs
    # the user's action, `status=all` every status, `overdue=on` its checkbox.
    page_words = {
        "status": {OPEN: PageWord(_("Needing action")), ALL: PageWord(_("All statuses"))},
        "overdue": {"on": PageWord(_("Overdue only"), ("true",))},
    }
    ordering = ("due_on", "factory_id", "sequence", "id")
    columns = (
        Column(_("Report no."), "id", "int"),
        Column(_("Company"), "factory__company__organisation__name_ko"),
        Column(_("Business registration no."), "factory__company__brn"),
        Column(_("Workplace"), "factory__workplace__name"),
        Column(_("Region"), "factory__region__name_ko"),
        Column(_("Factory no."), "factory_id", "int"),
        Column(_("Report number"), "sequence", "int"),
        Column(_("Measurement period starts"), "period_start", "date"),
        Column(_("Measurement period ends"), "period_end", "date"),
        Column(_("Due"), "due_on", "date"),
        Column(_("Status"), "status", render=ChoiceLabels(OutcomeStatus.choices)),
        Column(_("Overdue"), "is_overdue", "bool"),
        *_measure_columns(),
        Column(_("Note"), "note"),
        Column(_("Submitted"), "submitted_at", "datetime"),
        Column(_("Reviewed"), "reviewed_at", "datetime"),
        Column(_("Review note"), "review_note"),
    )

    def allows(self, user: User) -> bool:
        return user_access(user).has(*OUTCOME_PAGE_ROLES)

    def scoped(self, user: AnyUser) -> QuerySet[Any]:
        return outcome_report_list_for_user(user)

    def page_word_values(self, user: AnyUser, name: str, word: str) -> tuple[str, ...] | None:
        if name == "status" and word == OPEN:
            # Reviewers act on submitted reports; SMEs on due and returned ones.
            if user_access(user).has(*REVIEWER_ROLES):
                return (OutcomeStatus.SUBMITTED,)
            return tuple(SUBMITTABLE_STATUSES)
        return super().page_word_values(user, name, word)
