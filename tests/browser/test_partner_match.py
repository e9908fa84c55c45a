"""A match through the pages in a real browser: the partner firm proposes one for an SME from its
agreement, the SME sees it in its match inbox and accepts it, and the partner firm sees it accepted."""

from __future__ import annotations

import re

from partners.models import Match, MatchStatus
from tests import factories as f
from tests.browser.conftest import login


def test_partner_proposes_sme_accepts_partner_sees_accepted(new_page, partner, sme_owner):
    consortium = f.ConsortiumFactory(partner=partner.organisation, name_ko="삼성전자 상생 컨소시엄")
    agreement = f.AgreementFactory(consortium=consortium, mentee_quota=5)
    company = sme_owner.company

    # 1. The partner firm opens its agreement and proposes a match by business registration number.
    firm = new_page()
    login(firm, partner.user.username)
    firm.goto("/partners/agreements/")
    firm.click(f"#agreement-{agreement.pk} a")
    firm.wait_for_url(re.compile(rf"/partners/agreements/{agreement.pk}/$"))
    firm.click("#propose-match")
    firm.wait_for_url(re.compile(r"/propose/$"))
    firm.fill("#id_brn", company.brn_display)
    firm.fill("#id_score", "85")
    firm.fill("#id_note", "MES 구축을 함께 하고 싶습니다.")
    firm.click("#propose-submit")
    firm.wait_for_url(re.compile(r"/matches/\d+/$"))
    match = Match.objects.get(agreement=agreement, company=company)
    assert (match.status, match.score, match.proposed_by_id) == (MatchStatus.PROPOSED, 85, partner.user.pk)
    assert firm.get_attribute("#match-status", "data-status") == "proposed"

    # 2. The SME signs in, finds the proposal in its match inbox and accepts it.
    sme = new_page()
    login(sme, sme_owner.user.username)
    sme.goto("/matches/")
    card = sme.locator(f"#match-{match.pk}")
    assert card.get_attribute("data-status") == "proposed"
    assert "삼성전자" in card.inner_text()
    sme.click(f"#accept-{match.pk}")
    sme.wait_for_url(re.compile(r"/matches/$"))
    sme.wait_for_selector(f"#current-matches #match-{match.pk} [data-status=accepted]")
    assert sme.locator(f"#accept-{match.pk}").count() == 0
    match.refresh_from_db()
    assert match.status == MatchStatus.ACCEPTED
    assert list(match.history.values_list("action", flat=True)) == ["propose", "accept"]

    # 3. The partner firm sees it accepted, on the match and on its agreement.
    firm.goto(f"/matches/{match.pk}/")
    assert firm.get_attribute("#match-status", "data-status") == "accepted"
    assert firm.locator("#match-history li[data-action=accept]").count() == 1
    firm.goto(f"/partners/agreements/{agreement.pk}/")
    assert firm.get_attribute(f"#match-{match.pk} .krds-badge", "data-status") == "accepted"
