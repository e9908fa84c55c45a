"""Pages of a partner firm's win-win portfolio and of the ministry's comparison of partner firms."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from applications.portfolio import (
    COMPARISON_COLUMNS,
    DEFAULT_COMPARISON_ORDERING,
    can_view_comparison,
    can_view_portfolio,
    comparison_for,
    mentee_rows,
    portfolio_agreements,
    portfolio_for,
    portfolio_years,
)
from core.roles import Role
from core.selectors import user_access

MATCH_BADGES = {
    "proposed": "bg-light-warning",
    "accepted": "bg-light-information",
    "active": "bg-light-primary",
    "completed": "bg-success",
    "ended": "bg-light-gray",
}

# Columns of the comparison table: sort key, heading, numeric.
COMPARISON_HEADINGS: list[tuple[str, Any]] = [
    ("partner", _("Partner firm")),
    ("pledged", _("Pledged")),
    ("committed", _("Committed")),
    ("execution", _("Execution rate")),
    ("quota", _("Mentee quota")),
    ("live", _("Live matches")),
    ("completed_matches", _("Completed matches")),
    ("cofunded", _("Co-funded applications")),
    ("selected", _("Selected projects")),
    ("completed_projects", _("Completed projects")),
    ("hours", _("Mentoring hours")),
]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else None


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    """A partner firm's (or institution's) portfolio for one agreement or one fiscal year; officials and
    auditors may look at any firm's, or the whole program's."""
    if not can_view_portfolio(request.user):
        raise PermissionDenied
    agreement_id = _int(request.GET.get("agreement"))
    partner_id = _int(request.GET.get("partner"))
    agreements, year = portfolio_agreements(
        request.user,
        agreement_id=agreement_id,
        fiscal_year=_int(request.GET.get("fiscal_year")),
        partner_id=partner_id,
    )
    data = portfolio_for(agreements, year)
    mentees = Paginator(mentee_rows(data.agreement_ids), 50).get_page(request.GET.get("page"))
    firms = sorted({(a.partner_id, a.partner_name) for a in data.agreements}, key=lambda f: f[1])
    context = {
        "portfolio": data,
        "years": portfolio_years(request.user),
        "agreement_id": agreement_id,
        "partner_id": partner_id,
        "firms": firms,
        "page_obj": mentees,
        "match_badges": MATCH_BADGES,
        "is_ministry": user_access(request.user).has(Role.OFFICIAL, Role.AUDITOR),
        "level_max": max((line.count for line in data.levels), default=0),
    }
    return render(request, "applications/portfolio.html", context)


@login_required
def comparison(request: HttpRequest) -> HttpResponse:
    """Partner firms side by side for a fiscal year; every column sorts."""
    if not can_view_comparison(request.user):
        raise PermissionDenied
    ordering = request.GET.get("ordering") or DEFAULT_COMPARISON_ORDERING
    if ordering.removeprefix("-") not in COMPARISON_COLUMNS:
        ordering = DEFAULT_COMPARISON_ORDERING
    data = comparison_for(_int(request.GET.get("fiscal_year")), ordering)
    current = ordering.removeprefix("-")
    headings = [
        {
            "key": key,
            "label": label,
            "numeric": key != "partner",
            "active": key == current,
            "descending": ordering.startswith("-"),
            # A first click sorts numbers largest first and names from A; a second click reverses.
            "ordering": (
                (key if ordering.startswith("-") else f"-{key}")
                if key == current
                else (key if key == "partner" else f"-{key}")
            ),
        }
        for key, label in COMPARISON_HEADINGS
    ]
    return render(
        request,
        "applications/comparison.html",
        {"comparison": data, "headings": headings, "ordering": ordering},
    )
