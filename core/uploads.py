"""Safety checks of an uploaded spreadsheet before any parser sees it (ASVS 5.2.1–5.2.3, 1.5.1).

`upload_check(data, filename)` refuses, with a stable code and a message for the user:

- a file over the size cap, or an empty one (`file_too_large`, `file_empty`);
- a name whose extension does not match the first bytes (`file_type`): an `.xlsx` must be a zip, a
  `.csv` must be text; macro-enabled names (`.xlsm`, `.xltm`, `.xlsb`, `.xls`) are refused outright;
- for XLSX, from the zip's central directory and before inflating anything: too many entries, a total
  unpacked size over the cap, an entry compressed suspiciously well (`file_too_complex`,
  `file_too_large`); then a zip that is not a workbook (no `[Content_Types].xml` / `xl/workbook.xml`:
  `file_corrupt`), a workbook carrying macros (`xl/vbaProject.bin` or a macro-enabled content type:
  `file_macro`), and any XML part that declares a DTD or entity (billion laughs, XXE: `file_unsafe`),
  scanned while inflating with the real unpacked size counted, since a zip header can lie;
- for CSV: NUL bytes or text that is not valid UTF-8 (with or without BOM) (`file_type`).

Core holds only this primitive; the import framework (exports.imports) and the aggregate import
(factories.aggregates) decide what to do with the rows.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.errors import ValidationFailed

XLSX_MAGIC = b"PK\x03\x04"
DTD_PATTERN = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
MACRO_CONTENT_TYPE = re.compile(rb"macroEnabled|vbaProject|application/vnd\.ms-office\.vba", re.IGNORECASE)
MACRO_PARTS = ("vbaproject.bin", "vbadata.xml")
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlsb", ".xls", ".xlam", ".xla")
REQUIRED_XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
# A single part smaller than this is never called a bomb: tiny XML compresses well.
RATIO_FLOOR_BYTES = 1_000_000
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int = 10 * 1024 * 1024
    max_entries: int = 1_000
    max_unpacked_bytes: int = 100 * 1024 * 1024
    max_ratio: int = 100


DEFAULT_LIMITS = UploadLimits()


class UploadRefused(ValidationFailed):
    """The file is refused before parsing; `code` says why (file_too_large, file_type, file_unsafe …)."""

    default_code = "file_refused"
    default_message = _("The file cannot be read.")

    def __init__(self, message: str | Promise, code: str) -> None:
        super().__init__(message, code=code, fields={"file": [message]})


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed the checks: its format, and for CSV its decoded text."""

    file_format: str  # "xlsx" or "csv"
    text: str = ""


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f}"


def upload_check_size(size: int, limits: UploadLimits = DEFAULT_LIMITS) -> None:
    """Refuse a file over the size cap before reading it (the upload's declared size)."""
    if size > limits.max_bytes:
        raise UploadRefused(
            _("The file is larger than %(mb)s MB.") % {"mb": _mb(limits.max_bytes)}, "file_too_large"
        )


def _inflate_and_scan(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: UploadLimits) -> None:
    unpacked = 0
    for info in infos:
        with archive.open(info) as part:
            tail = b""
            while chunk := part.read(_CHUNK):
                unpacked += len(chunk)
                if unpacked > limits.max_unpacked_bytes:
                    raise UploadRefused(
                        _("The workbook unpacks to more than %(mb)s MB.")
                        % {"mb": _mb(limits.max_unpacked_bytes)},
                        "file_too_large",
                    )
                if DTD_PATTERN.search(tail + chunk):
                    raise UploadRefused(
                        _("The workbook declares an XML document type, which is not allowed."), "file_unsafe"
                    )
                tail = chunk[-16:]


def upload_check_xlsx(data: bytes, limits: UploadLimits = DEFAULT_LIMITS) -> None:
    """The zip checks of an XLSX (see the module docstring). Reads only the central directory before it
    decides on counts, sizes and ratios; inflates parts only to scan them for DTDs."""
    corrupt = _("The file is not a readable XLSX workbook.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UploadRefused(corrupt, "file_corrupt") from exc
    if len(infos) > limits.max_entries:
        raise UploadRefused(
            _("The workbook has too many parts (more than %(n)s).") % {"n": limits.max_entries},
            "file_too_complex",
        )
    if sum(info.file_size for info in infos) > limits.max_unpacked_bytes:
        raise UploadRefused(
            _("The workbook unpacks to more than %(mb)s MB.") % {"mb": _mb(limits.max_unpacked_bytes)},
            "file_too_large",
        )
    for info in infos:
        if (
            info.file_size > RATIO_FLOOR_BYTES
            and info.file_size > max(info.compress_size, 1) * limits.max_ratio
        ):
            raise UploadRefused(_("The workbook is compressed suspiciously well."), "file_too_complex")
    names = {info.filename for info in infos}
    if not all(part in names for part in REQUIRED_XLSX_PARTS):
        raise UploadRefused(_("The file is a zip archive but not an XLSX workbook."), "file_corrupt")
    if any(name.lower().rsplit("/", 1)[-1] in MACRO_PARTS for name in names):
        raise UploadRefused(
            _("The workbook contains macros; save it as a plain .xlsx workbook and upload it again."),
            "file_macro",
        )
    try:
        content_types = archive.read("[Content_Types].xml")
        if len(content_types) > limits.max_unpacked_bytes:
            raise UploadRefused(_("The workbook is compressed suspiciously well."), "file_too_complex")
        if MACRO_CONTENT_TYPE.search(content_types):
            raise UploadRefused(
                _("The workbook contains macros; save it as a plain .xlsx workbook and upload it again."),
                "file_macro",
            )
        _inflate_and_scan(archive, infos, limits)
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, KeyError) as exc:
        raise UploadRefused(corrupt, "file_corrupt") from exc


def upload_decode_csv(data: bytes, encodings: tuple[str, ...] = ("utf-8-sig",)) -> str:
    """The text of a CSV upload: no NUL byte anywhere, and valid in one of `encodings` (UTF-8 with or
    without BOM by default)."""
    if b"\x00" in data:
        raise UploadRefused(_("The file is not a CSV text file."), "file_type")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UploadRefused(_("The file is not a CSV text file in UTF-8."), "file_type")


def upload_check(
    data: bytes,
    filename: str,
    *,
    limits: UploadLimits = DEFAULT_LIMITS,
    csv_encodings: tuple[str, ...] = ("utf-8-sig",),
    allow_csv: bool = True,
) -> CheckedUpload:
    """Every check of an uploaded spreadsheet; raises UploadRefused, or says what the file is."""
    upload_check_size(len(data), limits)
    if not data.strip():
        raise UploadRefused(_("The file is empty."), "file_empty")
    name = (filename or "").lower()
    is_zip = data.startswith(XLSX_MAGIC)
    if name.endswith(MACRO_EXTENSIONS):
        raise UploadRefused(
            _("Macro-enabled and old-format workbooks are not accepted; save it as .xlsx."), "file_macro"
        )
    if name.endswith(".xlsx"):
        if not is_zip:
            raise UploadRefused(_("The file is named .xlsx but is not an XLSX workbook."), "file_type")
        upload_check_xlsx(data, limits)
        return CheckedUpload("xlsx")
    if name.endswith(".csv") and allow_csv:
        if is_zip:
            raise UploadRefused(_("The file is named .csv but is not a CSV text file."), "file_type")
        return CheckedUpload("csv", upload_decode_csv(data, csv_encodings))
    if allow_csv:
        raise UploadRefused(_("Upload a .csv or .xlsx file."), "file_type")
    raise UploadRefused(_("Upload an .xlsx workbook."), "file_type")
