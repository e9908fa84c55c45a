"""Companies with their first workplace (기업·사업장 일괄 등록).

The rules are the registry's (companies.services.company_register and workplace_create): BRN and CRN
with their check digits (core.identifiers), a founding date not in the future, no negative counts or
revenue, a five-digit postal code, the name lengths of the models, one registration per BRN and CRN.
Region, industry and firm size are looked up by the names a clerk types. A regional officer registers
workplaces of their own region only.

Validation reads the registry in batches (one query per 5,000 numbers) and the commit inserts
organisations, companies and workplaces with bulk_create: a 100,000-row file is a few dozen queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Company, Workplace
from core.identifiers import normalize_brn, normalize_crn
from core.models import FirmSizeClass, KsicDivision, Organisation, Region
from core.roles import OrganisationKind, Role
from core.selectors import user_access
from exports.imports.base import AnyUser, Column, ImportKind, Row, RunContext, cell_text, header_key
from exports.imports.kinds.reference import (
    ksic_codes,
    ksic_lookup,
    ksic_table,
    region_names,
    region_table,
    size_names,
    size_table,
)

LOOKUP_CHUNK = 5_000
INSERT_BATCH = 5000
PROGRESS_EVERY = 5_000


def _size_choices() -> list[str]:
    return size_names(timezone.localdate())


@dataclass
class NewCompany:
    row: int
    brn: str
    crn: str
    name_ko: str
    name_en: str
    representative: str
    size_class: FirmSizeClass
    ksic: KsicDivision
    values: dict[str, Any]
    region: Region
    workplace_ksic: KsicDivision


class CompaniesKind(ImportKind):
    key = "companies"
    label = _("Companies and their first workplace")
    description = _(
        "One row per company: its registration details and its first workplace (사업장). "
        "A company already registered (same business registration number) is refused."
    )
    columns = (
        Column(
            "brn",
            "사업자등록번호",
            "Business registration number",
            required=True,
            pad=10,
            help=_("10 digits, with or without hyphens; the check digit is verified."),
            example="123-45-67891",
            width=18,
        ),
        Column("name_ko", "기업명", "Company name", required=True, max_length=200, example="(주)스마트정밀"),
        Column(
            "name_en", "영문 기업명", "Company name in English", max_length=200, example="Smart Precision"
        ),
        Column(
            "representative", "대표자명", "Representative", required=True, max_length=100, example="홍길동"
        ),
        Column(
            "crn",
            "법인등록번호",
            "Corporate registration number",
            pad=13,
            help=_("13 digits for a corporation; leave blank for a sole proprietor."),
            width=18,
        ),
        Column(
            "size_class",
            "기업규모",
            "Firm size",
            required=True,
            help=_("중견기업, 중기업, 소기업, 소상공인 (or mid_sized, medium, small, micro)."),
            example="소기업",
            choices=_size_choices,
        ),
        Column(
            "ksic",
            "주업종(KSIC)",
            "Main industry, KSIC",
            required=True,
            help=_("The KSIC manufacturing division, 10 to 34 (C24 is accepted)."),
            example="29",
            choices=ksic_codes,
        ),
        Column(
            "founded_on",
            "설립일",
            "Founded",
            type="date",
            required=True,
            not_future=True,
            help=_("YYYY-MM-DD; not in the future."),
            example="2012-03-15",
        ),
        Column("employees", "상시근로자 수", "Regular employees", type="int", required=True, example="35"),
        Column(
            "revenue_krw",
            "연매출액(원)",
            "Annual revenue, KRW",
            type="money",
            required=True,
            help=_("Whole won, digits only (thousands commas allowed)."),
            example="8500000000",
            width=18,
        ),
        Column(
            "workplace_name", "사업장명", "Workplace name", required=True, max_length=100, example="본사공장"
        ),
        Column(
            "region",
            "시도",
            "Region",
            required=True,
            help=_("The province or city: its name (former names too, e.g. 강원도) or KOSTAT code."),
            example="경기도",
            choices=region_names,
        ),
        Column(
            "address",
            "사업장 주소",
            "Workplace address",
            required=True,
            max_length=300,
            example="경기도 화성시 동탄산단6길 15",
            width=36,
        ),
        Column("postal_code", "우편번호", "Postal code", required=True, pad=5, example="18487", width=10),
        Column(
            "workplace_ksic",
            "사업장 업종(KSIC)",
            "Workplace industry, KSIC",
            help=_("Leave blank when it is the company's main industry."),
            choices=ksic_codes,
        ),
    )

    def can_import(self, user: AnyUser) -> bool:
        """Officials register companies anywhere; regional officers those with a workplace in their
        region."""
        return user_access(user).has(Role.OFFICIAL, Role.REGIONAL_OFFICER)

    def validate(self, rows: list[Row], ctx: RunContext) -> list[NewCompany]:
        regions = region_table()
        ksics = ksic_table()
        sizes = size_table(ctx.today)
        national = ctx.access.has(Role.OFFICIAL)
        seen_brn: dict[str, int] = {}
        seen_crn: dict[str, int] = {}
        found: list[NewCompany] = []
        for done, row in enumerate(rows, start=1):
            item = self._check_row(row, ctx, regions, ksics, sizes, national, seen_brn, seen_crn)
            if item is not None:
                found.append(item)
            if done % PROGRESS_EVERY == 0:
                ctx.progress(done)
        self._check_registered({"brn": seen_brn, "crn": seen_crn}, ctx)
        return found

    def _check_row(
        self,
        row: Row,
        ctx: RunContext,
        regions: dict[str, Region],
        ksics: dict[str, KsicDivision],
        sizes: dict[str, FirmSizeClass],
        national: bool,
        seen_brn: dict[str, int],
        seen_crn: dict[str, int],
    ) -> NewCompany | None:
        v = row.values
        brn = crn = ""
        if row.ok("brn"):
            try:
                brn = normalize_brn(v["brn"])
            except ValidationError as exc:
                ctx.error(row, "brn", exc.code or "brn_format", exc.messages[0])
            else:
                earlier = seen_brn.setdefault(brn, row.number)
                if earlier != row.number:
                    ctx.error(
                        row,
                        "brn",
                        "duplicate_in_file",
                        _("This business registration number is already in row %(row)s.") % {"row": earlier},
                    )
        if row.ok("crn") and v.get("crn"):
            try:
                crn = normalize_crn(v["crn"])
            except ValidationError as exc:
                ctx.error(row, "crn", "invalid_crn", exc.messages[0])
            else:
                earlier = seen_crn.setdefault(crn, row.number)
                if earlier != row.number:
                    ctx.error(
                        row,
                        "crn",
                        "duplicate_in_file",
                        _("This corporate registration number is already in row %(row)s.") % {"row": earlier},
                    )
        size = sizes.get(header_key(v["size_class"])) if row.ok("size_class") else None
        if row.ok("size_class") and size is None:
            ctx.error(
                row,
                "size_class",
                "unknown_size",
                _("Unknown firm size '%(value)s'.") % {"value": cell_text(v["size_class"])},
            )
        ksic = self._ksic(row, "ksic", ksics, ctx)
        workplace_ksic = self._ksic(row, "workplace_ksic", ksics, ctx) if v.get("workplace_ksic") else ksic
        region = regions.get(header_key(v["region"])) if row.ok("region") else None
        if row.ok("region"):
            if region is None:
                ctx.error(
                    row,
                    "region",
                    "unknown_region",
                    _("Unknown region '%(value)s': use the name of a province or city, or its KOSTAT code.")
                    % {"value": v["region"]},
                )
            elif not national and region.pk not in ctx.access.region_ids:
                ctx.error(
                    row,
                    "region",
                    "region_not_yours",
                    _("You can register workplaces in your own region only."),
                )
        postal: str = v.get("postal_code") or ""
        if row.ok("postal_code") and not (len(postal) == 5 and postal.isascii() and postal.isdigit()):
            ctx.error(row, "postal_code", "invalid_postal_code", _("A postal code has 5 digits."))
        if row.bad or size is None or ksic is None or workplace_ksic is None or region is None:
            return None
        return NewCompany(
            row=row.number,
            brn=brn,
            crn=crn,
            name_ko=v["name_ko"],
            name_en=v.get("name_en") or "",
            representative=v["representative"],
            size_class=size,
            ksic=ksic,
            values=v,
            region=region,
            workplace_ksic=workplace_ksic,
        )

    @staticmethod
    def _ksic(row: Row, key: str, ksics: dict[str, KsicDivision], ctx: RunContext) -> KsicDivision | None:
        if not row.ok(key):
            return None
        found = ksic_lookup(ksics, row.values[key])
        if found is None:
            ctx.error(
                row,
                key,
                "unknown_ksic",
                _("Unknown industry '%(value)s': enter a KSIC manufacturing division from 10 to 34.")
                % {"value": cell_text(row.values[key])},
            )
        return found

    @staticmethod
    def _check_registered(seen: dict[str, dict[str, int]], ctx: RunContext) -> None:
        """BRNs and CRNs of the file (each with the first row giving it) already in the registry, read in
        chunks of LOOKUP_CHUNK: never one query per row."""
        for field, numbers in seen.items():
            wanted = list(numbers)
            for start in range(0, len(wanted), LOOKUP_CHUNK):
                lookup = {f"{field}__in": wanted[start : start + LOOKUP_CHUNK]}
                for number in Company.objects.filter(**lookup).values_list(field, flat=True):
                    ctx.error(
                        numbers[number],
                        field,
                        f"{field}_already_registered",
                        _("A company with this registration number is already registered."),
                    )

    def commit(self, prepared: list[NewCompany], ctx: RunContext) -> int:
        """Organisations, companies and workplaces in three bulk inserts (as company_register and
        workplace_create would write them one by one). Foreign keys are set by id: assigning model
        instances costs a descriptor call per field and row, a third of the commit at 100,000 rows."""
        organisations = Organisation.objects.bulk_create(
            (
                Organisation(kind=OrganisationKind.COMPANY, name_ko=item.name_ko, name_en=item.name_en)
                for item in prepared
            ),
            batch_size=INSERT_BATCH,
        )
        companies = Company.objects.bulk_create(
            (
                Company(
                    organisation_id=organisation.pk,
                    brn=item.brn,
                    crn=item.crn,
                    representative=item.representative,
                    size_class_id=item.size_class.pk,
                    ksic_id=item.ksic.pk,
                    founded_on=item.values["founded_on"],
                    employees=item.values["employees"],
                    revenue_krw=item.values["revenue_krw"],
                )
                for item, organisation in zip(prepared, organisations, strict=True)
            ),
            batch_size=INSERT_BATCH,
        )
        Workplace.objects.bulk_create(
            (
                Workplace(
                    company_id=company.pk,
                    name=item.values["workplace_name"],
                    postal_code=item.values["postal_code"],
                    address=item.values["address"],
                    region_id=item.region.pk,
                    ksic_id=item.workplace_ksic.pk,
                )
                for item, company in zip(prepared, companies, strict=True)
            ),
            batch_size=INSERT_BATCH,
        )
        return len(companies)
