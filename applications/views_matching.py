"""The matching page of a win-win call: preview and apply the optimal allocation of SMEs to partner
firms, and one partner's ranked suggestions with their reasons."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.matching import (
    MAX_SUGGESTIONS,
    matching_agreements_for_user,
    matching_apply,
    matching_preview,
    matching_suggestions,
    matching_target_levels,
)
from core.forms import KrdsForm
from core.models import TargetLevel, User
from core.roles import Role
from core.selectors import user_access
from core.views import run_service
from partners.models import WinWinAgreement
from programs.selectors import call_get_for_user

DEFAULT_PAGE_SUGGESTIONS = 20


class AgreementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        agreement: WinWinAgreement = obj
        return f"{agreement.consortium.partner.name} · {agreement.consortium.name}"


class MatchingForm(KrdsForm):
    target_level = forms.ModelChoiceField(
        label=gettext_lazy("Target level"), queryset=TargetLevel.objects.none(), empty_label=None
    )
    agreement = AgreementChoiceField(
        label=gettext_lazy("Partner firm (for suggestions)"),
        queryset=WinWinAgreement.objects.none(),
        required=False,
        empty_label=gettext_lazy("Choose a partner firm"),
    )
    limit = forms.IntegerField(
        label=gettext_lazy("Number of suggestions"),
        min_value=1,
        max_value=MAX_SUGGESTIONS,
        initial=DEFAULT_PAGE_SUGGESTIONS,
        required=False,
    )

    def __init__(self, *args: Any, target_levels: Any, agreements: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_level"].queryset = target_levels  # type: ignore[attr-defined]
        self.fields["agreement"].queryset = agreements  # type: ignore[attr-defined]
        first = target_levels.first()
        if first is not None:
            self.fields["target_level"].initial = first.pk


@login_required
def matching_page(request: HttpRequest, call_id: int) -> HttpResponse:
    """GET: the form. POST: 'preview' (the allocation over every agreement the user may match for),
    'suggest' (one partner's ranked suggestions) or 'apply' (the previewed allocation, by fingerprint).
    htmx POSTs get the results fragment only."""
    call = call_get_for_user(request.user, call_id)
    user = request.user
    if not isinstance(user, User):  # login_required has let only signed-in users through
        raise PermissionDenied
    access = user_access(user)
    agreements = matching_agreements_for_user(user, call)
    if not access.has(Role.OFFICIAL) and not (access.has(Role.PARTNER) and agreements.exists()):
        raise PermissionDenied
    target_levels = matching_target_levels(call)
    form = MatchingForm(request.POST or None, target_levels=target_levels, agreements=agreements)
    preview = suggestions = None
    if request.method == "POST" and form.is_valid():
        level = form.cleaned_data["target_level"]
        if "apply" in request.POST:
            result = run_service(
                request,
                matching_apply,
                form=form,
                call=call,
                actor=user,
                target_level=level,
                fingerprint=request.POST.get("fingerprint", ""),
            )
            if result is not None:
                messages.success(
                    request,
                    _("%(n)s matches are proposed to the SMEs.") % {"n": result.allocated_count},
                )
                return redirect("matching:page", call_id=call.pk)
            preview = run_service(
                request, matching_preview, form=form, call=call, actor=user, target_level=level
            )
        elif "suggest" in request.POST:
            agreement = form.cleaned_data["agreement"]
            if agreement is None:
                form.add_error("agreement", _("Choose a partner firm to see its suggestions."))
            else:
                suggestions = run_service(
                    request,
                    matching_suggestions,
                    form=form,
                    call=call,
                    agreement=agreement,
                    actor=user,
                    target_level=level,
                    limit=form.cleaned_data["limit"] or DEFAULT_PAGE_SUGGESTIONS,
                )
        else:
            preview = run_service(
                request, matching_preview, form=form, call=call, actor=user, target_level=level
            )
    context = {
        "call": call,
        "form": form,
        "preview": preview,
        "suggestions": suggestions,
        "agreements": list(agreements),
        "has_levels": target_levels.exists(),
    }
    partial = request.method == "POST" and getattr(request, "htmx", False)
    template = "applications/matching_results.html" if partial else "applications/matching.html"
    return render(request, template, context)
