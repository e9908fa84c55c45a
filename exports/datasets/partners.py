"""Win-win matches (상생 매칭) and their mentoring sessions (멘토링)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.roles import Role
from core.selectors import user_access
from exports.datasets.base import AnyUser, ChoiceLabels, Column, Dataset, register
from partners.api import ActivityFilter, MatchFilter
from partners.models import ActivityKind, Match, MatchStatus, MentoringActivity
from partners.selectors import activity_list_for_user, match_list_for_user

# The match list is the page of those who work with partnerships (partners.views.match_list); an SME
# gets its match inbox instead.
PARTNERSHIP_ROLES = (Role.PARTNER, Role.INSTITUTION, Role.OFFICIAL, Role.AUDITOR)


@register
class MatchesDataset(Dataset):
    kind = "matches"
    title = _("Matches")
    model = Match
    filterset_class = MatchFilter
    # The match page searches by company name or the first digits of its registration number.
    page_params = frozenset({"q"})
    page_labels = {"q": _("Company name or registration number")}
    columns = (
        Column(_("Match no."), "id", "int"),
        Column(_("Fiscal year"), "agreement__fiscal_year", "int"),
        Column(_("Consortium"), "agreement__consortium__name_ko"),
        Column(_("Partner firm"), "agreement__consortium__partner__name_ko"),
        Column(_("Cooperating institution"), "agreement__consortium__institution__name_ko"),
        Column(_("Company"), "company__organisation__name_ko"),
        Column(_("Business registration no."), "company__brn"),
        Column(_("Status"), "status", render=ChoiceLabels(MatchStatus.choices)),
        Column(_("Fit score"), "score", "int"),
        Column(_("Proposed"), "created_at", "datetime"),
        Column(_("Updated"), "updated_at", "datetime"),
    )

    def allows(self, user: User) -> bool:
        return user_access(user).has(*PARTNERSHIP_ROLES)

    def scoped(self, user: AnyUser) -> QuerySet[Any]:
        return match_list_for_user(user)

    def page_filter(self, queryset: QuerySet[Any], params: dict[str, list[str]]) -> QuerySet[Any]:
        for value in params.get("q", []):
            q = value.strip()
            if not q:
                continue
            digits = q.replace("-", "")
            queryset = (
                queryset.filter(company__brn__startswith=digits)
                if digits.isdigit()
                else queryset.filter(company__organisation__name_ko__icontains=q)
            )
        return queryset


@register
class MentoringDataset(Dataset):
    kind = "mentoring"
    title = _("Mentoring sessions")
    model = MentoringActivity
    filterset_class = ActivityFilter
    # `kind` names the export; the API's kind of session travels as `activity_kind`.
    page_aliases = {"kind": "activity_kind"}
    ordering = ("-date", "-id")
    columns = (
        Column(_("Session no."), "id", "int"),
        Column(_("Date"), "date", "date"),
        Column(_("Kind of session"), "kind", render=ChoiceLabels(ActivityKind.choices)),
        Column(_("Hours"), "hours", "decimal"),
        Column(_("Mentor"), "mentor__name", personal=True),
        Column(_("Expertise"), "mentor__expertise"),
        Column(_("Partner firm"), "match__agreement__consortium__partner__name_ko"),
        Column(_("Match no."), "match_id", "int"),
        Column(_("Company"), "match__company__organisation__name_ko"),
        Column(_("Business registration no."), "match__company__brn"),
        Column(_("Notes"), "notes"),
    )

    def allows(self, user: User) -> bool:
        # Sessions are shown on the match page, to whoever may see the match (partners.selectors
        # match_scope): its partner firm and institution, its SME, officials and auditors.
        return user_access(user).has(Role.SME, *PARTNERSHIP_ROLES)

    def scoped(self, user: AnyUser) -> QuerySet[Any]:
        return activity_list_for_user(user)
