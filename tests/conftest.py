"""Personas for every role (STYLE.md §21) and shared helpers.

SME A (`sme_owner`) and SME B (`other_sme`) run different companies; the partner personas hold the
partner role in two different partner firms; the regional officer serves Gyeonggi; the evaluator works
for a university; officials, finance officers and auditors work at KOSMO.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from applications.models import Application
from companies.models import Company, Supplier, Workplace
from core.models import Organisation, Region, User
from core.roles import OrganisationKind, Role
from tests import factories as f
from tests.signin import otp_device, verified_client

REFERENCE_DATA_MIGRATIONS = (
    "core.migrations.0002_reference_data",
    "programs.migrations.0002_national_targets",
)


@pytest.fixture(autouse=True)
def _reference_data(request, django_db_blocker):
    """Transactional tests (threads, the browser) end with a flush that empties every table, including
    the reference data the data migrations loaded; load it again before the next database test."""
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        if not Region.objects.exists():
            with transaction.atomic():
                for module in REFERENCE_DATA_MIGRATIONS:
                    importlib.import_module(module).load(apps, None)


@dataclass
class Persona:
    user: User | None
    organisation: Organisation | None = None
    company: Company | None = None
    workplace: Workplace | None = None
    supplier: Supplier | None = None
    # The authenticator device of officials, finance officers and auditors (made with the persona, so that
    # signing in again does not add queries); browser() signs in past the second factor with it.
    otp_device: TOTPDevice | None = None

    def api(self) -> APIClient:
        client = APIClient()
        if self.user is not None:
            client.force_authenticate(self.user)
        return client

    def browser(self) -> Client:
        if self.user is None:
            return Client()
        return verified_client(self.user, device=self.otp_device)


@pytest.fixture
def kosmo(db) -> Organisation:
    return f.OrganisationFactory(
        kind=OrganisationKind.MINISTRY, name_ko="스마트제조혁신추진단", name_en="KOSMO"
    )


def _sme(username: str, company_name: str, region_slug: str) -> Persona:
    user = f.UserFactory(username=username)
    workplace = f.WorkplaceFactory(company__organisation__name_ko=company_name, region=f.region(region_slug))
    f.member(user, workplace.company.organisation, Role.SME)
    return Persona(user, workplace.company.organisation, company=workplace.company, workplace=workplace)


@pytest.fixture
def sme_owner(db) -> Persona:
    return _sme("sme_a", "(주)에이정밀", "gyeonggi")


@pytest.fixture
def other_sme(db) -> Persona:
    return _sme("sme_b", "(주)비금속", "busan")


@pytest.fixture
def supplier_user(db) -> Persona:
    user = f.UserFactory(username="supplier")
    supplier = f.SupplierFactory()
    f.member(user, supplier.organisation, Role.SUPPLIER)
    return Persona(user, supplier.organisation, supplier=supplier)


def _partner(username: str, name: str) -> Persona:
    user = f.UserFactory(username=username)
    org = f.OrganisationFactory(kind=OrganisationKind.PARTNER, name_ko=name)
    f.member(user, org, Role.PARTNER)
    return Persona(user, org)


@pytest.fixture
def partner(db) -> Persona:
    return _partner("partner_a", "삼성전자")


@pytest.fixture
def other_partner(db) -> Persona:
    return _partner("partner_b", "포스코")


@pytest.fixture
def regional_officer(db) -> Persona:
    user = f.UserFactory(username="officer_gg")
    center = f.OrganisationFactory(
        kind=OrganisationKind.REGIONAL_CENTER, name_ko="경기스마트제조혁신센터", region=f.region("gyeonggi")
    )
    f.member(user, center, Role.REGIONAL_OFFICER)
    return Persona(user, center)


@pytest.fixture
def evaluator(db) -> Persona:
    user = f.UserFactory(username="evaluator1", display_name="평가위원 이교수")
    university = f.OrganisationFactory(kind=OrganisationKind.OTHER, name_ko="한국공과대학교")
    f.member(user, university, Role.EVALUATOR)
    return Persona(user, university)


@pytest.fixture
def other_evaluator(db) -> Persona:
    user = f.UserFactory(username="evaluator2", display_name="평가위원 박박사")
    institute = f.OrganisationFactory(kind=OrganisationKind.OTHER, name_ko="생산기술연구원")
    f.member(user, institute, Role.EVALUATOR)
    return Persona(user, institute)


@pytest.fixture
def official(kosmo) -> Persona:
    user = f.UserFactory(username="official")
    f.member(user, kosmo, Role.OFFICIAL)
    return Persona(user, kosmo, otp_device=otp_device(user))


@pytest.fixture
def finance_officer(kosmo) -> Persona:
    user = f.UserFactory(username="finance")
    f.member(user, kosmo, Role.FINANCE)
    return Persona(user, kosmo, otp_device=otp_device(user))


@pytest.fixture
def auditor(kosmo) -> Persona:
    user = f.UserFactory(username="auditor")
    f.member(user, kosmo, Role.AUDITOR)
    return Persona(user, kosmo, otp_device=otp_device(user))


@pytest.fixture
def anonymous(db) -> Persona:
    return Persona(None)


@pytest.fixture
def open_call(db):
    return f.CallFactory(fiscal_year=2026, round=1)


@pytest.fixture
def draft(sme_owner, open_call) -> Application:
    """SME A's complete draft application to the open call."""
    return f.ApplicationFactory(call=open_call, workplace=sme_owner.workplace, created_by=sme_owner.user)
