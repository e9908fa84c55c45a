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


def test_progress_is_reported_and_can_stop_the_copy(world, auditor):
    dataset = dataset_get("access_log")
    seen: list[int] = []
    count = copy_csv(
        dataset=dataset,
        queryset=dataset.queryset(auditor.user, {}),
        out=io.BytesIO(),
        progress=seen.append,
        progress_every=1,
    )
    assert seen[-1] == count
    assert seen == sorted(seen)

    class Stop(Exception):
        pass

    def stop(_n: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        copy_csv(
            dataset=dataset,
            queryset=dataset.queryset(auditor.user, {}),
            out=io.BytesIO(),
            progress=stop,
            progress_every=1,
        )
    # The connection is usable afterwards.
    assert dataset.queryset(auditor.user, {}).count() == count
