"""Forms of the money pages: requesting a tranche, deciding and paying, reversals, recoveries, filters."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import FundingSource
from core.forms import KrdsForm, KrwFormField
from funding.models import DisbursementStatus, LedgerKind, Tranche

OPEN = "open"  # the queue's default: requested or approved
ALL = "all"


class OnceForm(KrdsForm):
    """A form that moves money carries a one-time token, so a double click or a resubmitted page does
    not move it twice (the pages' counterpart of the API's Idempotency-Key)."""

    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())


class DisbursementRequestForm(OnceForm):
    source = forms.ChoiceField(label=_("Source"), choices=())
    tranche = forms.ChoiceField(label=_("Tranche"), choices=())
    amount_krw = KrwFormField(label=_("Amount (won)"), allow_zero=False)
    note = forms.CharField(label=_("Note"), max_length=5_000, required=False)

    def __init__(self, *args: Any, sources: list[str], tranches: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(s, FundingSource(s).label) for s in sources]  # type: ignore[attr-defined]
        self.fields["tranche"].choices = [(t, Tranche(t).label) for t in tranches]  # type: ignore[attr-defined]


class RecoveryForm(OnceForm):
    source = forms.ChoiceField(label=_("Source"), choices=())
    amount_krw = KrwFormField(label=_("Amount recovered (won)"), allow_zero=False)
    reason = forms.CharField(label=_("Legal ground and reason"), max_length=5_000)

    def __init__(self, *args: Any, sources: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(s, FundingSource(s).label) for s in sources]  # type: ignore[attr-defined]


class ReasonForm(KrdsForm):
    reason = forms.CharField(label=_("Reason"), max_length=5_000)


class QueueFilterForm(KrdsForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(OPEN, _("Requested or approved")), *DisbursementStatus.choices, (ALL, _("All statuses"))],
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All sources")), *FundingSource.choices]
    )
    tranche = forms.ChoiceField(
        label=_("Tranche"), required=False, choices=[("", _("All tranches")), *Tranche.choices]
    )
    call = forms.TypedChoiceField(label=_("Call"), required=False, coerce=int, empty_value=None, choices=())

    def __init__(self, *args: Any, calls: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["call"].choices = [("", _("All calls")), *calls]  # type: ignore[attr-defined]


class LedgerFilterForm(KrdsForm):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *LedgerKind.choices]
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All sources")), *FundingSource.choices]
    )
    agreement = forms.IntegerField(label=_("Agreement ID"), required=False, min_value=1)
    call = forms.TypedChoiceField(label=_("Call"), required=False, coerce=int, empty_value=None, choices=())

    def __init__(self, *args: Any, calls: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["call"].choices = [("", _("All calls")), *calls]  # type: ignore[attr-defined]


class ReportFilterForm(KrdsForm):
    """Scope of the reconciliation page: a call and/or an agreement (ids)."""

    call = forms.TypedChoiceField(label=_("Call"), required=False, coerce=int, empty_value=None, choices=())
    agreement = forms.IntegerField(label=_("Agreement ID"), required=False, min_value=1)

    def __init__(self, *args: Any, calls: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["call"].choices = [("", _("All calls")), *calls]  # type: ignore[attr-defined]
