"""The parts every import kind shares: its columns, how a cell becomes a value, the rows handed to the
kind, and the context that collects errors by row and column.

A kind (see `ImportKind`) validates every row with batched lookups and the owning app's rules, then
commits all rows at once; the framework (`exports.imports.services`) reads the file, maps the header,
parses cells by column type, and decides: all rows saved, or none.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.money import MAX_KRW
from core.selectors import Access

AnyUser = User | AnonymousUser
Message = str | Promise

MAX_INT = 2_147_483_647  # PostgreSQL integer
# Types of column: how a cell is parsed before the kind sees it. `raw` leaves the cell as it is (the
# aggregate import parses its own cells).
COLUMN_TYPES = frozenset({"text", "int", "money", "decimal", "date", "raw"})


class CellError(Exception):
    """A cell that cannot be read as its column's type: a stable code and a message for the user."""

    def __init__(self, code: str, message: Message) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Column:
    """One column of a kind's template. `header` (Korean with English) is what the template writes;
    a file may use it, or the Korean or English part alone."""

    key: str
    header_ko: str
    header_en: str
    type: str = "text"
    required: bool = False
    max_length: int | None = None
    # Digits typed as a number lose their leading zeros (a postal code 06236 becomes 6236): a number cell
    # of a text column with `pad` is zero-padded to this many digits.
    pad: int | None = None
    # Numbers: the smallest value allowed (a smaller one is `negative` when this is 0).
    minimum: int | None = 0
    # Dates: a date after today is refused (`future_date`).
    not_future: bool = False
    help: Message = ""
    example: str = ""
    # Values offered as a drop-down list in the template (read when the template is written).
    choices: Callable[[], list[str]] | None = None
    width: float = 16

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"unknown column type {self.type!r}")

    @property
    def header(self) -> str:
        return f"{self.header_ko} ({self.header_en})"

    def names(self) -> tuple[str, ...]:
        """The header texts accepted for this column, normalised (see `header_key`)."""
        return tuple(header_key(n) for n in (self.header, self.header_ko, self.header_en, self.key))


def header_key(text: Any) -> str:
    """A header cell compared without regard to case, spacing or Unicode normal form."""
    return " ".join(unicodedata.normalize("NFC", str(text or "")).split()).casefold()


@dataclass(frozen=True)
class RowError:
    """One problem: `row` is the sheet row (1 = the header; 0 = the whole file), `key` the column."""

    row: int
    key: str
    code: str
    message: Message


class Row:
    """One data row: its sheet row number, the parsed value of each column (None when blank or
    absent) and the columns whose cell could not be parsed."""

    __slots__ = ("bad", "number", "values")

    def __init__(self, number: int, values: dict[str, Any], bad: set[str] | None = None) -> None:
        self.number = number
        self.values = values
        self.bad: set[str] = bad if bad is not None else set()

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def ok(self, *keys: str) -> bool:
        """Every one of these cells was read (blank optional cells count as read)."""
        return not any(k in self.bad for k in keys)


@dataclass
class RunContext:
    """What a kind's run needs and produces: the acting user and their access, whether this is a dry
    run, the errors found, and a progress callback (rows checked so far)."""

    actor: User
    access: Access
    dry_run: bool
    errors: list[RowError] = field(default_factory=list)
    progress: Callable[[int], None] = lambda _done: None
    today: dt.date = field(default_factory=timezone.localdate)

    def error(self, row: Row | int, key: str, code: str, message: Message) -> None:
        number = row.number if isinstance(row, Row) else row
        self.errors.append(RowError(number, key, code, message))
        if isinstance(row, Row):
            row.bad.add(key)


class ImportKind:
    """What one kind of workbook holds and how its rows are checked and saved.

    `validate` checks every row (adding errors to the context) and returns what `commit` needs;
    `commit` runs only when no row has an error and this is not a dry run, in a transaction that also
    saves the job's state, and may add errors (what changed since validation) to refuse it all.
    Validation only reads, outside that transaction, unless the kind validates through services that
    write (`validation_writes`): then it runs inside the transaction, rolled back unless committed.
    """

    key: ClassVar[str]
    label: ClassVar[Message]
    description: ClassVar[Message] = ""
    columns: ClassVar[tuple[Column, ...]]
    validation_writes: ClassVar[bool] = False

    def __init__(self) -> None:
        self._by_key = {c.key: c for c in self.columns}
        if len(self._by_key) != len(self.columns):
            raise ValueError(f"{self.key}: duplicate column keys")

    def column(self, key: str) -> Column:
        return self._by_key[key]

    def header_of(self, key: str) -> str:
        """The header naming a column in errors ("" for errors of the whole file)."""
        column = self._by_key.get(key)
        return column.header if column is not None else ""

    def can_import(self, user: AnyUser) -> bool:
        raise NotImplementedError

    def validate(self, rows: list[Row], ctx: RunContext) -> Any:
        raise NotImplementedError

    def commit(self, prepared: Any, ctx: RunContext) -> int:
        raise NotImplementedError


