"""Every kind of workbook that can be imported, by key. Each kind has its columns (`.columns`, each with
`.key`, `.header` and its Korean and English parts), `.column(key)` and `.can_import(user)`."""

from __future__ import annotations

from core.errors import NotFound
from exports.imports.base import AnyUser, ImportKind
from exports.imports.kinds.aggregates import AggregatesKind
from exports.imports.kinds.applications import ApplicationsKind
from exports.imports.kinds.companies import CompaniesKind
from exports.imports.kinds.outcomes import OutcomeReportsKind
from exports.imports.kinds.training import TrainingCohortsKind

KINDS: dict[str, ImportKind] = {
    kind.key: kind
    for kind in (
        CompaniesKind(),
        ApplicationsKind(),
        TrainingCohortsKind(),
        OutcomeReportsKind(),
        AggregatesKind(),
    )
}


def kind_get(key: str) -> ImportKind:
    """The kind of this key; NotFound (404) for an unknown one."""
    try:
        return KINDS[key]
    except KeyError as exc:
        raise NotFound() from exc


def kinds_for_user(user: AnyUser) -> list[ImportKind]:
    """The kinds this user may import, in the registry's order."""
    return [kind for kind in KINDS.values() if kind.can_import(user)]
