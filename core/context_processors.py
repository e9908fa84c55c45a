"""Navigation entries for the signed-in user's roles (every label translated)."""

from __future__ import annotations

import contextlib
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from core.selectors import Access, user_access


def _partnership_items(access: Access) -> list[tuple[str, Any]]:
    """Win-win partnership entries (상생 협력). Empty until the partners pages are wired into the URLconf,
    so that navigation never breaks a page."""
    try:
        agreements = reverse("partners:agreement-list")
        inbox = reverse("partners:match-list")
        portfolio = reverse("portfolio:portfolio")
        comparison = reverse("portfolio:comparison")
    except NoReverseMatch:
        return []
    items: list[tuple[str, Any]] = []
    if access.has(Role.SME):
        items.append((inbox, _("Match proposals")))
    if access.has(Role.PARTNER):
        items += [(portfolio, _("Win-win portfolio")), (agreements, _("Matching"))]
    if access.has(Role.INSTITUTION):
        items.append((agreements, _("Win-win agreements")))
    if access.has(Role.OFFICIAL, Role.AUDITOR):
        items += [(agreements, _("Win-win cooperation")), (comparison, _("Partner comparison"))]
    return items


def _money_items(access: Access) -> list[tuple[str, Any]]:
    """Money entries (지급·집행·정산). Empty until the funding pages are wired into the URLconf."""
    try:
        queue = reverse("funding:queue")
        execution = reverse("funding:execution")
        reconciliation = reverse("funding:reconciliation")
        payments = reverse("funding:my-payments")
    except NoReverseMatch:
        return []
    items: list[tuple[str, Any]] = []
    if access.has(Role.SME):
        items.append((payments, _("My payments")))
    if access.has(Role.FINANCE):
        items.append((queue, _("Payment review")))
    if access.has(Role.FINANCE, Role.OFFICIAL, Role.AUDITOR):
        items += [(execution, _("Execution status")), (reconciliation, _("Reconciliation"))]
    return items


def _factory_items(access: Access) -> list[tuple[str, Any]]:
    """Factories, outcomes, complexes and training (보급·성과·인력). Each entry appears once its pages are
    wired into the URLconf."""
    items: list[tuple[str, Any]] = []

    def add(name: str, label: Any) -> None:
        with contextlib.suppress(NoReverseMatch):
            items.append((reverse(name), label))

    staff = (Role.OFFICIAL, Role.AUDITOR, Role.REGIONAL_OFFICER, Role.FINANCE)
    if access.has(Role.SME):
        add("factories:list", _("My factories"))
        add("outcomes:list", _("My outcome reports"))
    if access.has(*staff, Role.PARTNER):
        add("factories:list", _("Smart factories"))
    if access.has(Role.OFFICIAL, Role.AUDITOR, Role.REGIONAL_OFFICER):
        add("outcomes:list", _("Outcome reports"))
    if access.has(*staff):
        add("complexes:list", _("Leading complexes"))
    if access.has(Role.OFFICIAL, Role.AUDITOR):
        add("aggregates:list", _("Historical figures"))
    if access.has(Role.OFFICIAL, Role.AUDITOR, Role.TRAINING_PROVIDER):
        add("training:cohort-list", _("Workforce training"))
    return items


def _records_items(access: Access) -> list[tuple[str, Any]]:
    """Reports, downloads, imports and the access log (보고서·내려받기·올리기·접속기록). Each entry appears
    once its pages are wired into the URLconf."""
    items: list[tuple[str, Any]] = []

    def add(name: str, label: Any) -> None:
        with contextlib.suppress(NoReverseMatch):
            items.append((reverse(name), label))

    if access.has(Role.OFFICIAL, Role.AUDITOR):
        add("exports:workbook", _("Ministry report"))
    if access.has(Role.OFFICIAL, Role.REGIONAL_OFFICER, Role.TRAINING_PROVIDER):
        add("exports:import-list", _("Workbook imports"))
    if access.roles:
        add("exports:job-list", _("My downloads"))
    if access.has(Role.AUDITOR, Role.OFFICIAL):
        add("audit:access-log", _("Access log"))
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    access = user_access(user)
    items: list[tuple[str, Any]] = []
    # The KPI dashboard first, for every role that has one (kpi.permissions.dashboard_scope).
    if access.has(Role.OFFICIAL, Role.AUDITOR, Role.FINANCE, Role.REGIONAL_OFFICER, Role.PARTNER, Role.SME):
        with contextlib.suppress(NoReverseMatch):
            items.append((reverse("kpi:dashboard"), _("Dashboard")))
    if access.has(Role.SME):
        items += [
            (reverse("applications:list"), _("My applications")),
            (reverse("companies:mine"), _("My company")),
        ]
    if access.has(Role.OFFICIAL, Role.REGIONAL_OFFICER, Role.AUDITOR, Role.FINANCE, Role.SUPPLIER):
        items.append((reverse("applications:list"), _("Applications")))
    if access.has(Role.EVALUATOR):
        items.append((reverse("applications:assignment-list"), _("My evaluations")))
    items.append((reverse("programs:call-list"), _("Calls")))
    if access.has(Role.OFFICIAL, Role.AUDITOR, Role.REGIONAL_OFFICER):
        items.append((reverse("companies:list"), _("Companies")))
    if access.has(Role.OFFICIAL, Role.AUDITOR):
        items.append((reverse("programs:target-list"), _("National targets")))
    items += _money_items(access)
    items += _factory_items(access)
    items += _partnership_items(access)
    items += _records_items(access)
    seen: set[str] = set()
    unique = [(url, label) for url, label in items if not (url in seen or seen.add(url))]  # type: ignore[func-returns-value]
    current = request.path
    # The longest entry that prefixes the path is the current one (/finance/ vs /finance/execution/).
    active = max((url for url, _label in unique if current.startswith(url)), key=len, default=None)
    nav = [{"url": url, "label": label, "active": url == active} for url, label in unique]
    return {"nav_items": nav, "user_roles": [Role(r).label for r in sorted(access.roles)]}
