"""Forms of the agreement pages: signing (협약 체결) and change requests (사업변경 신청)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from applications.agreements import AMOUNT_CHANGE_FIELDS
from applications.models import ChangeRequestStatus
from companies.models import Supplier
from core.forms import DateInput, KrdsForm, KrwFormField


class AccountNumberInput(forms.TextInput):
    """A text input that never renders its value back: the full account number appears in no page,
    not even a form sent back with errors (it is typed again)."""

    def format_value(self, value: Any) -> str | None:
        return None


class AgreementSignForm(KrdsForm):
    starts_on = forms.DateField(label=_("Agreement starts"), widget=DateInput())
    ends_on = forms.DateField(label=_("Agreement ends"), widget=DateInput())
    supplier = forms.ModelChoiceField(label=_("Supplier (공급기업)"), queryset=Supplier.objects.none())
    scope = forms.CharField(
        label=_("Scope of the project"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    account_bank = forms.CharField(label=_("Bank"), max_length=50)
    account_number = forms.CharField(
        label=_("Project account number"),
        max_length=30,
        widget=AccountNumberInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        help_text=_("Digits and hyphens. Pages show only its last four digits afterwards."),
    )
    account_holder = forms.CharField(label=_("Account holder"), max_length=100)

    def __init__(self, *args: Any, suppliers: QuerySet[Supplier], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end <= start:
            self.add_error("ends_on", _("The agreement must end after it starts."))
        return data


class ChangeRequestForm(KrdsForm):
    """A change request: the cause and reason, and any of new amounts (all four together), a new period,
    a new supplier and a new scope."""

    cause_date = forms.DateField(
        label=_("Date of the cause"),
        widget=DateInput(),
        help_text=_("A change is filed within 15 days of its cause."),
    )
    reason = forms.CharField(
        label=_("Reason for the change"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    new_gov_krw = KrwFormField(label=_("New government support (won)"), required=False)
    new_partner_krw = KrwFormField(label=_("New partner firm contribution (won)"), required=False)
    new_local_krw = KrwFormField(label=_("New local-government top-up (won)"), required=False)
    new_sme_krw = KrwFormField(label=_("New own contribution (won)"), required=False)
    new_starts_on = forms.DateField(label=_("New start"), widget=DateInput(), required=False)
    new_ends_on = forms.DateField(label=_("New end"), widget=DateInput(), required=False)
    new_supplier = forms.ModelChoiceField(
        label=_("New supplier"), queryset=Supplier.objects.none(), required=False
    )
    new_scope = forms.CharField(
        label=_("New scope"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(
        self, *args: Any, suppliers: QuerySet[Supplier], current: dict[str, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_supplier"].queryset = suppliers  # type: ignore[attr-defined]
        for source, name in AMOUNT_CHANGE_FIELDS.items():
            if source in current:
                self.fields[name].help_text = _("Now %(amount)s won") % {"amount": f"{current[source]:,}"}

    def amounts(self) -> dict[str, int]:
        """The four new amounts, or an empty dict when the amounts do not change (clean() has made
        sure it is all four or none)."""
        values = {name: self.cleaned_data.get(name) for name in AMOUNT_CHANGE_FIELDS.values()}
        return {k: v for k, v in values.items() if v is not None}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        names = list(AMOUNT_CHANGE_FIELDS.values())
        given = [n for n in names if data.get(n) is not None]
        if given and len(given) < len(names):
            for name in names:
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Give all four amounts when the amounts change (0 for none)."))
        return data


class DecisionForm(KrdsForm):
    decision = forms.ChoiceField(
        choices=[(ChangeRequestStatus.APPROVED, _("Approve")), (ChangeRequestStatus.REJECTED, _("Reject"))]
    )
    note = forms.CharField(label=_("Note"), max_length=5_000, required=False)
