"""Training cohorts (인력 양성): the cohorts of the training providers the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.models import User
from exports.datasets.base import AnyUser, ChoiceLabels, Column, Dataset, register
from training.api import CohortFilter
from training.models import CourseLevel, ProviderKind, TrainingCohort
from training.permissions import can_view_training
from training.selectors import cohort_list_for_user


@register
class TrainingCohortsDataset(Dataset):
    kind = "training_cohorts"
    title = _("Training cohorts")
    model = TrainingCohort
    filterset_class = CohortFilter
    # The cohort page's `kind` (of provider) travels as `provider_kind`: `kind` names the export.
    page_aliases = {"kind": "provider_kind"}
    ordering = ("-period_end", "-id")
    columns = (
        Column(_("Cohort no."), "id", "int"),
        Column(_("Training provider"), "course__provider__organisation__name_ko"),
        Column(_("Kind of provider"), "course__provider__kind", render=ChoiceLabels(ProviderKind.choices)),
        Column(_("Region"), "course__provider__region__name_ko"),
        Column(_("Course"), "course__title_ko"),
        Column(_("Course level"), "course__level", render=ChoiceLabels(CourseLevel.choices)),
        Column(_("Course hours"), "course__hours", "int"),
        Column(_("Starts"), "period_start", "date"),
        Column(_("Ends"), "period_end", "date"),
        Column(_("Year counted"), "year", "int"),
        Column(_("Enrolled"), "enrolled", "int"),
        Column(_("Completed"), "completed", "int"),
        Column(_("Note"), "note"),
    )

    def allows(self, user: User) -> bool:
        return can_view_training(user)

    def scoped(self, user: AnyUser) -> QuerySet[Any]:
        return cohort_list_for_user(user)
