"""Complex services: happy paths and one test per refusal (nothing changes); the designated count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from factories import complexes as cx
from factories.models import ComplexWorkplace, IndustrialComplex
from tests import factories as f
from tests.complexes.conftest import complex_state, factory_of

D = dt.date


def refused(exc_type, service, code=None, field=None, **kwargs):
    before = complex_state()
    with pytest.raises(exc_type) as info:
        service(**kwargs)
    assert complex_state() == before
    if code:
        assert info.value.code == code
    if field:
        assert field in info.value.fields, info.value.fields
    return info.value


def test_official_creates_and_corrects_a_complex(official):
    made = cx.complex_create(
        actor=official.user,
        name_ko="구미 국가산업단지",
        name_en="Gumi",
        region=f.region("gyeongbuk"),
        operator="KICOX",
    )
    assert made.designated_on is None
    done = cx.complex_update(complex=made, actor=official.user, name_en="Gumi National Industrial Complex")
    made.refresh_from_db()
    assert done.name_en == made.name_en == "Gumi National Industrial Complex"
    assert made.operator == "KICOX"


@pytest.mark.parametrize("persona", ["auditor", "regional_officer", "finance_officer", "sme_owner"])
def test_only_officials_manage_complexes(request, persona, banwol, sme_owner):
    actor = request.getfixturevalue(persona).user
    refused(
        PermissionDenied,
        cx.complex_create,
        actor=actor,
        name_ko="새 단지",
        name_en="New",
        region=f.region("seoul"),
    )
    refused(PermissionDenied, cx.complex_update, complex=banwol, actor=actor, name_en="x")
    refused(PermissionDenied, cx.complex_designate, complex=banwol, actor=actor, designated_on=D(2020, 1, 1))
    refused(
        PermissionDenied, cx.complex_workplace_add, complex=banwol, actor=actor, workplace=sme_owner.workplace
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name_ko": " "}, "name_ko"),
        ({"name_en": ""}, "name_en"),
        ({"description": "x" * 5_001}, "description"),
    ],
)
def test_complex_input_is_checked(official, changes, field):
    kwargs = {"name_ko": "새 단지", "name_en": "New", "region": f.region("seoul")} | changes
    refused(ValidationFailed, cx.complex_create, field=field, actor=official.user, **kwargs)


def test_a_duplicate_name_is_a_conflict(official, banwol, changwon):
    kwargs = {"name_en": "x", "region": f.region("seoul")}
    refused(
        Conflict,
        cx.complex_create,
        code="complex_exists",
        actor=official.user,
        name_ko=banwol.name_ko,
        **kwargs,
    )
    refused(
        Conflict,
        cx.complex_update,
        code="complex_exists",
        complex=changwon,
        actor=official.user,
        name_ko=banwol.name_ko,
    )


def test_designation_and_its_end(official, banwol):
    done = cx.complex_designate(complex=banwol, actor=official.user, designated_on=D(2020, 4, 1))
    assert done.designated_on == D(2020, 4, 1)
    assert cx.complexes_designated(D(2020, 3, 31)) == 0
    assert cx.complexes_designated(D(2020, 4, 1)) == 1
    cx.complex_end_designation(complex=banwol, actor=official.user, ended_on=D(2023, 1, 1))
    assert cx.complexes_designated(D(2022, 12, 31)) == 1
    assert cx.complexes_designated(D(2023, 1, 1)) == 0


def test_designation_refusals(official, banwol, changwon):
    future = timezone.localdate() + dt.timedelta(days=1)
    refused(
        ValidationFailed,
        cx.complex_designate,
        field="designated_on",
        complex=banwol,
        actor=official.user,
        designated_on=future,
    )
    refused(
        ValidationFailed,
        cx.complex_designate,
        field="designated_on",
        complex=banwol,
        actor=official.user,
        designated_on="2020-01-01",
    )
    refused(
        Conflict,
        cx.complex_designate,
        code="already_designated",
        complex=changwon,
        actor=official.user,
        designated_on=D(2020, 1, 1),
    )
    refused(
        Conflict,
        cx.complex_end_designation,
        code="not_designated",
        complex=banwol,
        actor=official.user,
        ended_on=D(2020, 1, 1),
    )
    refused(
        ValidationFailed,
        cx.complex_end_designation,
        field="ended_on",
        complex=changwon,
        actor=official.user,
        ended_on=D(2019, 3, 1),
    )
    cx.complex_end_designation(complex=changwon, actor=official.user, ended_on=D(2024, 1, 1))
    refused(
        Conflict,
        cx.complex_end_designation,
        code="designation_ended",
        complex=changwon,
        actor=official.user,
        ended_on=D(2024, 2, 1),
    )


def test_a_workplace_lies_in_at_most_one_complex(official, banwol, changwon, sme_owner):
    member = cx.complex_workplace_add(complex=banwol, actor=official.user, workplace=sme_owner.workplace)
    assert member.complex == banwol
    refused(
        Conflict,
        cx.complex_workplace_add,
        code="workplace_in_complex",
        complex=banwol,
        actor=official.user,
        workplace=sme_owner.workplace,
    )
    refused(
        Conflict,
        cx.complex_workplace_add,
        code="workplace_in_complex",
        complex=changwon,
        actor=official.user,
        workplace=sme_owner.workplace,
    )
    refused(
        Conflict,
        cx.complex_workplace_remove,
        code="not_in_complex",
        complex=changwon,
        actor=official.user,
        workplace=sme_owner.workplace,
    )
    cx.complex_workplace_remove(complex=banwol, actor=official.user, workplace=sme_owner.workplace)
    assert not ComplexWorkplace.objects.exists()
    cx.complex_workplace_add(complex=changwon, actor=official.user, workplace=sme_owner.workplace)


def test_the_factories_inside_a_complex_within_the_users_scope(
    official, regional_officer, banwol, sme_owner, other_sme
):
    mine = factory_of(sme_owner.workplace, official.user)
    theirs = factory_of(other_sme.workplace, official.user)
    outside = f.WorkplaceFactory(company=sme_owner.company, name="제2공장", region=f.region("gyeonggi"))
    factory_of(outside, official.user)
    for workplace in (sme_owner.workplace, other_sme.workplace):
        cx.complex_workplace_add(complex=banwol, actor=official.user, workplace=workplace)
    assert set(cx.complex_factories(official.user, banwol)) == {mine, theirs}
    assert set(cx.complex_factories(regional_officer.user, banwol)) == {mine}  # Gyeonggi only
    assert cx.complex_list_for_user(official.user).get(pk=banwol.pk).n_workplaces == 2


def test_the_designated_count_against_the_target(official, banwol, changwon):
    IndustrialComplex.objects.filter(pk=banwol.pk).update(designated_on=D(2023, 5, 1))
    (progress,) = cx.complex_target_progress(D(2024, 1, 1))
    # The 10-complex target's deadline is 2022-12-31: only Changwon was designated by then.
    assert (progress.target.code, progress.achieved) == ("complexes-10-2022", 1)
    assert cx.complexes_designated(D(2024, 1, 1)) == 2
