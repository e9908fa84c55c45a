"""`python manage.py purge_access_log [--dry-run]`: delete access-log and security-log rows past their
retention (ACCESS_LOG_RETENTION_DAYS, at least 730 days)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.access_retention import access_log_purge
from core.errors import ValidationFailed


class Command(BaseCommand):
    help = "Delete access-log and security-log rows older than ACCESS_LOG_RETENTION_DAYS (at least 730)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the rows that would go; delete none."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = access_log_purge(dry_run=options["dry_run"])
        except ValidationFailed as exc:
            raise CommandError(str(exc.message)) from exc
        verb = "would delete" if result.dry_run else "deleted"
        self.stdout.write(
            f"Retention {result.retention_days} days: {verb} {result.access_log} access-log and "
            f"{result.security_log} security-log rows."
        )
