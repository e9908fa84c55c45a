"""`manage.py kpi_refresh [--freeze] [--as-of YYYY-MM-DD] [--status actual|provisional] [--note TEXT]`:
take a KPI snapshot now (ops and the bench).

Without `--freeze`: a new current live snapshot. With it: an official snapshot (never changed again).
Prints the snapshot's id, its number of cells and how long it took."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ValidationFailed
from kpi.snapshots import snapshot_freeze, snapshot_refresh


class Command(BaseCommand):
    help = "Take a KPI snapshot: a live one (default) or an official one (--freeze)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--freeze", action="store_true", help="Take an official snapshot.")
        parser.add_argument("--as-of", dest="as_of", help="As-of date (YYYY-MM-DD); today by default.")
        parser.add_argument("--status", default="actual", choices=["actual", "provisional"])
        parser.add_argument("--note", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = None
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError("--as-of must be a date YYYY-MM-DD") from exc
        started = time.monotonic()
        try:
            if options["freeze"]:
                snapshot = snapshot_freeze(
                    actor=None, as_of=as_of, status=options["status"], note=options["note"]
                )
            else:
                snapshot = snapshot_refresh(actor=None, as_of=as_of)
        except ValidationFailed as exc:
            raise CommandError(f"{exc.code}: {exc.fields}") from exc
        seconds = time.monotonic() - started
        cells = snapshot.values.count()
        self.stdout.write(
            f"{snapshot.get_kind_display()} snapshot {snapshot.pk} as of {snapshot.as_of}: "
            f"{cells} cells in {seconds:.2f} s (computed in {snapshot.duration_ms} ms)"
        )
