from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from companies.models import BusinessStatus
from core.forms import DateInput, KrdsForm, KrwFormField
from core.models import FirmSizeClass, KsicDivision, Region


class CompanyForm(KrdsForm):
    brn = forms.CharField(
        label=_("Business registration number"), max_length=12, help_text=_("10 digits, e.g. 123-45-67891")
    )
    crn = forms.CharField(
        label=_("Corporate registration number"),
        max_length=14,
        required=False,
        help_text=_("13 digits, if incorporated"),
    )
    name_ko = forms.CharField(label=_("Company name (Korean)"), max_length=200)
    name_en = forms.CharField(label=_("Company name (English)"), max_length=200, required=False)
    representative = forms.CharField(label=_("Representative"), max_length=100)
    size_class = forms.ModelChoiceField(
        label=_("Firm size"), queryset=FirmSizeClass.objects.filter(valid_to__isnull=True), empty_label=None
    )
    ksic = forms.ModelChoiceField(label=_("Main industry (KSIC)"), queryset=KsicDivision.objects.all())
    founded_on = forms.DateField(label=_("Founded"), widget=DateInput())
    employees = forms.IntegerField(label=_("Regular employees"), min_value=0, max_value=1_000_000)
    revenue_krw = KrwFormField(label=_("Annual revenue (won)"))


class CompanyEditForm(CompanyForm):
    business_status = forms.ChoiceField(label=_("Business status"), choices=BusinessStatus.choices)
    has_tax_arrears = forms.BooleanField(label=_("Has national or local tax arrears"), required=False)
    in_insolvency = forms.BooleanField(label=_("In bankruptcy or rehabilitation proceedings"), required=False)
    has_financial_delinquency = forms.BooleanField(label=_("Has financial delinquency"), required=False)

    def __init__(self, *args: Any, can_change_identifiers: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_change_identifiers:
            for name in ("brn", "crn"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Ask the program office to correct a registration number.")


class WorkplaceForm(KrdsForm):
    name = forms.CharField(label=_("Workplace name"), max_length=100, help_text=_("e.g. Head office plant"))
    postal_code = forms.CharField(label=_("Postal code"), max_length=5, min_length=5)
    address = forms.CharField(label=_("Address"), max_length=300)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.order_by("sort_order"))
    ksic = forms.ModelChoiceField(label=_("Industry (KSIC)"), queryset=KsicDivision.objects.all())
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
