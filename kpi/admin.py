"""Read-only admin of KPI snapshots: snapshots are taken only by kpi.snapshots (the beat tasks, the
`kpi_refresh` command and the officials' freeze), and official ones cannot be changed at all."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from kpi.models import Snapshot, Value


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "kind",
        "as_of",
        "taken_at",
        "status",
        "is_current",
        "duration_ms",
        "taken_by",
        "note",
    )
    list_filter = ("kind", "status", "is_current")
    date_hierarchy = "as_of"
    exclude = ("summary",)


@admin.register(Value)
class ValueAdmin(ReadOnlyAdmin):
    list_display = ("id", "snapshot", "metric", "dims", "value", "status", "frozen")
    list_filter = ("metric", "status", "frozen")
    list_select_related = ("snapshot",)
    raw_id_fields = ("snapshot",)
