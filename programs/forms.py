from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateTimeInput, KrdsForm, KrwFormField
from core.models import FirmSizeClass, KsicDivision, Region, TargetLevel
from programs.models import ExclusionCondition, ProgramType


def _size_choices() -> list[tuple[str, str]]:
    return [
        (s.code, s.name) for s in FirmSizeClass.objects.filter(valid_to__isnull=True).order_by("sort_order")
    ]


class CallForm(KrdsForm):
    fiscal_year = forms.IntegerField(label=_("Fiscal year"), min_value=2014, max_value=2100)
    round = forms.IntegerField(label=_("Round"), min_value=1, max_value=20, initial=1)
    program_type = forms.ChoiceField(label=_("Program type"), choices=ProgramType.choices)
    title_ko = forms.CharField(label=_("Title (Korean)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    budget_krw = KrwFormField(label=_("Government budget (won)"), allow_zero=False)
    target_count = forms.IntegerField(label=_("Target number of projects"), min_value=1)
    opens_at = forms.DateTimeField(label=_("Applications open"), widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Applications close"), widget=DateTimeInput())
    eligible_size_codes = forms.MultipleChoiceField(
        label=_("Eligible firm sizes (none = all)"),
        choices=_size_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    eligible_regions = forms.ModelMultipleChoiceField(
        label=_("Eligible regions (none = nationwide)"),
        queryset=Region.objects.order_by("sort_order"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    eligible_ksic = forms.ModelMultipleChoiceField(
        label=_("Eligible industries (none = all manufacturing)"),
        queryset=KsicDivision.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    excluded_conditions = forms.MultipleChoiceField(
        label=_("Excluded conditions"),
        choices=ExclusionCondition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    prior_support_exclusion_years = forms.IntegerField(
        label=_("Prior-support exclusion period (years)"), min_value=0, max_value=20, initial=3
    )
    max_concurrent_projects = forms.IntegerField(
        label=_("Maximum concurrent projects per company"), min_value=1, max_value=20, initial=2
    )
    pass_score = forms.DecimalField(
        label=_("Pass score"), min_value=0, max_value=100, decimal_places=2, initial=Decimal(70)
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The call must close after it opens."))
        return data


def _percent_field(label: Any, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=100,
        decimal_places=2,
        required=required,
        help_text=_("percent of total cost"),
    )


class FundingRuleForm(KrdsForm):
    """Shares are typed in percent and stored in basis points (30 % = 3,000 bp)."""

    target_level = forms.ModelChoiceField(
        label=_("Target level"), queryset=TargetLevel.objects.all(), empty_label=None
    )
    size_code = forms.ChoiceField(label=_("Firm size"), required=False)
    gov_cap_krw = KrwFormField(label=_("Government support cap (won)"), allow_zero=False)
    total_cap_krw = KrwFormField(label=_("Total project cost cap (won)"), required=False, allow_zero=False)
    gov_max_pct = _percent_field(_("Government share at most"), required=True)
    gov_min_pct = _percent_field(_("Government share at least"))
    partner_min_pct = _percent_field(_("Partner share at least"))
    partner_max_pct = _percent_field(_("Partner share at most"))
    sme_max_pct = _percent_field(_("SME share at most"))
    combined_max_pct = _percent_field(_("Government + partner at most"))
    local_max_pct = _percent_field(_("Local-government top-up at most (blank = not allowed)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["size_code"].choices = [("", _("All sizes")), *_size_choices()]  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {
            "target_level": data["target_level"],
            "size_code": data["size_code"] or "",
            "gov_cap_krw": data["gov_cap_krw"],
            "total_cap_krw": data["total_cap_krw"],
        }
        for name in (
            "gov_max",
            "gov_min",
            "partner_min",
            "partner_max",
            "sme_max",
            "combined_max",
            "local_max",
        ):
            pct = data.get(f"{name}_pct")
            out[f"{name}_bp"] = None if pct is None else int(pct * 100)
        return out


class RubricRowForm(KrdsForm):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name_ko = forms.CharField(label=_("Criterion (Korean)"), max_length=200)
    name_en = forms.CharField(label=_("Criterion (English)"), max_length=200, required=False)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100)
    max_score = forms.IntegerField(label=_("Maximum score"), min_value=1, max_value=100, initial=10)


RubricFormSet = forms.formset_factory(RubricRowForm, extra=2, can_delete=True)
