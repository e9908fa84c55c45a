"""The ministry KPI workbook: which snapshot it is built from (selectors) and the workbook itself
(workbook, in the table layout of layout)."""

from exports.ministry.selectors import can_view_ministry_reports, ministry_snapshot_select
from exports.ministry.workbook import SHEETS, ministry_workbook_write

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

__all__ = [
    "CONTENT_TYPE",
    "SHEETS",
    "can_view_ministry_reports",
    "ministry_snapshot_select",
    "ministry_workbook_write",
]
