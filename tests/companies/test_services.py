"""Registry services: a happy path and one test per refusal (STYLE.md §22)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from companies import services as s
from companies.models import Company, Supplier, Workplace
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.models import Membership, Organisation
from core.roles import Role
from tests import factories as f

NEW_BRN = "220-81-62517"
NEW_CRN = "110111-0672538"


def company_values(**overrides):
    values = {
        "brn": NEW_BRN,
        "name_ko": "(주)새한정밀",
        "name_en": "Saehan Precision",
        "representative": " 김대표 ",
        "size_class": f.size("medium"),
        "ksic": f.ksic("25"),
        "founded_on": dt.date(2010, 5, 1),
        "employees": 80,
        "revenue_krw": 30_000_000_000,
    }
    return values | overrides


def counts():
    return Company.objects.count(), Organisation.objects.count(), Membership.objects.count()


@pytest.fixture
def newcomer(db):
    """A signed-up user without any role yet."""
    return f.UserFactory(username="newcomer")


# --- company_register ----------------------------------------------------------------------------


def test_new_user_registers_own_company_and_becomes_its_sme(newcomer):
    company = s.company_register(actor=newcomer, crn=NEW_CRN, **company_values())
    company.refresh_from_db()
    assert company.brn == "2208162517"
    assert company.crn == "1101110672538"
    assert company.name == "(주)새한정밀"
    assert company.representative == "김대표"
    assert company.organisation.kind == "company"
    membership = Membership.objects.get(user=newcomer)
    assert (membership.organisation_id, membership.role) == (company.organisation_id, Role.SME)


def test_official_registers_a_company_without_becoming_its_member(official):
    before = Membership.objects.filter(user=official.user).count()
    company = s.company_register(actor=official.user, **company_values())
    assert not Membership.objects.filter(organisation=company.organisation).exists()
    assert Membership.objects.filter(user=official.user).count() == before


@pytest.mark.parametrize(
    ("brn", "code"),
    [("220-81-62518", "brn_check_digit"), ("1234567890", "brn_check_digit"), ("220-81-6251", "brn_format")],
)
def test_register_refuses_a_bad_brn(newcomer, brn, code):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        s.company_register(actor=newcomer, **company_values(brn=brn))
    assert exc.value.code == code
    assert "brn" in exc.value.fields
    assert counts() == before


def test_register_refuses_a_bad_crn(newcomer):
    with pytest.raises(ValidationFailed) as exc:
        s.company_register(actor=newcomer, **company_values(crn="110111-0672539"))
    assert exc.value.code == "crn_check_digit"
    assert not Company.objects.exists()


def test_register_refuses_a_registered_brn_in_any_format(newcomer, sme_owner):
    taken = sme_owner.company.brn
    before = counts()
    with pytest.raises(Conflict) as exc:
        s.company_register(actor=newcomer, **company_values(brn=f"{taken[:3]}-{taken[3:5]}-{taken[5:]}"))
    assert exc.value.code == "brn_already_registered"
    assert counts() == before


def test_register_refuses_a_registered_crn(newcomer, official):
    s.company_register(actor=official.user, crn=NEW_CRN, **company_values(brn="124-81-00998"))
    before = counts()
    with pytest.raises(Conflict):
        s.company_register(actor=newcomer, crn=NEW_CRN, **company_values())
    assert counts() == before


@pytest.mark.parametrize("persona", ["sme_owner", "supplier_user", "evaluator", "partner", "auditor"])
def test_user_with_a_role_cannot_self_register(request, db, persona):
    actor = request.getfixturevalue(persona).user
    before = counts()
    with pytest.raises(PermissionDenied):
        s.company_register(actor=actor, **company_values())
    assert counts() == before


def test_anonymous_cannot_register(db):
    with pytest.raises(PermissionDenied):
        s.company_register(actor=AnonymousUser(), **company_values())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("founded_on", dt.date(2999, 1, 1)),
        ("employees", -1),
        ("revenue_krw", -1),
        ("name_ko", "   "),
    ],
)
def test_register_refuses_bad_values(newcomer, field, value):
    with pytest.raises(ValidationFailed) as exc:
        s.company_register(actor=newcomer, **company_values(**{field: value}))
    assert field in exc.value.fields
    assert counts()[0] == 0


# --- company_update -------------------------------------------------------------------------------


def test_sme_edits_own_company(sme_owner):
    company = s.company_update(
        company=sme_owner.company,
        actor=sme_owner.user,
        name_ko=" (주)에이정밀테크 ",
        representative="이대표",
        employees=40,
        has_tax_arrears=True,
    )
    company.refresh_from_db()
    assert company.organisation.name_ko == "(주)에이정밀테크"
    assert (company.representative, company.employees, company.has_tax_arrears) == ("이대표", 40, True)


@pytest.mark.parametrize("field", ["brn", "crn"])
def test_sme_cannot_change_registration_numbers(sme_owner, field):
    before = Company.objects.values().get(pk=sme_owner.company.pk)
    with pytest.raises(PermissionDenied):
        s.company_update(company=sme_owner.company, actor=sme_owner.user, **{field: NEW_BRN})
    assert Company.objects.values().get(pk=sme_owner.company.pk) == before


def test_other_sme_cannot_edit(sme_owner, other_sme):
    before = Company.objects.values().get(pk=sme_owner.company.pk)
    with pytest.raises(PermissionDenied):
        s.company_update(company=sme_owner.company, actor=other_sme.user, employees=1)
    assert Company.objects.values().get(pk=sme_owner.company.pk) == before


def test_official_corrects_the_brn(sme_owner, official):
    company = s.company_update(company=sme_owner.company, actor=official.user, brn=NEW_BRN)
    assert Company.objects.get(pk=company.pk).brn == "2208162517"


def test_official_cannot_set_a_brn_with_a_bad_check_digit(sme_owner, official):
    with pytest.raises(ValidationFailed) as exc:
        s.company_update(company=sme_owner.company, actor=official.user, brn="220-81-62518")
    assert exc.value.code == "brn_check_digit"


def test_official_cannot_take_another_companys_brn(sme_owner, other_sme, official):
    with pytest.raises(Conflict):
        s.company_update(company=sme_owner.company, actor=official.user, brn=other_sme.company.brn)
    assert Company.objects.get(pk=sme_owner.company.pk).brn == sme_owner.company.brn


def test_update_refuses_unknown_fields(sme_owner):
    with pytest.raises(ValidationFailed) as exc:
        s.company_update(company=sme_owner.company, actor=sme_owner.user, organisation_id=1)
    assert "organisation_id" in exc.value.fields


def test_update_refuses_bad_values(sme_owner):
    with pytest.raises(ValidationFailed) as exc:
        s.company_update(
            company=sme_owner.company, actor=sme_owner.user, founded_on=timezone.localdate() + dt.timedelta(1)
        )
    assert "founded_on" in exc.value.fields


# --- workplaces -----------------------------------------------------------------------------------


def workplace_values(**overrides):
    values = {
        "name": " 제2공장 ",
        "postal_code": "46729",
        "address": "부산광역시 강서구 녹산산단 1로",
        "region": f.region("busan"),
        "ksic": f.ksic("29"),
    }
    return values | overrides


def test_sme_adds_a_workplace(sme_owner):
    workplace = s.workplace_create(company=sme_owner.company, actor=sme_owner.user, **workplace_values())
    workplace.refresh_from_db()
    assert (workplace.company_id, workplace.name, workplace.region.slug) == (
        sme_owner.company.pk,
        "제2공장",
        "busan",
    )


def test_other_sme_cannot_add_a_workplace(sme_owner, other_sme):
    with pytest.raises(PermissionDenied):
        s.workplace_create(company=sme_owner.company, actor=other_sme.user, **workplace_values())
    assert sme_owner.company.workplaces.count() == 1


def test_workplace_name_is_unique_per_company(sme_owner):
    with pytest.raises(Conflict) as exc:
        s.workplace_create(
            company=sme_owner.company, actor=sme_owner.user, **workplace_values(name=sme_owner.workplace.name)
        )
    assert exc.value.code == "workplace_exists"


@pytest.mark.parametrize(
    ("field", "value"), [("postal_code", "1234"), ("postal_code", "1234a"), ("name", " "), ("address", "")]
)
def test_workplace_create_refuses_bad_values(sme_owner, field, value):
    with pytest.raises(ValidationFailed) as exc:
        s.workplace_create(
            company=sme_owner.company, actor=sme_owner.user, **workplace_values(**{field: value})
        )
    assert field in exc.value.fields
    assert sme_owner.company.workplaces.count() == 1


def test_sme_updates_a_workplace(sme_owner):
    s.workplace_update(
        workplace=sme_owner.workplace, actor=sme_owner.user, address=" 새 주소 ", is_active=False
    )
    workplace = Workplace.objects.get(pk=sme_owner.workplace.pk)
    assert (workplace.address, workplace.is_active) == ("새 주소", False)


def test_other_sme_cannot_update_a_workplace(sme_owner, other_sme):
    with pytest.raises(PermissionDenied):
        s.workplace_update(workplace=sme_owner.workplace, actor=other_sme.user, address="x")
    assert Workplace.objects.get(pk=sme_owner.workplace.pk).address == sme_owner.workplace.address


def test_workplace_update_refuses_unknown_fields_and_bad_values(sme_owner):
    with pytest.raises(ValidationFailed):
        s.workplace_update(workplace=sme_owner.workplace, actor=sme_owner.user, company=None)
    with pytest.raises(ValidationFailed):
        s.workplace_update(workplace=sme_owner.workplace, actor=sme_owner.user, postal_code="ABCDE")


def test_workplace_rename_to_a_taken_name_conflicts(sme_owner):
    other = s.workplace_create(company=sme_owner.company, actor=sme_owner.user, **workplace_values())
    with pytest.raises(Conflict):
        s.workplace_update(workplace=other, actor=sme_owner.user, name=sme_owner.workplace.name)


# --- suppliers ------------------------------------------------------------------------------------


def supplier_values(**overrides):
    values = {
        "brn": "124-81-00998",
        "name_ko": "(주)엠이에스솔루션",
        "representative": "박공급",
        "region": f.region("seoul"),
        "domains": ["information", "intelligence", "information"],
        "employees": 30,
    }
    return values | overrides


def test_official_registers_a_supplier(official):
    supplier = s.supplier_register(actor=official.user, **supplier_values())
    supplier.refresh_from_db()
    assert supplier.brn == "1248100998"
    assert supplier.domains == ["information", "intelligence"]
    assert supplier.organisation.kind == "supplier"


@pytest.mark.parametrize("persona", ["sme_owner", "supplier_user", "auditor", "regional_officer"])
def test_only_officials_register_suppliers(request, db, persona):
    actor = request.getfixturevalue(persona).user
    before = Supplier.objects.count()
    with pytest.raises(PermissionDenied):
        s.supplier_register(actor=actor, **supplier_values())
    assert Supplier.objects.count() == before


def test_supplier_register_refuses_a_bad_brn(official):
    with pytest.raises(ValidationFailed) as exc:
        s.supplier_register(actor=official.user, **supplier_values(brn="124-81-00999"))
    assert exc.value.code == "brn_check_digit"


def test_supplier_register_refuses_a_registered_brn(official):
    s.supplier_register(actor=official.user, **supplier_values())
    with pytest.raises(Conflict) as exc:
        s.supplier_register(actor=official.user, **supplier_values(name_ko="다른 이름"))
    assert exc.value.code == "brn_already_registered"
    assert Supplier.objects.filter(brn="1248100998").count() == 1


def test_supplier_register_refuses_unknown_domains(official):
    with pytest.raises(ValidationFailed) as exc:
        s.supplier_register(actor=official.user, **supplier_values(domains=["robots"]))
    assert "domains" in exc.value.fields
