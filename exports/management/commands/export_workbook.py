"""`python manage.py export_workbook --kind KIND --out FILE --user USERNAME [filters]`

Scripted exports, with the same checks, scope and access-log row as a download from the pages:

    export_workbook --kind ministry --out kpi.xlsx --user official [--snapshot ID | --as-of YYYY-MM-DD]
    export_workbook --kind open_data --out grants.csv --user official          (.csv or .json)
    export_workbook --kind ledger --out ledger.csv --user finance --reason "월간 점검" \\
        --filter source=government
    export_workbook --kind applications --out apps.xlsx --user officer --filter status=submitted

KIND is `ministry`, `open_data`, or any list of the raw exports (`--list-kinds` prints them). The format
follows the extension of --out (.xlsx, .csv, .json). The file is written beside --out under a temporary
name and renamed when complete, so a failed export never leaves a half-written file.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import QueryDict
from django.utils import translation

from core.access import access_record
from core.errors import ApplicationError
from core.models import AccessAction, User
from exports.datasets.base import REGISTRY
from exports.ministry import can_view_ministry_reports, ministry_snapshot_select, ministry_workbook_write
from exports.opendata import open_data_write
from exports.services import export_request_clean, export_write

SPECIAL = ("ministry", "open_data")


@dataclass(frozen=True)
class Done:
    """What was exported, for the access-log row."""

    resource: str
    object_ref: str
    subject: str
    rows: int | None
    personal: bool
    filters: dict[str, Any]


class Command(BaseCommand):
    help = "Export a list, the ministry KPI workbook or the open-data file to a file (내려받기)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", help="ministry, open_data, or a list (see --list-kinds)")
        parser.add_argument("--out", type=Path, help="the file to write: .xlsx, .csv or .json")
        parser.add_argument("--user", help="whose scope and filters apply (the access log names them)")
        parser.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE", help="repeatable")
        parser.add_argument("--reason", default="", help="why: required for lists with personal data")
        parser.add_argument("--snapshot", help="ministry: the KPI snapshot id (default: latest official)")
        parser.add_argument("--as-of", dest="as_of", help="ministry: the official snapshot of this date")
        parser.add_argument("--language", default="ko", choices=["ko", "en"], help="labels of a list")
        parser.add_argument("--list-kinds", action="store_true", help="print the kinds and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list_kinds"]:
            for kind in (*SPECIAL, *REGISTRY):
                self.stdout.write(kind)
            return
        for required in ("kind", "out", "user"):
            if not options[required]:
                raise CommandError(f"--{required} is required.")
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"사용자가 없습니다 / No such active user: {options['user']}")
        out: Path = options["out"]
        file_format = out.suffix.lower().lstrip(".")
        if file_format not in ("xlsx", "csv", "json"):
            raise CommandError("--out must end in .xlsx, .csv or .json.")
        if not out.parent.is_dir():
            raise CommandError(f"The folder of --out does not exist: {out.parent}")
        temp = out.with_name(f".{out.name}.part")
        try:
            with translation.override(options["language"]):
                done = self._export(options, user, file_format, temp)
            os.replace(temp, out)
        except ApplicationError as exc:
            temp.unlink(missing_ok=True)
            fields = "; ".join(f"{k}: {', '.join(str(m) for m in v)}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {fields}".strip()) from exc
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        access_record(
            actor=user,
            action=AccessAction.DOWNLOAD,
            resource=done.resource,
            object_ref=done.object_ref,
            subject=done.subject,
            personal_data=done.personal,
            reason=options["reason"].strip(),
            detail={"rows": done.rows, "filters": done.filters, "via": "manage.py export_workbook"},
        )
        self.stderr.write(f"{done.rows:,} rows → {out}" if done.rows is not None else f"→ {out}")

    def _export(self, options: dict[str, Any], user: User, file_format: str, temp: Path) -> Done:
        kind = options["kind"]
        if kind in SPECIAL:
            if not can_view_ministry_reports(user):
                raise CommandError("Only officials and auditors may export the ministry reports.")
            if kind == "ministry":
                if file_format != "xlsx":
                    raise CommandError("The ministry workbook is an .xlsx file.")
                snapshot = ministry_snapshot_select(snapshot_id=options["snapshot"], as_of=options["as_of"])
                with temp.open("wb") as handle:
                    ministry_workbook_write(snapshot=snapshot, out=handle)
                subject = f"KPI snapshot #{snapshot.pk}"
                return Done("ministry_workbook", str(snapshot.pk), subject, None, False, {})
            if file_format not in ("csv", "json"):
                raise CommandError("Open data is a .csv or .json file.")
            with temp.open("wb") as handle:
                rows = open_data_write(fmt=file_format, out=handle)
            return Done("open_data", file_format, "360Giving", rows, False, {})
        params = QueryDict(mutable=True)
        for item in options["filter"]:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise CommandError(f"--filter takes NAME=VALUE, got {item!r}")
            params.appendlist(name, value)
        checked = export_request_clean(
            actor=user, kind=kind, file_format=file_format, params=params, reason=options["reason"]
        )

        def progress(done: int) -> None:
            if sys.stderr.isatty():
                self.stderr.write(f"\r{done:,} rows …", ending="")

        with temp.open("wb") as handle:
            rows = export_write(
                dataset=checked.dataset,
                queryset=checked.queryset,
                file_format=file_format,
                out=handle,
                progress=progress,
            )
        return Done(kind, "", "list", rows, checked.dataset.personal_data, dict(checked.filters))
