"""The 360Giving export: every required field in JSON and CSV for every grant, types, no unsigned
applications, and the amounts of the agreements and the ledger."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.db.models import Sum

from applications.models import AgreementFunding, Application, ProjectAgreement
from exports.opendata import CSV_COLUMNS, OpenDataFormatError, open_data_write
from funding.models import LedgerEntry

pytestmark = pytest.mark.django_db
REQUIRED = (
    "id",
    "title",
    "description",
    "currency",
    "amountAwarded",
    "awardDate",
    "recipientOrganization",
    "fundingOrganization",
)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def export(fmt: str) -> tuple[int, bytes]:
    out = io.BytesIO()
    written = open_data_write(fmt=fmt, out=out)
    return written, out.getvalue()


def test_json_has_every_required_field_with_the_right_types(reports):
    written, data = export("json")
    grants = json.loads(data)["grants"]
    assert written == len(grants) == ProjectAgreement.objects.count() == 1
    for grant in grants:
        for name in REQUIRED:
            assert grant[name], name
        assert grant["currency"] == "KRW"
        for amount in ("amountAwarded", "amountAppliedFor", "amountDisbursed"):
            assert type(grant[amount]) is int
        assert DATE.match(grant["awardDate"])
        assert DATE.match(grant["plannedDates"][0]["startDate"])
        assert DATE.match(grant["plannedDates"][0]["endDate"])
        dt.datetime.fromisoformat(grant["dateModified"])
        for org in grant["recipientOrganization"] + grant["fundingOrganization"]:
            assert org["id"]
            assert org["name"]


def test_amounts_match_the_agreement_and_the_ledger(reports):
    agreement = reports.agreement
    grant = json.loads(export("json")[1])["grants"][0]
    app = agreement.application
    gov = AgreementFunding.objects.get(agreement=agreement, source="government")
    paid = LedgerEntry.objects.filter(agreement=agreement, source="government").aggregate(
        s=Sum("amount_krw")
    )["s"]
    assert grant["id"] == f"360G-KRSMARTFACTORY-{app.number}"
    assert grant["amountAwarded"] == gov.agreed_krw == app.gov_amount_krw
    assert grant["amountDisbursed"] == paid == 12_000_000
    assert grant["awardDate"] == agreement.signed_on.isoformat()
    assert grant["recipientOrganization"][0]["id"] == f"KR-BRN-{app.company.brn}"
    assert grant["beneficiaryLocation"][0]["name"] == app.region.name_ko
    assert {c["vocabulary"] for c in grant["classifications"]} == {
        "KR-SMARTFACTORY-TARGET-LEVEL",
        "KR-SMARTFACTORY-PROGRAM-TYPE",
    }


def test_csv_has_the_flattened_columns_and_the_same_grants(reports):
    written, data = export("csv")
    text = data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert written == len(rows) == 1
    grant = json.loads(export("json")[1])["grants"][0]
    row = rows[0]
    for column in (
        "Identifier",
        "Title",
        "Description",
        "Currency",
        "Amount Awarded",
        "Award Date",
        "Recipient Org:Identifier",
        "Recipient Org:Name",
        "Funding Org:0:Identifier",
        "Funding Org:0:Name",
    ):
        assert row[column], column
    assert row["Identifier"] == grant["id"]
    assert int(row["Amount Awarded"]) == grant["amountAwarded"]
    assert int(row["Amount Disbursed"]) == grant["amountDisbursed"]
    assert DATE.match(row["Award Date"])


def test_win_win_partner_is_a_second_funder(reports, partner):
    from partners.models import WinWinAgreement
    from tests import factories as f

    winwin = f.AgreementFactory(fiscal_year=2026)
    Application.objects.filter(pk=reports.agreement.application_id).update(partner_agreement=winwin)
    grant = json.loads(export("json")[1])["grants"][0]
    funders = grant["fundingOrganization"]
    assert len(funders) == 2
    partner_org = WinWinAgreement.objects.get(pk=winwin.pk).consortium.partner
    assert funders[1]["name"] == partner_org.name_ko
    row = next(csv.DictReader(io.StringIO(export("csv")[1].decode("utf-8-sig"))))
    assert row["Funding Org:1:Name"] == partner_org.name_ko


def test_unsigned_applications_are_not_grants(reports, other_sme, open_call):
    from tests import factories as f

    f.ApplicationFactory(call=open_call, workplace=other_sme.workplace, created_by=other_sme.user)
    grants = json.loads(export("json")[1])["grants"]
    ids = {g["id"] for g in grants}
    assert len(ids) == ProjectAgreement.objects.count() == 1
    assert all(Application.objects.get(pk=int(i.rsplit("-", 1)[1])).status != "draft" for i in ids)


def test_text_cells_that_look_like_formulas_are_neutralised(reports):
    Application.objects.filter(pk=reports.agreement.application_id).update(title='=HYPERLINK("x")')
    row = next(csv.DictReader(io.StringIO(export("csv")[1].decode("utf-8-sig"))))
    assert row["Title"].startswith("'=")
    assert json.loads(export("json")[1])["grants"][0]["title"].startswith("=")  # JSON is data, not a sheet


def test_unknown_format_is_refused():
    with pytest.raises(OpenDataFormatError):
        open_data_write(fmt="xml", out=io.BytesIO())
