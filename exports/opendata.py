"""The open-data export of awards in the 360Giving data standard: JSON (`{"grants": [...]}`) and its
flattened CSV.

One grant per signed project agreement (협약): an application that never reached an agreement is not
an award. The government support is the grant (`amountAwarded` is the agreement's government source as
agreed, `amountDisbursed` what was paid of it net of reversals and recoveries, `amountAppliedFor` what
the application asked for); the recipient is the SME by its business registration number
("KR-BRN-<brn>"), the funder the ministry and, for a win-win (상생형) project, the partner firm second.

Both formats stream: the agreements are read in chunks and written as they are read, so memory stays
flat however many there are. Text that a spreadsheet would run as a formula is neutralised in the CSV
only (exports.writers.neutralise); JSON is data and keeps the text as it is.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import AgreementFunding, FundingSource, ProjectAgreement
from core.errors import NotFound
from exports.writers import neutralise

FORMATS = ("json", "csv")
CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}
GRANT_PREFIX = "360G-KRSMARTFACTORY-"
# The ministry has no identifier in an org-id.guide register: a self-assigned 360Giving identifier.
MINISTRY = {"id": f"{GRANT_PREFIX}MSS", "name": "중소벤처기업부"}
TARGET_LEVEL_VOCABULARY = "KR-SMARTFACTORY-TARGET-LEVEL"
PROGRAM_TYPE_VOCABULARY = "KR-SMARTFACTORY-PROGRAM-TYPE"
PROGRAM_TYPES = {
    "government_only": "정부 단독지원형",
    "winwin_type1": "상생형 유형1",
    "winwin_type2": "상생형 유형2(소기업)",
    "partner_track": "주관기관 트랙",
}
CHUNK = 500  # agreements read per query (and CSV rows per chunk written)

CSV_COLUMNS: tuple[str, ...] = (
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Applied For",
    "Amount Awarded",
    "Amount Disbursed",
    "Award Date",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Planned Dates:Duration (months)",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Recipient Org:Country",
    "Funding Org:0:Identifier",
    "Funding Org:0:Name",
    "Funding Org:1:Identifier",
    "Funding Org:1:Name",
    "Grant Programme:Code",
    "Grant Programme:Title",
    "Beneficiary Location:Name",
    "Beneficiary Location:Country Code",
    "Beneficiary Location:Geographic Code",
    "Beneficiary Location:Geographic Code Type",
    "Classifications:0:Vocabulary",
    "Classifications:0:Code",
    "Classifications:0:Title",
    "Classifications:1:Vocabulary",
    "Classifications:1:Code",
    "Classifications:1:Title",
    "From an open call?",
    "Last modified",
)
# Columns written as numbers (never neutralised: a number is not a formula).
_NUMERIC = frozenset(
    {"Amount Applied For", "Amount Awarded", "Amount Disbursed", "Planned Dates:Duration (months)"}
)


class OpenDataFormatError(NotFound):
    """A format other than json or csv: there is no such file (404)."""

    default_code = "unknown_format"
    default_message = _("Open data is available as JSON or CSV.")


def open_data_format_check(fmt: str) -> str:
    """The format if it is one the export writes; OpenDataFormatError otherwise."""
    if fmt not in FORMATS:
        raise OpenDataFormatError()
    return fmt


def _agreements() -> QuerySet[ProjectAgreement]:
    return ProjectAgreement.objects.select_related(
        "application__call",
        "application__company__organisation",
        "application__region",
        "application__target_level",
        "application__partner_agreement__consortium__partner__company",
    ).order_by("signed_on", "id")


def _government(agreement_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(agreed, paid) of the government source of each agreement, in one query."""
    rows = AgreementFunding.objects.filter(
        agreement_id__in=agreement_ids, source=FundingSource.GOVERNMENT
    ).values_list("agreement_id", "agreed_krw", "paid_krw")
    return {agreement_id: (agreed, paid) for agreement_id, agreed, paid in rows}


DAYS_PER_MONTH = 365.25 / 12


def _months(agreement: ProjectAgreement) -> int:
    """The agreement's planned length in whole months (a year-long agreement is 12), at least 1."""
    days = (agreement.ends_on - agreement.starts_on).days
    return max(round(days / DAYS_PER_MONTH), 1)


def _org_id(org: Any) -> str:
    company = getattr(org, "company", None)
    if company is not None and company.brn:
        return f"KR-BRN-{company.brn}"
    return f"{GRANT_PREFIX}ORG-{org.pk}"


