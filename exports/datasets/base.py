"""What a raw export is: the rows of one list a user can see, with that list's filters, as columns.

A `Dataset` names its list (`kind`), who may export it (`allows`; `can_export` adds that nobody who is not
signed in ever may), the scoped queryset of its list (`scoped`, the app's own `*_list_for_user` selector),
the FilterSet of its list API (`filterset_class`) and its columns. The list page may speak a few words of
its own: values its FilterSet does not know (`page_words`: the finance queue's `status=open`), parameters
beyond it (`page_params`, applied by `page_filter`), and names the export page needs for itself
(`page_aliases`: the cohort page's `kind` of provider travels as `provider_kind`, since `kind` names the
export).

`queryset(user, params)` checks the parameters against the FilterSet (an unknown or malformed one is a
`ValidationFailed` naming it), applies them within the user's scope and adds the annotations the
columns read. `rows(queryset)` streams the rows with a single SELECT (`values_list`
over a server-side cursor), so a million-row export holds one chunk in memory, never the list.

Codes become their labels in the active language (`ChoiceLabels`); columns that name or identify a
person are `personal`, and a dataset with any of them needs a reason for its download (접속기록).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import django_filters
from django.contrib.auth.models import AnonymousUser
from django.db.models import CharField, F, Model, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat, LPad, NullIf
from django.http import QueryDict
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import ValidationFailed
from core.models import User

AnyUser = User | AnonymousUser
CHUNK_SIZE = 2_000

# Parameters of the export page and API themselves; never filters unless the list's FilterSet has one
# of the same name (the ledger's `kind` of entry).
RESERVED_PARAMS = frozenset(
    {"dataset", "kind", "format", "reason", "page", "page_size", "ordering", "csrfmiddlewaretoken"}
)

# Column kinds the writers know: how a value is written and formatted.
COLUMN_KINDS = frozenset({"text", "int", "money", "decimal", "date", "datetime", "bool"})


class ChoiceLabels:
    """Render a stored code as its label in the active language (an unknown code is shown as it is).

    The labels are kept in their source text (the msgids of `gettext_lazy`), whatever language is active
    when the dataset is defined, and translated into the export's language when it binds them."""

    def __init__(self, choices: Iterable[tuple[Any, Any]]) -> None:
        with translation.override(None):
            self._choices = tuple((code, str(label)) for code, label in choices)

    def labels(self) -> dict[Any, str]:
        """Each code's label in the active language."""
        return {code: gettext(label) if label else label for code, label in self._choices}

    def bound(self) -> Callable[[Any], Any]:
        """A fast renderer for one export: the labels translated once, then a dict lookup per cell."""
        labels = self.labels()
        return lambda value: labels.get(value, value)

    def __call__(self, value: Any) -> Any:
        return self.bound()(value)


@dataclass(frozen=True)
class PageWord:
    """A value of a filter that only the list page knows (the finance queue's `status=open`): its label,
    and the FilterSet's values it stands for; none stands for any value (the filter is left out)."""

    label: str | Promise
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    """One column: its header, the queryset field or annotation it reads, and how to write it."""

    header: str | Promise
    source: str
    kind: str = "text"
    personal: bool = False
    render: Callable[[Any], Any] | None = None
    width: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


def _bound(render: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    if render is None:
        return None
    binder = getattr(render, "bound", None)
    return binder() if callable(binder) else render


def _as_lists(params: Mapping[str, Any] | QueryDict | None) -> dict[str, list[str]]:
    """Parameters as lists of strings; anything nested (a dict, a list of dicts) is refused by name."""
    out: dict[str, list[str]] = {}
    if not params:
        return out
    if isinstance(params, QueryDict):
        return {key: [str(v) for v in params.getlist(key)] for key in params}
    errors: dict[str, list[Any]] = {}
    for key, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(v, dict | list | tuple) for v in values):
            errors[str(key)] = [_("Give a single value or a list of values.")]
            continue
        out[str(key)] = [
            "" if v is None else str(v).lower() if isinstance(v, bool) else str(v) for v in values
        ]
    if errors:
        raise ValidationFailed(_("Check the filters."), code="invalid_filters", fields=errors)
    return out


