"""`python manage.py import_workbook --kind KIND FILE --user USERNAME [--dry-run] [--errors-out FILE]`

Imports a workbook (.xlsx or .csv) the way the import page does: the same safety checks before parsing,
every row validated through the apps' rules, everything saved or nothing. Prints the result and each
error by row and column; `--errors-out` copies the annotated workbook (the rows with an error column and
a list of the errors) to a file. `--template FILE` writes the kind's empty template instead.

Exit status: 0 when saved (or checked, with --dry-run), 1 when the file was refused or a row is invalid.

    import_workbook --kind companies companies.xlsx --user official --dry-run
    import_workbook --kind companies --template companies-template.xlsx
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ApplicationError
from core.models import User
from exports.imports.registry import KINDS
from exports.imports.services import import_job_create, import_job_execute, imports_root
from exports.imports.workbooks import template_write
from exports.models import ImportJob, ImportStatus

MAX_PRINTED_ERRORS = 50


class Command(BaseCommand):
    help = "Import a workbook of companies, applications, cohorts, outcome reports or aggregates (일괄 등록)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="the .xlsx or .csv file to import")
        parser.add_argument("--kind", required=True, choices=sorted(KINDS))
        parser.add_argument("--user", help="who imports (their permissions and region apply)")
        parser.add_argument("--dry-run", action="store_true", help="check every row, save nothing")
        parser.add_argument("--errors-out", type=Path, help="write the annotated workbook here on errors")
        parser.add_argument("--template", type=Path, help="write the kind's empty template to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        spec = KINDS[options["kind"]]
        if options["template"]:
            template_write(spec, options["template"])
            self.stderr.write(f"→ {options['template']}")
            return
        path: Path | None = options["file"]
        if path is None or not options["user"]:
            raise CommandError("Give the FILE and --user (or --template FILE).")
        if not path.is_file():
            raise CommandError(f"파일이 없습니다 / No such file: {path}")
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"사용자가 없습니다 / No such active user: {options['user']}")
        try:
            job = import_job_create(
                actor=user,
                kind=options["kind"],
                filename=path.name,
                data=path.read_bytes(),
                dry_run=options["dry_run"],
                enqueue=False,
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        import_job_execute(job_id=str(job.pk))
        job = ImportJob.objects.get(pk=job.pk)
        self.stdout.write(
            f"{job.get_status_display()}: {job.row_count:,} rows, {job.created_count:,} saved, "
            f"{job.error_count:,} errors"
        )
        for error in job.errors[:MAX_PRINTED_ERRORS]:
            self.stdout.write(
                f"  row {error['row']}, {error['column']}: {error['message']} ({error['code']})"
            )
        if job.error_count > MAX_PRINTED_ERRORS:
            self.stdout.write(f"  … {job.error_count - MAX_PRINTED_ERRORS:,} more")
        if options["errors_out"] and job.annotated_path:
            shutil.copyfile(imports_root() / job.annotated_path, options["errors_out"])
            self.stderr.write(f"annotated workbook → {options['errors_out']}")
        if job.status not in (ImportStatus.COMMITTED, ImportStatus.CHECKED):
            raise CommandError(f"Nothing was saved ({job.status}).")
