"""Applications (신청), agreements (협약) and change requests (사업변경) of the projects the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from applications.api_agreements import AgreementFilter, ChangeRequestFilter
from applications.filters import ApplicationFilter
from applications.models import (
    AgreementFunding,
    Application,
    ApplicationStatus,
    ChangeRequest,
    ChangeRequestStatus,
    FundingSource,
    ProjectAgreement,
)
from applications.selectors import (
    agreement_list_for_user,
    application_list_for_user,
    change_request_list_for_user,
)
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
    person_name,
    register,
)
from programs.models import ProgramType

# The applications and agreements pages are open to every signed-in user, and show each the projects
# application_scope lets them see; evaluators work from their assignments and training providers have
# no projects, so neither has these lists to export.
PROJECT_ROLES = (
    Role.SME,
    Role.SUPPLIER,
    Role.PARTNER,
    Role.INSTITUTION,
    Role.REGIONAL_OFFICER,
    Role.FINANCE,
    Role.OFFICIAL,
    Role.AUDITOR,
)


@register
class ApplicationsDataset(Dataset):
    kind = "applications"
    title = _("Applications")
    model = Application
    filterset_class = ApplicationFilter
    columns = (
        Column(_("Application no."), "export_number"),
        Column(_("Fiscal year"), "call__fiscal_year", "int"),
        Column(_("Call"), "call__title_ko"),
        Column(_("Program type"), "call__program_type", render=ChoiceLabels(ProgramType.choices)),
        Column(_("Status"), "status", render=ChoiceLabels(ApplicationStatus.choices)),
        Column(_("Project title"), "title"),
        Column(_("Company"), "company__organisation__name_ko"),
        Column(_("Business registration no."), "company__brn"),
        Column(_("Workplace"), "workplace__name"),
        Column(_("Region"), "region__name_ko"),
        Column(_("Target level"), "target_level__name_ko"),
        Column(_("Supplier"), "supplier__organisation__name_ko"),
        Column(_("Total project cost (KRW)"), "total_cost_krw", "money"),
        Column(_("Government support (KRW)"), "gov_amount_krw", "money"),
        Column(_("Partner contribution (KRW)"), "partner_amount_krw", "money"),
        Column(_("Local-government top-up (KRW)"), "local_amount_krw", "money"),
        Column(_("SME contribution (KRW)"), "sme_amount_krw", "money"),
        Column(_("Submitted"), "submitted_at", "datetime"),
        Column(_("Decided"), "decided_at", "datetime"),
    )

    def allows(self, user: User) -> bool:
        return user_access(user).has(*PROJECT_ROLES)

    def scoped(self, user: AnyUser) -> QuerySet[Any]:
        return application_list_for_user(user)

    def annotate(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.annotate(export_number=application_number())


def _government(field: str) -> Coalesce:
    """The government line of an agreement's money (`agreed_krw`, `paid_krw`), 0 without one."""
    line = AgreementFunding.objects.filter(agreement_id=OuterRef("pk"), source=FundingSource.GOVERNMENT)
    return Coalesce(Subquery(line.values(field)[:1]), 0)


@register
class AgreementsDataset(Dataset):
    kind = "agreements"
    title = _("Agreements")
    model = ProjectAgreement
    filterset_class = AgreementFilter
    columns = (
        Column(_("Agreement no."), "id", "int"),
        Column(_("Application no."), "export_number"),
        Column(_("Call"), "application__call__title_ko"),
        Column(_("Status"), "application__status", render=ChoiceLabels(ApplicationStatus.choices)),
        Column(_("Company"), "application__company__organisation__name_ko"),
        Column(_("Business registration no."), "application__company__brn"),
        Column(_("Workplace"), "application__workplace__name"),
        Column(_("Supplier"), "supplier__organisation__name_ko"),
        Column(_("Signed"), "signed_on", "date"),
        Column(_("Agreement starts"), "starts_on", "date"),
        Column(_("Agreement ends"), "ends_on", "date"),
        Column(_("Government support agreed (KRW)"), "gov_agreed_krw", "money"),
        Column(_("Government support paid (KRW)"), "gov_paid_krw", "money"),
    )

    def allows(self, user: User) -> bool:
        return user_access(user).has(*PROJECT_ROLES)

    def scoped(self, user: AnyUser) -> QuerySet[Any]:
        return agreement_list_for_user(user)

    def annotate(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.annotate(
            export_number=application_number("application__"),
            gov_agreed_krw=_government("agreed_krw"),
            gov_paid_krw=_government("paid_krw"),
        )


@register
class ChangeRequestsDataset(Dataset):
    kind = "change_requests"
    title = _("Change requests")
    model = ChangeRequest
    filterset_class = ChangeRequestFilter
    # The change-request page opens on the requested ones; `status=all` lists every one.
    page_words = {"status": {"all": PageWord(_("All statuses"))}}
    columns = (
        Column(_("Change request no."), "id", "int"),
        Column(_("Application no."), "export_number"),
        Column(_("Company"), "agreement__application__company__organisation__name_ko"),
        Column(_("Business registration no."), "agreement__application__company__brn"),
        Column(_("Status"), "status", render=ChoiceLabels(ChangeRequestStatus.choices)),
        Column(_("Date of the cause"), "cause_date", "date"),
        Column(_("Reason"), "reason"),
        Column(_("New government support (KRW)"), "new_gov_krw", "money"),
        Column(_("New partner contribution (KRW)"), "new_partner_krw", "money"),
        Column(_("New local-government top-up (KRW)"), "new_local_krw", "money"),
        Column(_("New own contribution (KRW)"), "new_sme_krw", "money"),
        Column(_("New start"), "new_starts_on", "date"),
        Column(_("New end"), "new_ends_on", "date"),
        Column(_("New supplier"), "new_supplier__organisation__name_ko"),
        Column(_("New scope"), "new_scope"),
        Column(_("Filed"), "filed_at", "datetime"),
        Column(_("Filed by"), "export_filed_by", personal=True),
        Column(_("Decided"), "decided_at", "datetime"),
        Column(_("Decided by"), "export_decided_by", personal=True),
        Column(_("Decision note"), "decision_note"),
    )

    def allows(self, user: User) -> bool:
        # The change-request page (applications.views_agreements.change_request_list).
        return user_access(user).has(Role.OFFICIAL, Role.REGIONAL_OFFICER, Role.AUDITOR, Role.FINANCE)

    def scoped(self, user: AnyUser) -> QuerySet[Any]:
        return change_request_list_for_user(user)

    def annotate(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.annotate(
            export_number=application_number("agreement__application__"),
            export_filed_by=person_name("filed_by"),
            export_decided_by=person_name("decided_by"),
        )