class Dataset:
    """One exportable list. Subclasses set the class attributes and `scoped`/`allows`."""

    kind: ClassVar[str]
    title: ClassVar[str | Promise]
    model: ClassVar[type[Model]]
    columns: ClassVar[tuple[Column, ...]]
    filterset_class: ClassVar[type[django_filters.FilterSet]]
    # The list page's (and FilterSet's) parameter names → the export's, where the export's own keys would
    # clash: the cohort page's `kind` of provider is `provider_kind` here (`kind` names the export).
    page_aliases: ClassVar[Mapping[str, str]] = {}
    # Extra parameters the list page understands beyond its FilterSet (handled by `page_filter`).
    page_params: ClassVar[frozenset[str]] = frozenset()
    # Labels of the `page_params`, for the criteria.
    page_labels: ClassVar[Mapping[str, str | Promise]] = {}
    # The list page's own values of a filter (export name → word → what it stands for).
    page_words: ClassVar[Mapping[str, Mapping[str, PageWord]]] = {}
    ordering: ClassVar[tuple[str, ...]] = ("-pk",)

    # --- to override ---------------------------------------------------------------------------------

    def allows(self, user: User) -> bool:
        """Who may export the list: who may see its page (a signed-in user; see `can_export`)."""
        raise NotImplementedError

    def scoped(self, user: AnyUser) -> QuerySet[Any]:
        """The user's list, as the list page and API show it (the app's scoped selector)."""
        raise NotImplementedError

    def annotate(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Add the annotations the columns read (named after their `source`)."""
        return queryset

    def page_filter(self, queryset: QuerySet[Any], params: dict[str, list[str]]) -> QuerySet[Any]:
        """Apply the list page's own words (`page_params`), as the page does."""
        return queryset

    def page_word_values(self, user: AnyUser, name: str, word: str) -> tuple[str, ...] | None:
        """The FilterSet's values that the page's `word` for filter `name` stands for (for `user`: a word
        may mean one thing to a reviewer and another to an applicant); None if it is no page word."""
        found = self.page_words.get(name, {}).get(word)
        return None if found is None else found.values

    # --- shared ---------------------------------------------------------------------------------------

    def can_export(self, user: AnyUser | None) -> bool:
        """Whether `user` may export the list: never anyone not signed in, whatever `allows` says."""
        return user is not None and user.is_authenticated and isinstance(user, User) and self.allows(user)

    @property
    def personal_data(self) -> bool:
        return any(c.personal for c in self.columns)

    def filter_names(self) -> set[str]:
        """The export's names of its filters: the FilterSet's (aliased where they clash) and the page's."""
        return {self.page_aliases.get(n, n) for n in self.filterset_class.base_filters} | set(
            self.page_params
        )

    def _filterset_name(self, name: str) -> str:
        for filterset_name, export_name in self.page_aliases.items():
            if export_name == name:
                return filterset_name
        return name

    def clean_params(self, params: Mapping[str, Any] | QueryDict | None) -> dict[str, list[str]]:
        """The filters among `params`, by the export's names: the export's own keys dropped, unknown
        names refused. Empty values are kept out (an empty select means "any")."""
        raw = _as_lists(params)
        names = self.filter_names()
        cleaned: dict[str, list[str]] = {}
        unknown: dict[str, list[Any]] = {}
        for key, values in raw.items():
            if key not in names:
                if key in RESERVED_PARAMS:
                    continue
                unknown[key] = [_("There is no such filter for this list.")]
                continue
            values = [v for v in values if v != ""]
            if values:
                cleaned.setdefault(key, []).extend(values)
        if unknown:
            raise ValidationFailed(_("Check the filters."), code="invalid_filters", fields=unknown)
        return cleaned

    def _page_words_applied(self, user: AnyUser, cleaned: dict[str, list[str]]) -> dict[str, list[str]]:
        """The page's words replaced by the FilterSet's values they stand for; a word for "any" drops
        its filter."""
        out: dict[str, list[str]] = {}
        for name, values in cleaned.items():
            expanded: list[str] = []
            anything = False
            for value in values:
                stands_for = self.page_word_values(user, name, value)
                if stands_for is None:
                    expanded.append(value)
                elif stands_for:
                    expanded.extend(stands_for)
                else:
                    anything = True
            if not anything:
                out[name] = list(dict.fromkeys(expanded))
        return out

    def queryset(self, user: AnyUser, params: Mapping[str, Any] | QueryDict | None = None) -> QuerySet[Any]:
        """The rows of the user's list with `params` applied; ValidationFailed naming a bad filter."""
        if not self.can_export(user):
            raise ValidationFailed(
                _("You cannot export this list."),
                code="export_not_allowed",
                fields={"kind": [_("Not allowed.")]},
            )
        cleaned = self._page_words_applied(user, self.clean_params(params))
        page_words = {k: v for k, v in cleaned.items() if k in self.page_params}
        data = QueryDict(mutable=True)
        for key, values in cleaned.items():
            if key not in self.page_params:
                data.setlist(self._filterset_name(key), values)
        filterset = self.filterset_class(data=data, queryset=self.scoped(user))
        if not filterset.is_valid():
            raise ValidationFailed(
                _("Check the filters."),
                code="invalid_filters",
                fields={
                    self.page_aliases.get(key, key): list(errors) for key, errors in filterset.errors.items()
                },
            )
        queryset = self.page_filter(filterset.qs, page_words)
        return self.annotate(queryset).order_by(*self.ordering)

    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]

    def rows(self, queryset: QuerySet[Any]) -> Iterator[list[Any]]:
        """The rows of `queryset` as lists in column order, labels rendered in the active language."""
        sources = [c.source for c in self.columns]
        renders = [_bound(c.render) for c in self.columns]
        if not any(renders):
            for values in queryset.values_list(*sources).iterator(chunk_size=CHUNK_SIZE):
                yield list(values)
            return
        pairs = list(enumerate(renders))
        for values in queryset.values_list(*sources).iterator(chunk_size=CHUNK_SIZE):
            row = list(values)
            for i, render in pairs:
                if render is not None and row[i] is not None:
                    row[i] = render(row[i])
            yield row

    def criteria(self, params: Mapping[str, Any] | QueryDict | None) -> list[tuple[str, str]]:
        """The filters in words, for the top of a workbook and the export page: (label, value)."""
        cleaned = self.clean_params(params)
        # Bound to the model (on an empty queryset, no query), the filters take their labels from its
        # fields where the FilterSet gives none.
        filters = self.filterset_class(queryset=self.model._default_manager.none()).filters
        out: list[tuple[str, str]] = []
        for name, values in cleaned.items():
            field = filters.get(self._filterset_name(name)) if name not in self.page_params else None
            label = (
                str(field.label)
                if field is not None and field.label
                else str(self.page_labels.get(name, name))
            )
            choices = getattr(field, "extra", {}).get("choices", []) if field is not None else []
            labels = {str(code): text for code, text in (choices() if callable(choices) else choices or [])}
            words = self.page_words.get(name, {})
            shown = [words[v].label if v in words else labels.get(v, v) for v in values]
            out.append((label, ", ".join(str(v) for v in shown)))
        return out


