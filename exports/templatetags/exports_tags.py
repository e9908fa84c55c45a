"""`{% export_buttons kind %}`: the Excel and CSV buttons of a list page.

The buttons open the export page (exports:new) with the list's current filters, so what is downloaded is
exactly what the list shows. `params` overrides the filters taken from the request (`params=filter.data`,
or `params=""` for none); keyword arguments add fixed filters (`match=match.pk`, `status=status`).
Nothing is shown to a user who may not export the list.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict
from django.urls import reverse

from exports.datasets.base import REGISTRY

register = template.Library()

# Pagination and page-only keys never travel to the export.
_DROPPED = frozenset({"page", "page_size", "csrfmiddlewaretoken"})


@register.inclusion_tag("exports/_buttons.html", takes_context=True)
def export_buttons(context: template.Context, kind: str, params: Any = None, **fixed: Any) -> dict[str, Any]:
    request = context.get("request")
    dataset = REGISTRY.get(kind)
    if request is None or dataset is None or not dataset.can_export(request.user):
        return {"show": False}
    source: Any = request.GET if params is None else (params or {})
    query = QueryDict(mutable=True)
    for key in source:
        if key in _DROPPED:
            continue
        values = source.getlist(key) if hasattr(source, "getlist") else [source[key]]
        values = [str(v) for v in values if v not in (None, "")]
        if values:
            query.setlist(dataset.page_aliases.get(key, key), values)
    for key, value in fixed.items():
        if value not in (None, ""):
            query[dataset.page_aliases.get(key, key)] = str(value)
    query["dataset"] = kind
    base = reverse("exports:new")
    links = []
    for file_format, label in (("xlsx", "Excel"), ("csv", "CSV")):
        query["format"] = file_format
        links.append({"url": f"{base}?{query.urlencode()}", "label": label, "format": file_format})
    return {"show": True, "links": links, "kind": kind}
