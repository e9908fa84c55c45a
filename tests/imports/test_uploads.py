"""Hostile and broken files are refused before any parser sees them (core.uploads), with nothing
stored and nothing committed; through the page and the API they are a 400 with the reason and a
security-log row."""

from __future__ import annotations

import time

import pytest

from companies.models import Company
from core.models import SecurityEvent
from core.uploads import UploadLimits, UploadRefused, upload_check
from exports.imports.services import import_job_create
from exports.models import ImportJob
from tests.imports.conftest import company_row, headers, with_part, xlsx, zip_bytes

CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol3;</t></si></sst>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><sst>&e;</sst>"""
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 200
    + b"This program cannot be run in DOS mode"
)
MACRO_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'
)


def good() -> bytes:
    return xlsx([headers("companies"), company_row(0)])


def hostile_files() -> list[tuple[str, bytes, str, str]]:
    """(case, bytes, file name, refusal code)."""
    base = good()
    return [
        ("empty", b"", "c.xlsx", "file_empty"),
        ("blank csv", b"\n\n  \n", "c.csv", "file_empty"),
        ("exe renamed .xlsx", EXE, "c.xlsx", "file_type"),
        ("csv renamed .xlsx", b"a,b\n1,2\n", "c.xlsx", "file_type"),
        ("zip that is not a workbook", zip_bytes({"readme.txt": b"hello"}), "c.xlsx", "file_corrupt"),
        ("workbook renamed .csv", base, "c.csv", "file_type"),
        ("exe renamed .csv", EXE, "c.csv", "file_type"),
        ("utf-16 csv", "사업자등록번호,기업명\n".encode("utf-16"), "c.csv", "file_type"),
        ("cp949 csv", "사업자등록번호,기업명\n".encode("cp949"), "c.csv", "file_type"),
        ("truncated workbook", base[: len(base) // 2], "c.xlsx", "file_corrupt"),
        ("xlsm name", base, "c.xlsm", "file_macro"),
        ("old xls name", base, "c.xls", "file_macro"),
        (
            "vbaProject.bin inside",
            with_part(base, "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 100),
            "c.xlsx",
            "file_macro",
        ),
        ("macro content type", with_part(base, "[Content_Types].xml", MACRO_TYPES), "c.xlsx", "file_macro"),
        ("billion laughs", with_part(base, "xl/sharedStrings.xml", BILLION_LAUGHS), "c.xlsx", "file_unsafe"),
        ("xxe", with_part(base, "xl/worksheets/sheet1.xml", XXE), "c.xlsx", "file_unsafe"),
        (
            "zip bomb (ratio)",
            with_part(base, "xl/worksheets/sheet2.xml", b"\x00" * (30 * 1024 * 1024)),
            "c.xlsx",
            "file_too_complex",
        ),
        (
            "too many entries",
            zip_bytes(
                {"[Content_Types].xml": CONTENT_TYPES, **{f"xl/p{n}.xml": b"<a/>" for n in range(1_001)}}
            ),
            "c.xlsx",
            "file_too_complex",
        ),
        ("oversize", b"a" * (10 * 1024 * 1024 + 1), "c.csv", "file_too_large"),
        ("no extension", good(), "companies", "file_type"),
    ]


CASES = hostile_files()


@pytest.mark.parametrize(("case", "data", "name", "code"), CASES, ids=[c[0] for c in CASES])
def test_the_primitive_refuses_each_hostile_file(case, data, name, code):
    with pytest.raises(UploadRefused) as info:
        upload_check(data, name)
    assert info.value.code == code
    assert str(info.value.message)


def test_a_large_unpacked_size_is_refused_from_the_central_directory(monkeypatch):
    # Parts that deflate 1:90 (under the ratio limit) but add up to more than the unpacked cap.
    import os

    part = os.urandom(1_000) * 1_000  # ~1 MB of repeating random data
    data = with_part(good(), "xl/media/a.bin", part)
    with pytest.raises(UploadRefused) as info:
        upload_check(data, "c.xlsx", limits=UploadLimits(max_unpacked_bytes=500_000))
    assert info.value.code == "file_too_large"


def test_a_zip_header_that_lies_about_its_size_is_refused():
    """A part whose headers claim 1,000 bytes but which inflates to 2 MB: the declared sizes pass the
    directory checks, and inflating stops at the declared size and fails its CRC."""
    import struct

    name = b"xl/worksheets/sheet2.xml"
    archive = bytearray(with_part(good(), name.decode(), b"<a>" + b" " * 2_000_000 + b"</a>"))
    patched = 0
    at = 0
    while (at := archive.find(b"PK\x01\x02", at)) != -1:
        name_len = struct.unpack_from("<H", archive, at + 28)[0]
        if bytes(archive[at + 46 : at + 46 + name_len]) == name:
            struct.pack_into("<I", archive, at + 24, 1_000)  # uncompressed size in the directory
            local = struct.unpack_from("<I", archive, at + 42)[0]
            struct.pack_into("<I", archive, local + 22, 1_000)  # and in the local header
            patched += 1
        at += 4
    assert patched == 1
    with pytest.raises(UploadRefused) as refused:
        upload_check(bytes(archive), "c.xlsx")
    assert refused.value.code in {"file_corrupt", "file_too_large"}


def test_billion_laughs_is_refused_quickly():
    data = with_part(good(), "xl/sharedStrings.xml", BILLION_LAUGHS)
    started = time.monotonic()
    with pytest.raises(UploadRefused):
        upload_check(data, "c.xlsx")
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(("case", "data", "name", "code"), CASES, ids=[c[0] for c in CASES])
def test_the_service_stores_nothing_for_a_hostile_file(official, settings, case, data, name, code):
    with pytest.raises(UploadRefused) as info:
        import_job_create(actor=official.user, kind="companies", filename=name, data=data, enqueue=False)
    assert info.value.code == code
    assert not ImportJob.objects.exists()
    assert not Company.objects.exists()
    root = settings.IMPORTS_ROOT
    assert not root.exists() or not any(root.iterdir())


@pytest.mark.parametrize(
    "case", ["exe renamed .xlsx", "billion laughs", "vbaProject.bin inside", "zip bomb (ratio)"]
)
def test_the_page_refuses_with_400_and_a_security_record(official, case):
    _case, data, name, code = next(c for c in CASES if c[0] == case)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = official.browser().post(
        "/imports/", {"kind": "companies", "file": SimpleUploadedFile(name, data), "dry_run": ""}
    )
    assert response.status_code == 400
    assert "file" in response.context["form"].errors
    event = SecurityEvent.objects.get(kind="bad_upload")
    assert event.detail["code"] == code
    assert event.actor == official.user
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("case", ["csv renamed .xlsx", "too many entries", "xxe"])
def test_the_api_refuses_with_400_and_a_security_record(official, case):
    _case, data, name, code = next(c for c in CASES if c[0] == case)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = official.api().post(
        "/api/v1/imports/", {"kind": "companies", "file": SimpleUploadedFile(name, data)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert SecurityEvent.objects.filter(kind="bad_upload", detail__code=code).count() == 1
    assert not ImportJob.objects.exists()
