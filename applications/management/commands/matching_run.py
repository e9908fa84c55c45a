"""`manage.py matching_run --call ID [--target-level CODE] [--apply --actor USERNAME] [--json]`.

Computes the optimal allocation of a win-win call's candidate SMEs to its partner firms and prints the
totals per partner (Korean and English). Without --apply nothing changes. With --apply the matches are
proposed as the given user (an official, or a partner firm's user for its own agreement) through the
services, with the same checks as the page and the API. --json prints one JSON object instead, with
the wall time of the run and the process's peak memory (used by `make bench`).
"""

from __future__ import annotations

import json
import resource
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from applications.matching import (
    MatchingPreview,
    build_matching_preview,
    matching_agreements,
    matching_apply,
    matching_preview,
)
from core.errors import ApplicationError
from core.models import TargetLevel, User
from programs.models import Call


def peak_memory_mb() -> float:
    """The process's peak resident memory so far (Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = (
        "상생형 공고의 도입기업–주관기관 매칭을 계산합니다 / Compute (and optionally apply) the optimal "
        "allocation of SMEs to the partner firms of a win-win call."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--call", type=int, required=True, help="call id")
        parser.add_argument("--target-level", help="target level code (default: the lowest the call funds)")
        parser.add_argument("--apply", action="store_true", help="propose the matches (needs --actor)")
        parser.add_argument("--actor", help="username acting (required with --apply)")
        parser.add_argument("--json", action="store_true", help="print one JSON object with timings")

    def handle(self, *args: Any, **options: Any) -> None:
        call = Call.objects.filter(pk=options["call"]).first()
        if call is None:
            raise CommandError(f"공고가 없습니다 / no call with id {options['call']}")
        level = None
        if options["target_level"]:
            level = TargetLevel.objects.filter(code=options["target_level"]).first()
            if level is None:
                raise CommandError(f"목표수준이 없습니다 / unknown target level {options['target_level']!r}")
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(f"사용자가 없습니다 / no active user {options['actor']!r}")
        if options["apply"] and actor is None:
            raise CommandError("--apply 에는 --actor 가 필요합니다 / --apply needs --actor USERNAME")

        started = time.perf_counter()
        try:
            if actor is None:
                agreements = list(matching_agreements(call))
                preview = build_matching_preview(call=call, target_level=level, agreements=agreements)
            else:
                preview = matching_preview(call=call, actor=actor, target_level=level)
            if options["apply"]:
                assert actor is not None  # noqa: S101 - checked above
                preview = matching_apply(
                    call=call, actor=actor, target_level=level, fingerprint=preview.fingerprint
                )
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        elapsed = time.perf_counter() - started

        if options["json"]:
            self.stdout.write(json.dumps(self._summary(call, preview, elapsed, options["apply"])))
        else:
            self._report(call, preview, elapsed, options["apply"])

    def _summary(self, call: Call, preview: MatchingPreview, elapsed: float, applied: bool) -> dict[str, Any]:
        return {
            "call": call.pk,
            "call_code": call.code,
            "target_level": preview.target_level,
            "partners": len(preview.allocations),
            "candidates": preview.candidate_count,
            "capacity": preview.capacity_total,
            "allocated": preview.allocated_count,
            "total_score": preview.total_score,
            "applied": applied,
            "elapsed_s": round(elapsed, 3),
            "peak_mb": round(peak_memory_mb(), 1),
        }

    def _report(self, call: Call, preview: MatchingPreview, elapsed: float, applied: bool) -> None:
        out = self.stdout.write
        out(f"매칭 / Matching: {call.code} {call.title_ko}")
        out(f"  목표수준 target level: {preview.target_level}")
        out(f"  후보 도입기업 candidate SMEs: {preview.candidate_count:,}")
        out(f"  주관기관 partner firms: {len(preview.allocations):,}")
        for allocation in preview.allocations:
            out(
                f"    {allocation.consortium_name}: {allocation.allocated:,} / {allocation.capacity:,} "
                f"배정/잔여정원 allocated/places, 적합도 fit {allocation.total_score:,}"
            )
        out(
            f"  배정 allocated: {preview.allocated_count:,} / {preview.capacity_total:,}, "
            f"적합도 합계 total fit: {preview.total_score:,}"
        )
        if applied:
            out(f"  제안된 매칭 matches proposed: {preview.allocated_count:,}")
        else:
            out("  미리보기만 했습니다 (변경 없음) / preview only, nothing changed")
        out(f"  소요 time: {elapsed:.2f} s, 최대 메모리 peak memory: {peak_memory_mb():.0f} MB")
