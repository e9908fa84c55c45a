"""Forms of the win-win partnership pages, and the partner firms a user may see (shared with the API)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from core.forms import DateInput, KrdsForm, KrwFormField
from core.identifiers import normalize_brn
from core.models import KsicDivision, Organisation, Region
from core.roles import OrganisationKind, Role
from core.selectors import user_access
from partners.models import (
    WINWIN_TRACKS,
    ActivityKind,
    AgreementStatus,
    Consortium,
    Mentor,
)
from partners.selectors import AnyUser, consortium_list_for_user

MAX_TIE_LINES = 1_000


def visible_partner_firms(user: AnyUser) -> QuerySet[Organisation]:
    """Partner firms the user may see: their own, those of the consortia they may see, or (officials and
    auditors) every partner firm. Whether they may change a firm's data is the services' decision."""
    qs = Organisation.objects.filter(kind=OrganisationKind.PARTNER).order_by("name_ko", "id")
    access = user_access(user)
    if access.has(Role.OFFICIAL, Role.AUDITOR):
        return qs
    return qs.filter(
        Q(pk__in=access.orgs(Role.PARTNER))
        | Q(pk__in=consortium_list_for_user(user).order_by().values("partner_id"))
    )


def own_partner_firm(user: AnyUser) -> Organisation | None:
    """The one partner firm a user acts for, if exactly one (the default for their mentors and ties)."""
    ids = user_access(user).orgs(Role.PARTNER)
    if len(ids) != 1:
        return None
    return Organisation.objects.filter(pk=next(iter(ids))).first()


class CompanyByBrnField(forms.ModelChoiceField):
    """A registered company chosen by its business registration number (with or without dashes)."""

    widget = forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "123-45-67890"}
    )
    default_error_messages = {
        "invalid_choice": _("No company with this business registration number is registered."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=Company.objects.select_related("organisation"), to_field_name="brn", **kwargs
        )

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        try:
            value = normalize_brn(str(value))
        except ValidationError as exc:
            raise ValidationError(exc.messages, code="invalid") from exc
        return super().to_python(value)


class ConsortiumForm(KrdsForm):
    partner = forms.ModelChoiceField(
        label=_("Partner firm (주관기관)"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.PARTNER).order_by("name_ko"),
    )
    institution = forms.ModelChoiceField(
        label=_("Cooperating institution (협력기관)"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.INSTITUTION).order_by("name_ko"),
    )
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    established_on = forms.DateField(label=_("Established"), widget=DateInput())


def _track_choices() -> list[tuple[str, Any]]:
    return [(t.value, t.label) for t in WINWIN_TRACKS]


class AgreementFieldsMixin(forms.Form):
    pledged_krw = KrwFormField(label=_("Pledged contribution (won)"), allow_zero=False)
    mentee_quota = forms.IntegerField(label=_("Mentee quota"), min_value=1, max_value=100_000)
    tracks = forms.MultipleChoiceField(
        label=_("Call tracks funded"), choices=_track_choices, widget=forms.CheckboxSelectMultiple
    )
    signed_on = forms.DateField(label=_("Signed"), widget=DateInput())
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions served (none = nationwide)"),
        queryset=Region.objects.order_by("sort_order"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    industries = forms.ModelMultipleChoiceField(
        label=_("Industries served (none = all manufacturing)"),
        queryset=KsicDivision.objects.order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


class AgreementCreateForm(AgreementFieldsMixin, KrdsForm):
    consortium = forms.ModelChoiceField(label=_("Consortium"), queryset=Consortium.objects.none())
    fiscal_year = forms.IntegerField(label=_("Fiscal year"), min_value=2014, max_value=2100)

    field_order = ["consortium", "fiscal_year"]

    def __init__(self, *args: Any, consortia: QuerySet[Consortium], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consortium"].queryset = consortia  # type: ignore[attr-defined]


class AgreementUpdateForm(AgreementFieldsMixin, KrdsForm):
    status = forms.ChoiceField(label=_("Status"), choices=AgreementStatus.choices)


class TiesForm(KrdsForm):
    """Supply-chain SMEs pasted one per line: business registration number, then the name."""

    lines = forms.CharField(
        label=_("Supply-chain SMEs (one per line: business registration number, company name)"),
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "123-45-67890, (주)협력정밀"}),
        max_length=100_000,
    )

    def clean_lines(self) -> str:
        text: str = self.cleaned_data["lines"]
        if len(self.entries_of(text)) > MAX_TIE_LINES:
            raise ValidationError(_("Add at most %(n)s lines at a time.") % {"n": MAX_TIE_LINES})
        if not self.entries_of(text):
            raise ValidationError(_("Enter at least one business registration number."))
        return text

    @staticmethod
    def entries_of(text: str) -> list[tuple[int, str, str]]:
        """(line number in the text, number, name) of every non-empty line."""
        out = []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            brn, _sep, name = line.partition(",")
            if not _sep and "\t" in line:  # pasted from a spreadsheet
                brn, _sep, name = line.partition("\t")
            out.append((number, brn.strip(), name.strip()))
        return out


class ProposeForm(KrdsForm):
    """A mentee company chosen by business registration number, or from the partner's supply chain."""

    brn = CompanyByBrnField(label=_("Business registration number"), required=False)
    candidate = forms.ModelChoiceField(
        label=_("Or a registered company of your supply chain"),
        queryset=Company.objects.none(),
        required=False,
    )
    score = forms.IntegerField(
        label=_("Fit score (0–100, optional)"), min_value=0, max_value=100, required=False
    )
    note = forms.CharField(
        label=_("Message to the company"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5_000,
        required=False,
    )

    def __init__(self, *args: Any, candidates: QuerySet[Company], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = candidates  # type: ignore[attr-defined]
        self.fields["candidate"].label_from_instance = lambda c: f"{c.name} ({c.brn_display})"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "brn" in self.errors:
            return data
        chosen = [c for c in (data.get("brn"), data.get("candidate")) if c is not None]
        if not chosen:
            self.add_error("brn", _("Enter a business registration number or choose a company."))
        elif len(chosen) == 2 and chosen[0].pk != chosen[1].pk:
            self.add_error("candidate", _("Choose one company: the number and the list name different ones."))
        else:
            data["company"] = chosen[0]
        return data


class MentorForm(KrdsForm):
    partner = forms.ModelChoiceField(label=_("Partner firm"), queryset=Organisation.objects.none())
    name = forms.CharField(label=_("Name"), max_length=100)
    expertise = forms.CharField(label=_("Expertise"), max_length=200, required=False)

    def __init__(self, *args: Any, partners: QuerySet[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if partners is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].queryset = partners  # type: ignore[attr-defined]


class MentorEditForm(KrdsForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    expertise = forms.CharField(label=_("Expertise"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class ActivityForm(KrdsForm):
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=Mentor.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal(24),
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000, required=False
    )

    def __init__(self, *args: Any, mentors: QuerySet[Mentor], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors  # type: ignore[attr-defined]