# --- expressions shared by the datasets ---------------------------------------------------------------


def application_number(prefix: str = "") -> Concat:
    """`Application.number` (call year and zero-padded id, 2026-0001234) as SQL, for the application
    reached through `prefix` ("" for the application itself, "agreement__application__" …)."""
    return Concat(
        Cast(F(f"{prefix}call__fiscal_year"), CharField()),
        Value("-"),
        LPad(Cast(F(f"{prefix}id"), CharField()), 7, Value("0")),
        output_field=CharField(),
    )


def person_name(path: str) -> Coalesce:
    """A user's name as shown in the app (`User.__str__`: display name, else the username) as SQL."""
    return Coalesce(
        NullIf(F(f"{path}__display_name"), Value("")), F(f"{path}__username"), output_field=CharField()
    )


REGISTRY: dict[str, Dataset] = {}


def register(dataset_class: type[Dataset]) -> type[Dataset]:
    """Class decorator: one instance per kind in REGISTRY."""
    if dataset_class.kind in REGISTRY:
        raise ValueError(f"dataset {dataset_class.kind!r} registered twice")
    REGISTRY[dataset_class.kind] = dataset_class()
    return dataset_class


def dataset_get(kind: object) -> Dataset:
    """The dataset of `kind`; ValidationFailed on `kind` when there is none."""
    found = REGISTRY.get(kind) if isinstance(kind, str) else None
    if found is None:
        raise ValidationFailed(
            _("There is no such export."),
            code="unknown_export",
            fields={"kind": [_("There is no such export.")]},
        )
    return found


def with_language(language: str | None, func: Callable[[], Any]) -> Any:
    """Run `func` in `language` (a task renders labels in the requester's language)."""
    if not language:
        return func()
    with translation.override(language):
        return func()
