"""Pages of historical aggregates (과거 집계): the imported figures with their totals per year, clearly
marked as imported aggregates, and the upload page for officials (check first, then import; errors
listed by row and column)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from core.forms import KrdsForm
from core.views import signed_in_user
from factories.aggregates import (
    MAX_FILE_BYTES,
    ImportConflict,
    ImportRefused,
    RowError,
    aggregate_import,
    aggregate_list_for_user,
    aggregate_year_figures,
    can_view_aggregates,
    check_file_size,
)
from factories.models import AggregateMetric
from factories.permissions import can_import_aggregates

PAGE_SIZE = 100


class AggregateFilterForm(KrdsForm):
    metric = forms.ChoiceField(
        label=gettext_lazy("Metric"),
        required=False,
        choices=[("", gettext_lazy("All metrics")), *AggregateMetric.choices],
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=2000, max_value=2100)


class ImportForm(KrdsForm):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=gettext_lazy(
            "Columns: metric, year, region, program_type, origin, level, value, status, source (≤ 10 MB)."
        ),
    )
    replace = forms.BooleanField(label=gettext_lazy("Replace figures already loaded"), required=False)


@login_required
def aggregate_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not can_view_aggregates(user):
        raise DjangoPermissionDenied
    form = AggregateFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    cells = aggregate_list_for_user(user)
    if data.get("metric"):
        cells = cells.filter(metric=data["metric"])
    if data.get("year"):
        cells = cells.filter(year=data["year"])
    summaries = []
    for metric, label in AggregateMetric.choices:
        years = sorted(aggregate_year_figures(metric).values(), key=lambda f: f.year)
        running = 0
        rows = []
        for figure in years:
            running += figure.value
            rows.append((figure, running))
        summaries.append({"metric": metric, "label": label, "rows": rows, "total": running})
    context = {
        "form": form,
        "summaries": summaries,
        "page_obj": Paginator(cells, PAGE_SIZE).get_page(request.GET.get("page")),
        "can_import": can_import_aggregates(user),
    }
    return render(request, "factories/aggregates/list.html", context)


@login_required
def aggregate_import_view(request: HttpRequest) -> HttpResponse:
    """Upload a file; "Check" validates it and shows what would be imported or every error by row and
    column, "Import" writes all rows or none."""
    user = signed_in_user(request)
    if not can_import_aggregates(user):
        raise DjangoPermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "errors": [], "result": None}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        dry_run = request.POST.get("action") != "import"
        try:
            check_file_size(upload.size or 0)
            result = aggregate_import(
                actor=user,
                data=upload.read(MAX_FILE_BYTES + 1),
                filename=upload.name or "",
                replace=form.cleaned_data["replace"],
                dry_run=dry_run,
            )
        except (ImportRefused, ImportConflict) as exc:
            errors: list[RowError] = exc.errors
            context["errors"] = errors
            context["conflict"] = isinstance(exc, ImportConflict)
            form.add_error(None, str(exc.message))
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            if not dry_run:
                messages.success(
                    request,
                    _("Imported %(n)s figures (%(new)s new, %(replaced)s replaced).")
                    % {"n": len(result.cells), "new": result.created, "replaced": result.replaced},
                )
                return redirect("aggregates:list")
            context["result"] = result
    return render(request, "factories/aggregates/import.html", context)