# --- reading cells -------------------------------------------------------------------------------------

_DATE = re.compile(
    r"(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*[.일]?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_GROUPED = re.compile(r"-?\d{1,3}(?:,\d{3})+")
_PLAIN = re.compile(r"-?\d+")
_DECIMAL = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|-?\.\d+")


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A cell as text: a whole number without its `.0` (a BRN typed as a number), a date as ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        return text if text.isascii() else unicodedata.normalize("NFC", text)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _not_whole() -> CellError:
    return CellError("not_whole", _("Enter a whole number (digits only, without decimals or exponents)."))


def parse_whole(value: Any) -> int:
    """A whole number: an integer cell, a float without fraction, or digits with thousands commas.
    `1e9`, `12.5` and `12,000.50` are not whole numbers."""
    if isinstance(value, bool):
        raise _not_whole()
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise _not_whole()
        return int(value)
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise _not_whole()
        return int(value)
    text = cell_text(value).removesuffix("원").strip()
    if _PLAIN.fullmatch(text) or _GROUPED.fullmatch(text):
        digits = text.replace(",", "")
        if len(digits.lstrip("-0")) > 18:
            raise CellError("too_large", _("The number is too large."))
        return int(digits)
    raise _not_whole()


def parse_decimal(value: Any) -> Decimal:
    """A decimal number: a number cell, or digits with an optional fraction and thousands commas (and
    an optional % sign)."""
    if isinstance(value, bool):
        raise CellError("not_a_number", _("Enter a number."))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError("not_a_number", _("Enter a number."))
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise CellError("not_a_number", _("Enter a number."))
        return value
    text = cell_text(value).removesuffix("%").strip()
    if not _DECIMAL.fullmatch(text):
        raise CellError("not_a_number", _("Enter a number (digits, optionally with a decimal point)."))
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise CellError("not_a_number", _("Enter a number.")) from exc


def parse_date(value: Any) -> dt.date:
    """A date: a date cell, or YYYY-MM-DD (also with . or / or 년월일, or YYYYMMDD). A day that does
    not exist (2020-02-30) is `invalid_date`."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    invalid = CellError("invalid_date", _("Enter a real date as YYYY-MM-DD."))
    if not isinstance(value, str):
        raise invalid
    text = cell_text(value)
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match is None:
        raise invalid
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise invalid from exc


def parse_cell(column: Column, value: Any, today: dt.date) -> Any:
    """The value of one cell by its column's type; None for a blank optional cell. Raises CellError."""
    if column.type == "raw":
        return value
    if is_blank(value):
        if column.required:
            raise CellError("required", _("This column is required."))
        return None
    if column.type == "text":
        text = cell_text(value)
        if column.pad and isinstance(value, int | float) and not isinstance(value, bool) and text.isdigit():
            text = text.zfill(column.pad)
        if column.max_length is not None and len(text) > column.max_length:
            raise CellError(
                "too_long", _("Enter at most %(n)s characters.") % {"n": f"{column.max_length:,}"}
            )
        return text
    if column.type in ("int", "money"):
        number = parse_whole(value)
        high = MAX_KRW if column.type == "money" else MAX_INT
        if column.minimum is not None and number < column.minimum:
            if column.minimum == 0:
                raise CellError("negative", _("Enter zero or more; a negative number is not allowed."))
            raise CellError("too_small", _("Enter %(n)s or more.") % {"n": column.minimum})
        if number > high:
            raise CellError("too_large", _("The number is too large."))
        return number
    if column.type == "decimal":
        amount = parse_decimal(value)
        if column.minimum is not None and amount < column.minimum:
            raise CellError("negative", _("Enter zero or more; a negative number is not allowed."))
        return amount
    day = parse_date(value)
    if column.not_future and day > today:
        raise CellError("future_date", _("The date cannot be in the future."))
    return day


def lookup_table(entries: Iterable[tuple[Iterable[Any], Any]]) -> dict[str, Any]:
    """A case- and space-insensitive lookup of reference data by any of its names; a name that two
    entries share is left out (ambiguous)."""
    table: dict[str, Any] = {}
    clashes: set[str] = set()
    for names, value in entries:
        for name in names:
            key = header_key(name)
            if not key:
                continue
            if key in table and table[key] is not value:
                clashes.add(key)
            table[key] = value
    for key in clashes:
        del table[key]
    return table


def short_name(name: str) -> str:
    """The part of a bilingual reference name before its parenthesis: "기초 (생산정보 디지털화)" → "기초"."""
    return name.split("(", 1)[0].strip()
