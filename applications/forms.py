from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from companies.models import Supplier, Workplace
from core.forms import DateInput, KrdsForm, KrwFormField
from core.models import Level, TargetLevel, User
from partners.models import WinWinAgreement


class StartForm(KrdsForm):
    workplace = forms.ModelChoiceField(
        label=_("Workplace"), queryset=Workplace.objects.none(), empty_label=None
    )
    target_level = forms.ModelChoiceField(
        label=_("Target level"), queryset=TargetLevel.objects.none(), empty_label=None
    )

    def __init__(
        self, *args: Any, workplaces: QuerySet[Workplace], target_levels: QuerySet[TargetLevel], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["workplace"].queryset = workplaces  # type: ignore[attr-defined]
        self.fields["target_level"].queryset = target_levels  # type: ignore[attr-defined]


class PlanForm(KrdsForm):
    title = forms.CharField(label=_("Project title"), max_length=200)
    summary = forms.CharField(
        label=_("Project plan summary"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20_000,
        help_text=_("Current problems, the systems to build, and the expected effect."),
    )
    target_level = forms.ModelChoiceField(
        label=_("Target level"), queryset=TargetLevel.objects.none(), empty_label=None
    )
    current_level = forms.ModelChoiceField(
        label=_("Current level (self-assessed)"), queryset=Level.objects.order_by("rank"), required=False
    )
    supplier = forms.ModelChoiceField(
        label=_("Supplier (공급기업)"), queryset=Supplier.objects.none(), required=False
    )
    planned_start = forms.DateField(label=_("Planned start"), widget=DateInput(), required=False)
    planned_end = forms.DateField(label=_("Planned end"), widget=DateInput(), required=False)

    def __init__(
        self, *args: Any, suppliers: QuerySet[Supplier], target_levels: QuerySet[TargetLevel], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers  # type: ignore[attr-defined]
        self.fields["target_level"].queryset = target_levels  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The end date must not be before the start date."))
        return data


class FundingForm(KrdsForm):
    """The project cost and its sources. For a win-win call the partner firm co-funding the project is
    chosen among the agreements under which the company has an accepted match; for other calls the
    partner fields are left out."""

    total_cost_krw = KrwFormField(label=_("Total project cost (won)"))
    gov_amount_krw = KrwFormField(label=_("Government support (won)"))
    partner_agreement = forms.ModelChoiceField(
        label=_("Partner firm (주관기관)"), queryset=WinWinAgreement.objects.none(), required=False
    )
    partner_amount_krw = KrwFormField(label=_("Partner firm contribution (won)"), required=False)
    sme_amount_krw = KrwFormField(label=_("Own contribution (won)"))
    local_amount_krw = KrwFormField(label=_("Local-government top-up (won)"), required=False)

    def __init__(self, *args: Any, agreements: QuerySet[WinWinAgreement] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if agreements is None:
            del self.fields["partner_agreement"]
            del self.fields["partner_amount_krw"]
        else:
            field = self.fields["partner_agreement"]
            field.queryset = agreements  # type: ignore[attr-defined]
            field.label_from_instance = lambda a: f"{a.consortium.partner.name} ({a.consortium.name})"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in ("partner_amount_krw", "local_amount_krw"):
            if data.get(name) is None:
                data[name] = 0
        return data


class NoteForm(KrdsForm):
    note = forms.CharField(
        label=_("Reason or note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AssignForm(KrdsForm):
    evaluator = forms.ModelChoiceField(label=_("Evaluator"), queryset=User.objects.none())

    def __init__(self, *args: Any, evaluators: QuerySet[User], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].queryset = evaluators  # type: ignore[attr-defined]


class OverrideForm(KrdsForm):
    reason = forms.CharField(
        label=_("Reason for accepting despite earlier support"), widget=forms.Textarea(attrs={"rows": 2})
    )


class DeclarationForm(KrdsForm):
    has_conflict = forms.TypedChoiceField(
        label=_(
            "Do you have a conflict of interest with this applicant, its supplier or a partner funding it?"
        ),
        choices=[
            ("no", _("No, I have no conflict of interest")),
            ("yes", _("Yes, I have a conflict of interest")),
        ],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("If yes, describe the conflict"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ScoreForm(KrdsForm):
    """One decimal field per rubric criterion, named `c<id>`, plus a comment."""

    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args: Any, criteria: list[Any], initial_scores: dict[int, Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"c{c.pk}"] = forms.DecimalField(
                label=f"{c.name} ({c.weight})",
                min_value=0,
                max_value=c.max_score,
                decimal_places=2,
                initial=initial_scores.get(c.pk),
                help_text=_("0 to %(max)s") % {"max": c.max_score},
                widget=forms.NumberInput(attrs={"step": "0.5", "class": "krds-input"}),
            )
        self.order_fields([f"c{c.pk}" for c in criteria] + ["comment"])

    def scores(self) -> dict[int, Any]:
        return {c.pk: self.cleaned_data[f"c{c.pk}"] for c in self.criteria}


class SelectionForm(KrdsForm):
    top_n = forms.IntegerField(label=_("Number of projects to select"), min_value=1, max_value=100_000)
