"""The complex pages: who sees them, officials' forms (create, designate, end, add and remove a
workplace) with refusals shown on the page, and the count against the target."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from factories.models import ComplexWorkplace, IndustrialComplex
from tests import factories as f
from tests.complexes.conftest import complex_state, factory_of


def ko(message: str, **values: object) -> str:
    """A message as the (Korean) page shows it."""
    with translation.override("ko-kr"):
        return gettext(message) % values if values else gettext(message)


def get(persona, name, *args, status=200):
    response = persona.browser().get(reverse(name, args=args))
    assert response.status_code == status, (name, response.status_code)
    return response.content.decode()


def test_list_and_detail_for_the_roles_that_see_complexes(
    banwol, changwon, official, auditor, regional_officer, finance_officer, sme_owner
):
    ComplexWorkplace.objects.create(complex=banwol, workplace=sme_owner.workplace)
    made = factory_of(sme_owner.workplace, official.user)
    for persona in (official, auditor, regional_officer, finance_officer):
        html = get(persona, "complexes:list")
        assert f'id="complex-{banwol.pk}"' in html
        assert 'id="target-complexes-10-2022"' in html
        html = get(persona, "complexes:detail", banwol.pk)
        assert f'id="member-{sme_owner.workplace.pk}"' in html
        assert f'id="factory-{made.pk}"' in html
    assert 'id="complex-new"' in get(official, "complexes:list")
    assert 'id="complex-new"' not in get(auditor, "complexes:list")
    assert 'id="designate-form"' not in get(auditor, "complexes:detail", banwol.pk)
    assert '<strong id="designated-count">1</strong>' in get(official, "complexes:list")


@pytest.mark.parametrize("persona", ["sme_owner", "partner", "evaluator"])
def test_other_roles_are_refused(request, banwol, persona):
    visitor = request.getfixturevalue(persona)
    get(visitor, "complexes:list", status=403)
    get(visitor, "complexes:detail", banwol.pk, status=404)
    before = complex_state()
    response = visitor.browser().post(
        reverse("complexes:designate", args=[banwol.pk]), {"designated_on": "2020-01-01"}
    )
    assert response.status_code == 404
    assert complex_state() == before


def test_anonymous_is_sent_to_login(banwol, anonymous):
    response = anonymous.browser().get(reverse("complexes:list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_readers_may_not_use_the_forms(banwol, auditor, regional_officer, sme_owner):
    before = complex_state()
    for persona in (auditor, regional_officer):
        get(persona, "complexes:new", status=403)
        get(persona, "complexes:edit", banwol.pk, status=403)
        for name, data in (
            ("complexes:designate", {"designated_on": "2020-01-01"}),
            ("complexes:workplace-add", {"workplace_id": sme_owner.workplace.pk}),
        ):
            assert persona.browser().post(reverse(name, args=[banwol.pk]), data).status_code == 403
    assert complex_state() == before


def test_officials_run_a_complex_through_the_pages(official, sme_owner, changwon):
    browser = official.browser()
    response = browser.post(
        reverse("complexes:new"),
        {
            "name_ko": "구미 국가산업단지",
            "name_en": "Gumi",
            "region": f.region("gyeongbuk").pk,
            "operator": "",
        },
    )
    assert response.status_code == 302
    made = IndustrialComplex.objects.get(name_ko="구미 국가산업단지")
    response = browser.post(
        reverse("complexes:edit", args=[made.pk]),
        {"name_ko": made.name_ko, "name_en": "Gumi National", "region": made.region_id, "operator": "KICOX"},
    )
    assert response.status_code == 302
    future = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = browser.post(reverse("complexes:designate", args=[made.pk]), {"designated_on": future})
    assert response.status_code == 200
    assert ko("The date cannot be in the future.") in response.content.decode()
    response = browser.post(reverse("complexes:designate", args=[made.pk]), {"designated_on": "2020-09-01"})
    assert response.status_code == 302
    response = browser.post(reverse("complexes:end-designation", args=[made.pk]), {"ended_on": "2024-09-01"})
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.name_en, made.designated_on, made.designation_ended_on) == (
        "Gumi National",
        dt.date(2020, 9, 1),
        dt.date(2024, 9, 1),
    )
    workplace = sme_owner.workplace.pk
    assert (
        browser.post(
            reverse("complexes:workplace-add", args=[made.pk]), {"workplace_id": workplace}
        ).status_code
        == 302
    )
    response = browser.post(
        reverse("complexes:workplace-add", args=[changwon.pk]), {"workplace_id": workplace}
    )
    assert response.status_code == 200
    assert (
        ko("This workplace is already inside %(complex)s.", complex="구미 국가산업단지")
        in response.content.decode()
    )
    response = browser.post(reverse("complexes:workplace-add", args=[changwon.pk]), {"workplace_id": 999_999})
    assert ko("No such workplace.") in response.content.decode()
    response = browser.post(reverse("complexes:workplace-remove", args=[made.pk, workplace]))
    assert response.status_code == 302
    assert not ComplexWorkplace.objects.exists()
