"""The companies kind end to end: a 10,000-row round trip from the template, every refusal leaving the
registry untouched, errors by row and column, the annotated workbook, permissions and dry runs."""

from __future__ import annotations

import io

import pytest
from python_calamine import CalamineWorkbook

from companies.models import Company, Workplace
from core.errors import PermissionDenied
from core.identifiers import brn_check_digit
from exports.models import ImportStatus
from tests import factories as f
from tests.imports.conftest import (
    brn,
    company_row,
    from_template,
    headers,
    registry_state,
    run,
    xlsx,
)


def refused(user, data: bytes, name: str = "companies.xlsx"):
    before = registry_state()
    job = run(user, "companies", data, name)
    assert job.status == ImportStatus.INVALID
    assert job.created_count == 0
    assert registry_state() == before
    return job, {(e["row"], e["column"], e["code"]) for e in job.errors}


def column(key: str) -> str:
    from exports.imports.registry import KINDS

    return KINDS["companies"].column(key).header


def test_a_ten_thousand_row_workbook_from_the_template_round_trips(official):
    rows = [company_row(n) for n in range(10_000)]
    rows[7] = company_row(7, region="부산광역시", ksic="C24", workplace_ksic="25", size_class="medium")
    job = run(official.user, "companies", from_template("companies", rows))
    assert job.status == ImportStatus.COMMITTED, job.errors[:3]
    assert (job.row_count, job.created_count, job.error_count) == (10_000, 10_000, 0)
    assert Company.objects.count() == 10_000
    assert Workplace.objects.count() == 10_000
    company = Company.objects.select_related("organisation", "size_class", "ksic").get(
        brn=brn(7).replace("-", "")
    )
    assert company.name == "(주)테스트00007"
    assert company.organisation.name_en == "Test 7"
    assert company.representative == "대표7"
    assert company.size_class.code == "medium"
    assert company.ksic.code == "24"
    assert company.founded_on.isoformat() == "2012-03-15"
    assert company.employees == 17
    assert company.revenue_krw == 1_000_000_007
    workplace = company.workplaces.select_related("region", "ksic").get()
    assert (workplace.name, workplace.region.slug, workplace.ksic.code) == ("본사공장", "busan", "25")
    assert (workplace.postal_code, workplace.address) == ("18487", "경기도 화성시 동탄산단6길 7")
    last = Company.objects.get(brn=brn(9_999).replace("-", ""))
    assert last.workplaces.get().ksic.code == "29"  # the company's industry when none is given


def test_one_bad_row_in_a_thousand_commits_nothing_and_names_row_and_column(official):
    rows = [company_row(n) for n in range(1_000)]
    good = brn(500).replace("-", "")
    bad = good[:9] + str((int(good[9]) + 1) % 10)  # one digit off: the check digit fails
    rows[499] = company_row(499, brn=bad)  # sheet row 501 (row 1 is the header)
    job, errors = refused(official.user, xlsx([headers("companies"), *rows]))
    assert errors == {(501, column("brn"), "brn_check_digit")}
    assert job.error_count == 1
    assert Company.objects.count() == 0


def test_the_annotated_workbook_marks_the_error(official):
    rows = [company_row(n) for n in range(5)]
    rows[2] = company_row(2, region="아틀란티스")
    job, errors = refused(official.user, xlsx([headers("companies"), *rows]))
    assert errors == {(4, column("region"), "unknown_region")}
    response = official.browser().get(f"/imports/{job.pk}/errors.xlsx")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    data = book.get_sheet_by_index(0).to_python()
    assert data[0][-1] == "오류 (Errors)"
    assert "아틀란티스" in data[3]
    assert column("region") in data[3][-1]
    listing = book.get_sheet_by_name("오류 목록 (Errors)").to_python()
    assert listing[1][:2] == [4.0, column("region")]


@pytest.mark.parametrize(
    ("overrides", "key", "code"),
    [
        ({"brn": "123-45-67890"}, "brn", "brn_check_digit"),
        ({"brn": "12345"}, "brn", "brn_format"),
        ({"region": "Atlantis"}, "region", "unknown_region"),
        ({"ksic": "58"}, "ksic", "unknown_ksic"),  # publishing: not a manufacturing division
        ({"size_class": "giant"}, "size_class", "unknown_size"),
        ({"founded_on": "2999-01-01"}, "founded_on", "future_date"),
        ({"founded_on": "2020-02-30"}, "founded_on", "invalid_date"),
        ({"employees": 12.5}, "employees", "not_whole"),
        ({"employees": -3}, "employees", "negative"),
        ({"revenue_krw": "1e9"}, "revenue_krw", "not_whole"),
        ({"revenue_krw": "12,000.50"}, "revenue_krw", "not_whole"),
        ({"revenue_krw": "-1,000"}, "revenue_krw", "negative"),
        ({"postal_code": "1234"}, "postal_code", "invalid_postal_code"),
        ({"name_ko": ""}, "name_ko", "required"),
        ({"crn": "1101111234567"}, "crn", "invalid_crn"),
    ],
)
def test_a_bad_cell_is_refused_by_row_and_column(official, overrides, key, code):
    rows = [company_row(0), company_row(1, **overrides)]
    _job, errors = refused(official.user, xlsx([headers("companies"), *rows]))
    assert errors == {(3, column(key), code)}


