"""Page plumbing shared by every app: running a service from a form, and the home page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import ApplicationError, NotFound, PermissionDenied
from core.forms import SignupForm
from core.models import User
from core.roles import Role
from core.selectors import user_access
from core.services import user_create

T = TypeVar("T")


def signed_in_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind login_required (403 if, against that, there is none)."""
    if not isinstance(request.user, User):
        raise PermissionDenied()
    return request.user


def require(condition: bool) -> None:
    """Refuse the page with 403 unless the permission predicate holds."""
    if not condition:
        raise PermissionDenied()


def run_service(
    request: HttpRequest, service: Callable[..., T], /, *, form: forms.Form | None = None, **kwargs: Any
) -> T | None:
    """Run a service for a page. Refusals become form errors (with the field they name) or a message;
    NotFound and PermissionDenied propagate as the usual 404 and 403 pages. Returns None when the
    service refused."""
    try:
        return service(**kwargs)
    except (NotFound, PermissionDenied):
        raise
    except ApplicationError as exc:
        if form is not None:
            for field, msgs in exc.fields.items():
                target = field if field in form.fields else None
                for msg in msgs:
                    form.add_error(target, str(msg))
            # The summary message too, when there is nothing else to show or when it names the rule
            # that was broken (a message of its own rather than the class's generic one).
            if (
                not exc.fields
                or any(f not in form.fields for f in exc.fields)
                or exc.message is not type(exc).default_message
            ):
                form.add_error(None, str(exc.message))
        else:
            messages.error(request, str(exc.message))
        return None


def signup(request: HttpRequest) -> HttpResponse:
    """Create an account without any role; the new user registers their company next."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = run_service(
            request,
            user_create,
            form=form,
            username=data["username"],
            password=data["password1"],
            email=data["email"],
            display_name=data["display_name"],
        )
        if user is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your account is ready. Register your company to apply for support."))
            return redirect("companies:register")
    return render(request, "registration/signup.html", {"form": form})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to where their work is."""
    access = user_access(request.user)
    if access.has(Role.EVALUATOR) and not access.has(Role.OFFICIAL):
        return redirect("applications:assignment-list")
    if access.has(Role.OFFICIAL, Role.AUDITOR):
        # The ministry starts from where the program stands (the KPI dashboard).
        return redirect("kpi:dashboard")
    if access.has(Role.FINANCE) and not access.has(Role.OFFICIAL, Role.SME):
        return redirect("funding:queue")
    if access.has(Role.SME, Role.OFFICIAL, Role.REGIONAL_OFFICER, Role.AUDITOR, Role.SUPPLIER):
        return redirect("applications:list")
    if access.has(Role.PARTNER):
        return redirect("portfolio:portfolio")
    if access.has(Role.INSTITUTION):
        return redirect("partners:agreement-list")
    if access.has(Role.TRAINING_PROVIDER):
        return redirect("training:cohort-list")
    return render(request, "core/welcome.html", {"register_url": reverse("companies:register")})