def _grant(agreement: ProjectAgreement, government: tuple[int, int] | None) -> dict[str, Any]:
    app = agreement.application
    call = app.call
    company = app.company
    agreed, paid = government if government is not None else (0, 0)
    funders: list[dict[str, str]] = [dict(MINISTRY)]
    if app.partner_agreement is not None:
        partner = app.partner_agreement.consortium.partner
        funders.append({"id": _org_id(partner), "name": partner.name_ko})
    title = app.title or f"{call.title_ko} - {company.organisation.name_ko}"
    program_type = call.program_type
    return {
        "id": f"{GRANT_PREFIX}{app.number}",
        "title": title,
        "description": app.summary or agreement.scope or title,
        "currency": "KRW",
        "amountAppliedFor": int(app.gov_amount_krw),
        "amountAwarded": int(agreed),
        "amountDisbursed": int(paid),
        "awardDate": agreement.signed_on.isoformat(),
        "plannedDates": [
            {
                "startDate": agreement.starts_on.isoformat(),
                "endDate": agreement.ends_on.isoformat(),
                "duration": _months(agreement),
            }
        ],
        "recipientOrganization": [
            {
                "id": f"KR-BRN-{company.brn}",
                "name": company.organisation.name_ko,
                "addressCountry": "KR",
            }
        ],
        "fundingOrganization": funders,
        "grantProgramme": [{"code": call.code, "title": call.title_ko}],
        "beneficiaryLocation": [
            {
                "name": app.region.name_ko,
                "countryCode": "KR",
                "geoCode": app.region.iso_code,
                "geoCodeType": "ISO 3166-2",
            }
        ],
        "classifications": [
            {
                "vocabulary": TARGET_LEVEL_VOCABULARY,
                "code": app.target_level.code,
                "title": app.target_level.name_ko,
            },
            {
                "vocabulary": PROGRAM_TYPE_VOCABULARY,
                "code": program_type,
                "title": PROGRAM_TYPES.get(program_type, program_type),
            },
        ],
        # Every project comes from a published call (공고) open to any eligible SME.
        "fromOpenCall": "Yes",
        "dateModified": timezone.localtime(agreement.updated_at).isoformat(),
    }


def grants() -> Iterator[dict[str, Any]]:
    """Every signed agreement as a 360Giving grant, in signing order; a fixed number of queries per
    chunk of CHUNK agreements."""
    chunk: list[ProjectAgreement] = []
    for agreement in _agreements().iterator(chunk_size=CHUNK):
        chunk.append(agreement)
        if len(chunk) >= CHUNK:
            yield from _chunk_grants(chunk)
            chunk = []
    if chunk:
        yield from _chunk_grants(chunk)


def _chunk_grants(chunk: list[ProjectAgreement]) -> Iterator[dict[str, Any]]:
    government = _government([a.pk for a in chunk])
    for agreement in chunk:
        yield _grant(agreement, government.get(agreement.pk))


def csv_row(grant: dict[str, Any]) -> list[Any]:
    """The grant flattened into CSV_COLUMNS, text neutralised against formula injection."""
    funders = grant["fundingOrganization"]
    second = funders[1] if len(funders) > 1 else {"id": "", "name": ""}
    recipient = grant["recipientOrganization"][0]
    planned = grant["plannedDates"][0]
    location = grant["beneficiaryLocation"][0]
    level, program = grant["classifications"]
    programme = grant["grantProgramme"][0]
    values = {
        "Identifier": grant["id"],
        "Title": grant["title"],
        "Description": grant["description"],
        "Currency": grant["currency"],
        "Amount Applied For": grant["amountAppliedFor"],
        "Amount Awarded": grant["amountAwarded"],
        "Amount Disbursed": grant["amountDisbursed"],
        "Award Date": grant["awardDate"],
        "Planned Dates:Start Date": planned["startDate"],
        "Planned Dates:End Date": planned["endDate"],
        "Planned Dates:Duration (months)": planned["duration"],
        "Recipient Org:Identifier": recipient["id"],
        "Recipient Org:Name": recipient["name"],
        "Recipient Org:Country": recipient["addressCountry"],
        "Funding Org:0:Identifier": funders[0]["id"],
        "Funding Org:0:Name": funders[0]["name"],
        "Funding Org:1:Identifier": second["id"],
        "Funding Org:1:Name": second["name"],
        "Grant Programme:Code": programme["code"],
        "Grant Programme:Title": programme["title"],
        "Beneficiary Location:Name": location["name"],
        "Beneficiary Location:Country Code": location["countryCode"],
        "Beneficiary Location:Geographic Code": location["geoCode"],
        "Beneficiary Location:Geographic Code Type": location["geoCodeType"],
        "Classifications:0:Vocabulary": level["vocabulary"],
        "Classifications:0:Code": level["code"],
        "Classifications:0:Title": level["title"],
        "Classifications:1:Vocabulary": program["vocabulary"],
        "Classifications:1:Code": program["code"],
        "Classifications:1:Title": program["title"],
        "From an open call?": grant["fromOpenCall"],
        "Last modified": grant["dateModified"],
    }
    return [values[c] if c in _NUMERIC else neutralise(str(values[c])) for c in CSV_COLUMNS]


class OpenDataStream:
    """The export as chunks of bytes (iterate it once); `count` is the number of grants written so
    far. The format is checked when it is made, so a bad one is refused before anything is sent."""

    def __init__(self, fmt: str) -> None:
        self.fmt = open_data_format_check(fmt)
        self.count = 0

    def __iter__(self) -> Iterator[bytes]:
        return self._json() if self.fmt == "json" else self._csv()

    def _json(self) -> Iterator[bytes]:
        encoder = json.JSONEncoder(ensure_ascii=False)
        yield b'{"grants": ['
        for grant in grants():
            yield (b",\n" if self.count else b"\n") + encoder.encode(grant).encode()
            self.count += 1
        yield b"\n]}\n"

    def _csv(self) -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        buffer.write("\ufeff")  # a BOM, so that Korean Excel reads UTF-8
        writer.writerow(CSV_COLUMNS)
        for grant in grants():
            writer.writerow(csv_row(grant))
            self.count += 1
            if self.count % CHUNK == 0:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()


def open_data_write(*, fmt: str, out: IO[bytes]) -> int:
    """Write the open-data export in `fmt` ("json" or "csv") to `out`; returns the number of grants.
    OpenDataFormatError for any other format (nothing is written)."""
    stream = OpenDataStream(fmt)
    for chunk in stream:
        out.write(chunk)
    return stream.count
