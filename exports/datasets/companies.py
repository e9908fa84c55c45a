"""Companies (도입기업): the SMEs the user may see, with where their workplaces are."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from companies.api import CompanyFilter
from companies.models import BusinessStatus, Company, Workplace
from companies.selectors import company_list_for_user
from core.models import User
from core.roles import Role
from core.selectors import user_access
from exports.datasets.base import AnyUser, ChoiceLabels, Column, Dataset, register


def _per_company(aggregate: Any) -> Subquery:
    """One figure over the company's workplaces, as a subquery (no join that would repeat a company)."""
    workplaces = Workplace.objects.filter(company_id=OuterRef("pk")).order_by().values("company_id")
    return Subquery(workplaces.annotate(figure=aggregate).values("figure")[:1])


@register
class CompaniesDataset(Dataset):
    kind = "companies"
    title = _("Companies")
    model = Company
    filterset_class = CompanyFilter
    ordering = ("organisation__name_ko", "id")
    columns = (
        Column(_("Company no."), "id", "int"),
        Column(_("Company"), "organisation__name_ko"),
        Column(_("Company (English)"), "organisation__name_en"),
        Column(_("Business registration no."), "brn"),
        Column(_("Corporate registration no."), "crn"),
        Column(_("Representative"), "representative", personal=True),
        Column(_("Firm size"), "size_class__name_ko"),
        Column(_("KSIC code"), "ksic__code"),
        Column(_("Industry"), "ksic__name_ko"),
        Column(_("Founded"), "founded_on", "date"),
        Column(_("Regular employees"), "employees", "int"),
        Column(_("Annual revenue (KRW)"), "revenue_krw", "money"),
        Column(_("Business status"), "business_status", render=ChoiceLabels(BusinessStatus.choices)),
        Column(_("Has tax arrears"), "has_tax_arrears", "bool"),
        Column(_("In bankruptcy or rehabilitation"), "in_insolvency", "bool"),
        Column(_("Has financial delinquency"), "has_financial_delinquency", "bool"),
        Column(_("Regions of its workplaces"), "workplace_regions"),
        Column(_("Workplaces"), "workplace_count", "int"),
    )

    def allows(self, user: User) -> bool:
        # The companies page is in the menu of officials, auditors and regional officers; an SME sees
        # its own company on its own page.
        return user_access(user).has(Role.OFFICIAL, Role.AUDITOR, Role.REGIONAL_OFFICER)

    def scoped(self, user: AnyUser) -> QuerySet[Any]:
        return company_list_for_user(user)

    def annotate(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.annotate(
            workplace_regions=_per_company(
                StringAgg("region__name_ko", delimiter=", ", distinct=True, order_by="region__name_ko")
            ),
            workplace_count=Coalesce(_per_company(Count("id")), 0, output_field=IntegerField()),
        )
