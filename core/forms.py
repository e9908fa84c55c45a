"""Form plumbing for the pages: KRDS widget classes and a money field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.money import parse_krw


def apply_krds_classes(form: forms.BaseForm) -> None:
    """Give every widget of a form the KRDS class for its kind."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        css = "krds-form-select" if isinstance(widget, forms.Select) else "krds-input"
        if css not in widget.attrs.get("class", ""):
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class KrdsForm(forms.Form):
    """A form whose widgets carry the KRDS classes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        apply_krds_classes(self)


class KrwFormField(forms.Field):
    """Whole won typed by a person: digits, optionally with thousands separators."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def __init__(self, *, allow_zero: bool = True, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        return parse_krw(str(value), allow_zero=self.allow_zero)

    def prepare_value(self, value: Any) -> Any:
        return f"{value:,}" if isinstance(value, int) else value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class SignupForm(KrdsForm):
    """A new account with no role yet; its owner registers their company next."""

    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[A-Za-z0-9_.-]{4,150}$",
        help_text=_("4 or more letters, digits, or . _ -"),
        error_messages={"invalid": _("Use 4 or more letters, digits, or . _ -")},
    )
    display_name = forms.CharField(label=_("Name and department"), max_length=100)
    email = forms.EmailField(
        label=_("Email"), help_text=_("Status changes of your applications are sent here.")
    )
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif data.get("password1"):
            user = User(username=data.get("username", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(data["password1"], user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data
