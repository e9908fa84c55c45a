"""The monthly review of the access log (접속기록 점검), PIPC 「개인정보의 안전성 확보조치 기준」 art. 8.

Per account, for one calendar month in Korean time: how many views, searches and downloads it made, its
downloads of personal data with the reason given for each, its accesses outside working hours (before
08:00 or from 20:00 KST), whether it read unusually many records (ACCESS_REVIEW_MANY_RECORDS), and its
refused accesses from the security log. An auditor confirms the review of a month; the confirmation is
itself an access-log row (resource `access_review`, detail `{"confirmed_month": "YYYY-MM"}`), so it is
append-only and kept as long as the log without a table of its own.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import access_record
from core.errors import Conflict, ValidationFailed
from core.models import AccessAction, AccessLog, SecurityEvent, SecurityEventKind, User

REVIEW_RESOURCE = "access_review"
WORK_STARTS, WORK_ENDS = 8, 20  # KST hours; an access at 20:00 or later is off-hours
MAX_LISTED_DOWNLOADS = 2_000
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> dt.datetime:
        return dt.datetime(self.year, self.month, 1, tzinfo=timezone.get_default_timezone())

    @property
    def end(self) -> dt.datetime:
        nxt = Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)
        return nxt.start

    @classmethod
    def parse(cls, value: str | None) -> Month:
        """`YYYY-MM`; empty means the month before the current one (the month due for review)."""
        if not value:
            first = timezone.localdate().replace(day=1)
            last = first - dt.timedelta(days=1)
            return cls(last.year, last.month)
        m = _MONTH.match(value.strip())
        if m is None or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2999:
            raise ValidationFailed(
                _("Give the month as YYYY-MM."), fields={"month": [_("Give the month as YYYY-MM.")]}
            )
        return cls(int(m.group(1)), int(m.group(2)))


@dataclass
class AccountReview:
    username: str
    views: int = 0
    searches: int = 0
    downloads: int = 0
    personal_downloads: int = 0
    missing_reason: int = 0
    off_hours: int = 0
    denied: int = 0
    not_found: int = 0

    @property
    def total(self) -> int:
        return self.views + self.searches + self.downloads

    @property
    def refused(self) -> int:
        return self.denied + self.not_found


@dataclass
class AccessReview:
    month: Month
    threshold: int
    accounts: list[AccountReview]
    personal_downloads: list[AccessLog]
    downloads_truncated: bool
    confirmations: list[AccessLog] = field(default_factory=list)

    def many(self, account: AccountReview) -> bool:
        return account.total >= self.threshold

    @property
    def flagged(self) -> list[AccountReview]:
        return [a for a in self.accounts if a.off_hours or a.missing_reason or a.refused or self.many(a)]


def access_review_build(*, month: Month) -> AccessReview:
    """The review of one month. Four queries whatever the number of accounts or rows."""
    in_month = Q(at__gte=month.start, at__lt=month.end)
    off_hours = Q(at__hour__lt=WORK_STARTS) | Q(at__hour__gte=WORK_ENDS)
    personal_download = Q(action=AccessAction.DOWNLOAD, personal_data=True)
    accounts: dict[str, AccountReview] = {}
    # `__hour` is taken in the current time zone: pin it to the project's (KST) for the count.
    with timezone.override(timezone.get_default_timezone()):
        rows = (
            AccessLog.objects.filter(in_month)
            .values("username")
            .annotate(
                views=Count("id", filter=Q(action=AccessAction.VIEW)),
                searches=Count("id", filter=Q(action=AccessAction.SEARCH)),
                downloads=Count("id", filter=Q(action=AccessAction.DOWNLOAD)),
                personal_downloads=Count("id", filter=personal_download),
                missing_reason=Count("id", filter=personal_download & Q(reason="")),
                off_hours=Count("id", filter=off_hours),
            )
            .order_by("username")
        )
        for row in rows:
            accounts[row["username"]] = AccountReview(**row)
    refused = (
        SecurityEvent.objects.filter(
            in_month, kind__in=[SecurityEventKind.DENIED, SecurityEventKind.NOT_FOUND]
        )
        .values("username")
        .annotate(
            denied=Count("id", filter=Q(kind=SecurityEventKind.DENIED)),
            not_found=Count("id", filter=Q(kind=SecurityEventKind.NOT_FOUND)),
        )
        .order_by("username")
    )
    for refusal in refused:
        account = accounts.setdefault(refusal["username"], AccountReview(username=refusal["username"]))
        account.denied, account.not_found = refusal["denied"], refusal["not_found"]
    listed = list(
        AccessLog.objects.filter(in_month & personal_download).order_by("at", "id")[
            : MAX_LISTED_DOWNLOADS + 1
        ]
    )
    confirmations = list(
        AccessLog.objects.filter(resource=REVIEW_RESOURCE, detail__confirmed_month=str(month)).order_by("at")
    )
    return AccessReview(
        month=month,
        threshold=settings.ACCESS_REVIEW_MANY_RECORDS,
        accounts=sorted(accounts.values(), key=lambda a: a.username),
        personal_downloads=listed[:MAX_LISTED_DOWNLOADS],
        downloads_truncated=len(listed) > MAX_LISTED_DOWNLOADS,
        confirmations=confirmations,
    )


@transaction.atomic
def access_review_confirm(
    *, actor: User, month: Month, note: str = "", ip: str | None = None, request_id: str = ""
) -> AccessLog:
    """Record that `actor` (an auditor; the view checks the role) reviewed `month`. A month still running
    cannot be confirmed. Raises Conflict if the same auditor already confirmed it; the lock on the
    auditor's row makes two simultaneous confirmations write one row."""
    if month.end > timezone.now():
        raise Conflict(_("A month can be confirmed once it has ended."))
    User.objects.select_for_update().filter(pk=actor.pk).first()
    if AccessLog.objects.filter(
        resource=REVIEW_RESOURCE, actor=actor, detail__confirmed_month=str(month)
    ).exists():
        raise Conflict(_("You have already confirmed the review of this month."))
    return access_record(
        actor=actor,
        action=AccessAction.VIEW,
        resource=REVIEW_RESOURCE,
        object_ref=str(month),
        subject="list",
        personal_data=True,
        reason=note.strip()[:2000],
        detail={"confirmed_month": str(month)},
        ip=ip,
        request_id=request_id,
    )