def test_a_region_may_be_given_by_its_kostat_code_english_or_former_name(official):
    rows = [
        company_row(0, region="31"),  # KOSTAT code of Gyeonggi
        company_row(1, region="Busan"),
        company_row(2, region="강원도"),  # Gangwon's name before 2023-06-11
    ]
    job = run(official.user, "companies", xlsx([headers("companies"), *rows]))
    assert job.status == ImportStatus.COMMITTED, job.errors
    assert sorted(Workplace.objects.values_list("region__slug", flat=True)) == [
        "busan",
        "gangwon",
        "gyeonggi",
    ]


def test_the_same_brn_twice_in_the_file_is_refused(official):
    rows = [company_row(0), company_row(1), company_row(0)]
    job, errors = refused(official.user, xlsx([headers("companies"), *rows]))
    assert errors == {(4, column("brn"), "duplicate_in_file")}
    assert "2" in job.errors[0]["message"]  # names the earlier row


def test_a_brn_already_registered_is_refused(official):
    f.CompanyFactory(brn=brn(1).replace("-", ""))
    _job, errors = refused(official.user, xlsx([headers("companies"), company_row(0), company_row(1)]))
    assert errors == {(3, column("brn"), "brn_already_registered")}


@pytest.mark.parametrize(
    "header",
    [
        lambda h: h[:-2] + h[-1:],  # a required column missing
        lambda h: [*h, "비밀 메모"],  # a column the template does not have
        lambda h: [h[0], *h],  # a column twice
        lambda h: ["사업자번호", *h[1:]],  # a misspelt header
    ],
)
def test_a_wrong_header_is_one_error_naming_it(official, header):
    cells = header(headers("companies"))
    job, errors = refused(official.user, xlsx([cells, company_row(0)]))
    assert len(errors) == 1
    assert next(iter(errors))[2] == "header_mismatch"
    assert job.errors[0]["row"] == 1


def test_headers_in_korean_or_english_alone_are_accepted(official):
    from exports.imports.registry import KINDS

    cols = KINDS["companies"].columns
    mixed = [c.header_ko if i % 2 else c.header_en for i, c in enumerate(cols)]
    job = run(official.user, "companies", xlsx([mixed, company_row(0)]))
    assert job.status == ImportStatus.COMMITTED, job.errors


def test_a_header_without_rows_is_refused(official):
    _job, errors = refused(official.user, xlsx([headers("companies")]))
    assert {code for _r, _c, code in errors} == {"file_empty"}


def test_a_dry_run_checks_every_row_and_saves_nothing(official):
    job = run(official.user, "companies", xlsx([headers("companies"), company_row(0)]), dry_run=True)
    assert job.status == ImportStatus.CHECKED
    assert (job.row_count, job.created_count) == (1, 0)
    assert registry_state() == (0, 0)


def test_a_regional_officer_imports_only_their_own_region(regional_officer):
    own = run(regional_officer.user, "companies", xlsx([headers("companies"), company_row(0)]))
    assert own.status == ImportStatus.COMMITTED  # Gyeonggi is the officer's region
    _job, errors = refused(
        regional_officer.user,
        xlsx([headers("companies"), company_row(1), company_row(2, region="부산광역시")]),
    )
    assert errors == {(3, column("region"), "region_not_yours")}


@pytest.mark.parametrize("persona", ["sme_owner", "auditor", "finance_officer", "evaluator"])
def test_others_cannot_import_companies(db, request, persona):
    from exports.imports.services import import_job_create

    user = request.getfixturevalue(persona).user
    before = registry_state()
    with pytest.raises(PermissionDenied):
        import_job_create(
            actor=user, kind="companies", filename="c.xlsx", data=xlsx([headers("companies"), company_row(0)])
        )
    assert registry_state() == before


def test_a_csv_in_utf8_with_bom_is_accepted(official):
    from tests.imports.conftest import csv_bytes

    data = "\ufeff".encode() + csv_bytes([headers("companies"), company_row(0, employees="12")])
    job = run(official.user, "companies", data, "companies.csv")
    assert job.status == ImportStatus.COMMITTED, job.errors
    assert Company.objects.get().employees == 12


def test_the_check_digit_helper_of_these_tests_is_right():
    nine = brn(42).replace("-", "")[:9]
    assert brn(42).endswith(str(brn_check_digit(nine)))
