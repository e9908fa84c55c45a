"""CSV made by PostgreSQL (exports.sqlcsv) is byte for byte the CSV the Python writer makes from the
same rows: for every list, in Korean and in English, and with text that needs quoting, line breaks or
neutralising."""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from exports.datasets.base import dataset_get
from exports.sqlcsv import copy_csv, copy_supported
from exports.writers import write_csv
from partners.models import MentoringActivity
from tests.export_datasets.test_datasets import LIST_KINDS


def both(kind: str, user) -> tuple[bytes, bytes, int, int]:
    dataset = dataset_get(kind)
    by_python, by_copy = io.BytesIO(), io.BytesIO()
    python_rows = write_csv(by_python, dataset.columns, dataset.rows(dataset.queryset(user, {})))
    copy_rows = copy_csv(dataset=dataset, queryset=dataset.queryset(user, {}), out=by_copy)
    return by_python.getvalue(), by_copy.getvalue(), python_rows, copy_rows


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("kind", [*LIST_KINDS, "ledger"])
def test_copy_equals_the_python_writer(world, auditor, kind, language):
    assert copy_supported(dataset_get(kind))
    with translation.override(language):
        python, copy, python_rows, copy_rows = both(kind, auditor.user)
    assert copy == python
    assert copy_rows == python_rows


def test_quotes_line_breaks_and_formulas(world, auditor):
    tricky = '=HYPERLINK("x")\n두 번째 줄, "따옴표"\r\n끝'
    MentoringActivity.objects.filter(pk=world.activity_a.pk).update(notes=tricky)
    MentoringActivity.objects.filter(pk=world.activity_b.pk).update(notes="@SUM(A1)\t+1")
    python, copy, rows, copy_rows = both("mentoring", auditor.user)
    assert copy == python
    assert copy_rows == rows == 2
    assert b"'=HYPERLINK" in copy
    assert copy.startswith(b"\xef\xbb\xbf")


def test_progress_is_reported_once_the_copy_has_ended(world, auditor):
    """A progress report writes to the database (the job's row), which must wait until the COPY has
    released the connection: it comes once, at the end, and may still stop the export."""
    from django.db import connection

    dataset = dataset_get("access_log")
    seen: list[tuple[int, int]] = []

    def report(n: int) -> None:
        # The connection is free again: a query here works (during the COPY it would wait for ever).
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        seen.append((n, cursor.rowcount))

    count = copy_csv(
        dataset=dataset, queryset=dataset.queryset(auditor.user, {}), out=io.BytesIO(), progress=report
    )
    assert count > 0
    assert [n for n, _rows in seen] == [count]

    class Stop(Exception):
        pass

    def stop(_n: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        copy_csv(
            dataset=dataset, queryset=dataset.queryset(auditor.user, {}), out=io.BytesIO(), progress=stop
        )
    assert dataset.queryset(auditor.user, {}).count() == count
