"""The access log (접속기록): every view, search and download of personal or business data."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters_audit import AccessLogFilter
from core.models import AccessAction, AccessLog, User
from core.roles import Role
from core.selectors import user_access
from exports.datasets.base import AnyUser, ChoiceLabels, Column, Dataset, register


@register
class AccessLogDataset(Dataset):
    kind = "access_log"
    title = _("Access log")
    model = AccessLog
    filterset_class = AccessLogFilter
    ordering = ("-at", "-id")
    columns = (
        Column(_("Entry no."), "id", "int"),
        Column(_("When"), "at", "datetime"),
        Column(_("Account"), "username", personal=True),
        Column(_("Address"), "ip", personal=True),
        Column(_("Action"), "action", render=ChoiceLabels(AccessAction.choices)),
        Column(_("What"), "resource"),
        Column(_("Record"), "object_ref"),
        Column(_("Whose data"), "subject"),
        Column(_("Contains personal data"), "personal_data", "bool"),
        Column(_("Reason"), "reason"),
        Column(_("Request id"), "request_id"),
    )

    def allows(self, user: User) -> bool:
        # The auditors' access-log page (core.views_audit.access_log): auditors and officials.
        return user_access(user).has(Role.AUDITOR, Role.OFFICIAL)

    def scoped(self, user: AnyUser) -> QuerySet[Any]:
        # The page lists the whole log; reading it is the auditors' and officials' job.
        return AccessLog.objects.all()
