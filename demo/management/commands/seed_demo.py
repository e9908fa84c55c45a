"""`manage.py seed_demo --scale small|national|national2x --seed N [--reset]`: deterministic demo data.

The same seed on the same day gives the same rows (ids included after --reset). Everything is written in
one transaction: a failure leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from core.models import User
from demo.seed.logins import DEMO_LOGINS
from demo.seed.plan import build_plan
from demo.seed.records import SCALES, Scale
from demo.seed.report import print_report
from demo.seed.reset import reset_seeded_data, seeded_data_exists
from demo.seed.scenario import Seeder
from demo.seed.text import progress
from kpi.snapshots import snapshot_freeze_monthly, snapshot_refresh
from kpi.tasks import previous_month_end


class Command(BaseCommand):
    help = (
        "데모 데이터를 만듭니다 / Seed deterministic demo data: small (about 400 applications, 8 partner "
        "firms, 200 smart factories, seconds) or national (DESIGN.md §8: 40,000 companies, 200,000 "
        "applications, 20 partner firms, 500,000 mentoring records, 35,000 smart factories with their "
        "levels and outcome reports, 100,000 workers trained by 2022, minutes) or national2x (twice "
        "national, for `make bench` only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=42, help="random seed (same seed → same data)")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete earlier seeded data first (reference data from migrations is kept)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale = SCALES[options["scale"]]
        seed: int = options["seed"]
        verbose = options["verbosity"] >= 1

        def log(line: str) -> None:
            if verbose:
                self.stdout.write(line)

        started = time.perf_counter()
        # The one "now" of the run: open calls and every planned time are relative to this day.
        today = timezone.localdate()
        log(f"데모 데이터 생성 / Seeding demo data: scale={scale.name} seed={seed} today={today.isoformat()}")
        # The services queue a notification per status change; they find nothing to send (the seed marks
        # its rows as notified), so keep the task runner's log lines out of the output.
        quiet = {
            name: logging.getLogger(name)
            for name in ("celery.app.trace", "kombu.connection", "kpi.snapshots")
        }
        levels = {name: logger.level for name, logger in quiet.items()}
        for logger in quiet.values():
            logger.setLevel(logging.ERROR)
        # The plan holds millions of small objects for the run's whole length and makes no reference
        # cycles worth collecting; the cyclic collector would only walk them again and again (a third of
        # the plan's time at national scale).
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.seed(scale, seed, today, reset=options["reset"], log=log)
            self.compute_kpis(today, log)
        finally:
            if collecting:
                gc.enable()
            for name, logger in quiet.items():
                logger.setLevel(levels[name])
        print_report(log)
        log("")
        log(f"완료 / Done in {time.perf_counter() - started:.1f} s")

    def compute_kpis(self, today: dt.date, log: Callable[[str], None]) -> None:
        """The dashboards' figures: last month's official snapshot (as the monthly beat task would have
        frozen it) and the live one. After the seed's commit, so they read the seeded data."""
        t = time.perf_counter()
        official = User.objects.get(username="official")
        snapshot_freeze_monthly(actor=official, as_of=previous_month_end(today))
        snapshot_refresh(actor=official)
        log(progress("성과지표 KPI snapshots (official + live)", None, time.perf_counter() - t))

    def seed(
        self, scale: Scale, seed: int, today: dt.date, *, reset: bool, log: Callable[[str], None]
    ) -> None:
        with transaction.atomic():
            if reset:
                t = time.perf_counter()
                also = reset_seeded_data()
                extra = f" (+ {', '.join(also)})" if also else ""
                log(progress("초기화 reset" + extra, None, time.perf_counter() - t))
            elif (
                seeded_data_exists()
                or User.objects.filter(username__in=[d.username for d in DEMO_LOGINS]).exists()
            ):
                raise CommandError(
                    "이미 데이터가 있습니다. --reset 으로 지우고 다시 만드세요 / "
                    "The database already holds data: run again with --reset to replace it."
                )
            t = time.perf_counter()
            plan = build_plan(scale, seed, today)
            log(progress("계획 plan (in memory)", len(plan.apps), time.perf_counter() - t))
            Seeder(plan, log).run()
            t = time.perf_counter()
        log(progress("커밋 commit", None, time.perf_counter() - t))
