"""KPI snapshots: every figure of the dashboards stored as cells of a snapshot.

A snapshot holds, for every registered metric (kpi.registry), its values at the finest breakdown it
supports (one `Value` per cell: dims such as year, region, program type, level → value). Any breakdown
a user asks for is a SUM over cells (additive metrics) or the stored cell itself (medians, ratios that
the metric stores ready-made), so a dashboard reads a precomputed summary instead of raw rows.

- The *live* snapshot is recomputed from raw rows (by a beat task every few minutes and on demand);
  exactly one is current. Dashboards read it and show when it was taken.
- An *official* snapshot (monthly by beat, or frozen on demand by an official) is never changed again:
  a trigger refuses UPDATE and DELETE of it and of its values, so a report of any past month is
  reproduced exactly, whatever happened to the raw data since.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SnapshotKind(models.TextChoices):
    LIVE = "live", _("Live (실시간)")
    OFFICIAL = "official", _("Official (공식)")


class ValueStatus(models.TextChoices):
    ACTUAL = "actual", _("Actual (확정)")
    PROVISIONAL = "provisional", _("Provisional (잠정)")
    TARGET = "target", _("Target (목표)")


class Snapshot(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=SnapshotKind.choices)
    as_of = models.DateField(_("as of"))
    taken_at = models.DateTimeField(_("taken"))
    status = models.CharField(
        _("status"), max_length=12, choices=ValueStatus.choices, default=ValueStatus.ACTUAL
    )
    is_current = models.BooleanField(_("current"), default=False)
    note = models.TextField(_("note"), blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    duration_ms = models.PositiveIntegerField(_("computed in (ms)"), default=0)
    # The national dashboard, precomputed when the snapshot is taken (what the unfiltered ministry
    # dashboard API returns as is).
    summary = models.JSONField(_("summary"), default=dict)

    class Meta:
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(is_current=True), name="kpi_one_current_snapshot_per_kind"
            ),
            models.CheckConstraint(
                condition=~Q(kind=SnapshotKind.OFFICIAL) | ~Q(status=ValueStatus.TARGET),
                name="kpi_snapshot_status",
            ),
        ]
        indexes = [models.Index(fields=["kind", "-as_of"])]
        triggers = [
            # An official snapshot is never changed or deleted (its summary included); a live one may be
            # replaced and pruned.
            pgtrigger.Protect(
                name="kpi_official_snapshot_protected",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__kind="official"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.as_of}"


class Value(models.Model):
    """One cell of one metric in one snapshot."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="values")
    metric = models.CharField(_("metric"), max_length=60)
    dims = models.JSONField(_("breakdown"), default=dict)
    value = models.DecimalField(_("value"), max_digits=22, decimal_places=4)
    status = models.CharField(
        _("status"), max_length=12, choices=ValueStatus.choices, default=ValueStatus.ACTUAL
    )
    # Copied from the snapshot's kind: values of an official snapshot are protected by the trigger.
    frozen = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("KPI value")
        verbose_name_plural = _("KPI values")
        indexes = [
            models.Index(fields=["snapshot", "metric"]),
            GinIndex(fields=["dims"], name="kpi_value_dims_gin"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="kpi_frozen_value_protected",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__frozen=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.dims} = {self.value}"