def access_review_xlsx(review: AccessReview) -> bytes:
    """The review as a workbook: the accounts, the personal-data downloads, the confirmations. Every
    text cell is written as a string, so a subject or reason starting with `=` is never a formula."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    title = book.add_format({"bold": True, "font_size": 14})
    flag = book.add_format({"font_color": "#B00020", "bold": True})
    tz = timezone.get_default_timezone()

    def table(sheet: Any, row: int, headers: list[str]) -> None:
        for col, text in enumerate(headers):
            sheet.write_string(row, col, text, bold)

    summary = book.add_worksheet(_("Accounts"))
    summary.write_string(0, 0, _("Access log review for %(month)s") % {"month": review.month}, title)
    summary.write_string(
        1,
        0,
        _("Off-hours: before %(start)02d:00 or from %(end)02d:00 KST. Many records: %(n)s or more.")
        % {"start": WORK_STARTS, "end": WORK_ENDS, "n": review.threshold},
    )
    headers = [
        _("Account"),
        _("Views"),
        _("Searches"),
        _("Downloads"),
        _("Personal-data downloads"),
        _("Without a reason"),
        _("Off-hours accesses"),
        _("Many records"),
        _("Denied"),
        _("Refused records"),
    ]
    table(summary, 3, headers)
    for i, a in enumerate(review.accounts, start=4):
        summary.write_string(i, 0, a.username or _("(anonymous)"))
        for col, value in enumerate(
            [a.views, a.searches, a.downloads, a.personal_downloads, a.missing_reason, a.off_hours], start=1
        ):
            summary.write_number(i, col, value)
        summary.write_string(i, 7, _("Yes") if review.many(a) else "", flag)
        summary.write_number(i, 8, a.denied)
        summary.write_number(i, 9, a.not_found)
    summary.set_column(0, 0, 20)
    summary.set_column(1, len(headers) - 1, 14)
    summary.freeze_panes(4, 1)

    downloads = book.add_worksheet(_("Personal-data downloads"))
    table(
        downloads, 0, [_("When (KST)"), _("Account"), _("Address"), _("What"), _("Whose data"), _("Reason")]
    )
    for i, log in enumerate(review.personal_downloads, start=1):
        downloads.write_string(i, 0, log.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"))
        downloads.write_string(i, 1, log.username)
        downloads.write_string(i, 2, log.ip or "")
        downloads.write_string(i, 3, log.resource)
        downloads.write_string(i, 4, log.subject)
        if log.reason:
            downloads.write_string(i, 5, log.reason)
        else:
            downloads.write_string(i, 5, _("(no reason given)"), flag)
    downloads.set_column(0, 5, 22)
    downloads.freeze_panes(1, 0)

    confirmed = book.add_worksheet(_("Confirmations"))
    table(confirmed, 0, [_("When (KST)"), _("Auditor"), _("Note")])
    for i, log in enumerate(review.confirmations, start=1):
        confirmed.write_string(i, 0, log.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"))
        confirmed.write_string(i, 1, log.username)
        confirmed.write_string(i, 2, log.reason)
    confirmed.set_column(0, 2, 24)
    book.close()
    return buffer.getvalue()
