"""Child process of `make bench` (bench/run_bench.py): one export or import figure, printed as one JSON line.

    python bench/export_probe.py export --format xlsx|csv --user finance --out FILE
        the whole ledger through the real export path (dataset → queryset → streaming writer), as an
        export job runs it: rows, seconds, rows per second and the process's peak resident memory
    python bench/export_probe.py memory --rows 1000000 --sample 100000 --user finance --out FILE
        the same writer writing the same kind of rows from memory (the first `sample` ledger rows, read
        once, repeated up to `rows`): the writer's own throughput, without the database
    python bench/export_probe.py import --rows 100000 --user official
        a companies workbook of `rows` new firms from the template, imported through the import service
        (every row validated, all committed): seconds

Each figure is measured in a fresh process so that the peak memory is that of the one export.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.utils import translation  # noqa: E402

from core.models import User  # noqa: E402
from exports.datasets.base import dataset_get  # noqa: E402
from exports.writers import write_csv, write_xlsx  # noqa: E402


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def export(file_format: str, username: str, out: Path) -> dict[str, object]:
    from exports.services import export_write

    user = User.objects.get(username=username)
    dataset = dataset_get("ledger")
    started = time.perf_counter()
    with out.open("wb") as handle:
        rows = export_write(
            dataset=dataset, queryset=dataset.queryset(user, {}), file_format=file_format, out=handle
        )
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "peak_mb": peak_mb(),
        "bytes": out.stat().st_size,
    }


def memory(total: int, sample: int, username: str, out: Path) -> dict[str, object]:
    user = User.objects.get(username=username)
    dataset = dataset_get("ledger")
    held = list(itertools.islice(dataset.rows(dataset.queryset(user, {})), sample))
    if not held:
        raise SystemExit("the ledger is empty: seed national scale first")
    rows = itertools.islice(itertools.cycle(held), total)
    started = time.perf_counter()
    written = write_xlsx(out, dataset.columns, rows, sheet_name="ledger")
    seconds = time.perf_counter() - started
    rows_csv = itertools.islice(itertools.cycle(held), total)
    started_csv = time.perf_counter()
    with out.with_suffix(".csv").open("wb") as handle:
        write_csv(handle, dataset.columns, rows_csv)
    seconds_csv = time.perf_counter() - started_csv
    out.with_suffix(".csv").unlink()
    return {
        "rows": written,
        "rows_per_s": round(written / seconds),
        "csv_rows_per_s": round(total / seconds_csv),
    }


def _official(username: str) -> User:
    """An official in a scratch database (the import runs in its own; the national data stays as seeded)."""
    from core.roles import OrganisationKind, Role
    from core.services import membership_grant, organisation_create, user_create

    org = organisation_create(kind=OrganisationKind.MINISTRY, name_ko="스마트제조혁신추진단", name_en="KOSMO")
    user = user_create(username=username, password=None, display_name="벤치마크")
    membership_grant(user=user, organisation=org, role=Role.OFFICIAL)
    return user


def import_companies(total: int, username: str) -> dict[str, object]:
    import xlsxwriter

    from core.identifiers import brn_check_digit
    from exports.imports.registry import KINDS
    from exports.imports.services import import_job_create, import_job_execute
    from exports.models import ImportJob

    user = User.objects.filter(username=username).first() or _official(username)
    kind = KINDS["companies"]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, [c.header for c in kind.columns])
    for n in range(total):
        # A series of registration numbers the national seed does not use (9xx-86-…).
        nine = f"{900 + n // 10_000:03d}86{n % 10_000:04d}"
        values = {
            "brn": nine + str(brn_check_digit(nine)),
            "name_ko": f"(주)일괄등록{n:06d}",
            "name_en": f"Bulk {n}",
            "representative": f"대표{n % 1000}",
            "crn": "",
            "size_class": "소기업",
            "ksic": str(10 + n % 25),
            "founded_on": "2012-03-15",
            "employees": 10 + n % 50,
            "revenue_krw": 1_000_000_000 + n,
            "workplace_name": "본사공장",
            "region": "경기도",
            "address": f"경기도 화성시 동탄산단6길 {n}",
            "postal_code": "18487",
            "workplace_ksic": "",
        }
        sheet.write_row(n + 1, 0, [values[c.key] for c in kind.columns])
    book.close()
    data = buffer.getvalue()
    started = time.perf_counter()
    job = import_job_create(
        actor=user, kind="companies", filename="bench.xlsx", data=data, dry_run=False, enqueue=False
    )
    import_job_execute(job_id=str(job.pk))
    seconds = time.perf_counter() - started
    job = ImportJob.objects.get(pk=job.pk)
    if job.status != "committed":
        raise SystemExit(f"the import did not commit: {job.status} {job.errors[:3]}")
    return {
        "rows": job.created_count,
        "seconds": round(seconds, 2),
        "file_bytes": len(data),
        "peak_mb": peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    e = sub.add_parser("export")
    e.add_argument("--format", choices=["xlsx", "csv"], required=True)
    e.add_argument("--user", default="finance")
    e.add_argument("--out", type=Path, required=True)
    m = sub.add_parser("memory")
    m.add_argument("--rows", type=int, default=1_000_000)
    m.add_argument("--sample", type=int, default=100_000)
    m.add_argument("--user", default="finance")
    m.add_argument("--out", type=Path, required=True)
    i = sub.add_parser("import")
    i.add_argument("--rows", type=int, default=100_000)
    i.add_argument("--user", default="official")
    options = parser.parse_args()
    with translation.override("ko"):
        if options.command == "export":
            result = export(options.format, options.user, options.out)
        elif options.command == "memory":
            result = memory(options.rows, options.sample, options.user, options.out)
        else:
            result = import_companies(options.rows, options.user)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
