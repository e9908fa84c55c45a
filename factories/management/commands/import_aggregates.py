"""`manage.py import_aggregates FILE --user USERNAME [--replace] [--dry-run]`: load historical aggregates
(과거 집계) from a CSV or XLSX file, all rows or none.

Prints what was imported, or every error by row and column; exits with status 1 when the file was
refused (nothing is written then).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ApplicationError
from core.models import User
from factories.aggregates import MAX_FILE_BYTES, ImportConflict, ImportRefused, aggregate_import


class Command(BaseCommand):
    help = "Import historical aggregates (과거 집계) from a CSV or XLSX file, all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="username of the official who imports")
        parser.add_argument("--replace", action="store_true", help="replace figures already loaded")
        parser.add_argument("--dry-run", action="store_true", help="check the file and write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            user = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"No active user {options['user']!r}.") from exc
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError("The file is larger than 10 MB.")
        try:
            result = aggregate_import(
                actor=user,
                data=path.read_bytes(),
                filename=path.name,
                replace=options["replace"],
                dry_run=options["dry_run"],
            )
        except (ImportRefused, ImportConflict) as exc:
            self.stderr.write(str(exc.message))
            for error in exc.errors:
                where = f"row {error.row}, {error.column}" if error.row else error.column
                self.stderr.write(f"  {where}: {error.message}")
            raise CommandError("Nothing was imported.", returncode=1) from exc
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        verb = "Checked (dry run)" if result.dry_run else "Imported"
        self.stdout.write(
            f"{verb}: {len(result.cells)} figures, {result.created} new, {result.replaced} replaced"
            + ("" if result.dry_run else f" (batch {result.batch})")
        )
