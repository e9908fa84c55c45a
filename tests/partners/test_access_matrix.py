"""Who may reach which consortium, agreement, tie, match, mentor, mentoring session and portfolio.

One shared setup (`world`: two partner firms, each with a consortium, an agreement, matches, a mentor,
a tie and a session; an institution administering the first consortium) serves the owner's success case
and every denied case: the other partner firm and outsiders get 404 (never a hint that the object
exists), anonymous users 401, those who may see the object but not act on it 403 — and nothing changes
in the database.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.applications.support import assert_error_body
from tests.factories import make_brn
from tests.partners.conftest import World, partner_db_state

P = "/api/v1/partners"


def _activity(w: World):
    return {"mentor": w.mentor.pk, "kind": "visit", "date": dt.date(2026, 10, 1).isoformat(), "hours": "2.0"}


# name: (method, url, payload, owner persona, owner's status)
ENDPOINTS = {
    "consortium-detail": ("get", lambda w: f"{P}/consortia/{w.consortium.pk}/", None, "partner", 200),
    "agreement-detail": ("get", lambda w: f"{P}/agreements/{w.agreement.pk}/", None, "partner", 200),
    "match-detail": ("get", lambda w: f"{P}/matches/{w.accepted.pk}/", None, "partner", 200),
    "portfolio": ("get", lambda w: f"{P}/portfolio/?agreement={w.agreement.pk}", None, "partner", 200),
    "portfolio-mentees": (
        "get",
        lambda w: f"{P}/portfolio/mentees/?agreement={w.agreement.pk}",
        None,
        "partner",
        200,
    ),
    "agreement-create": (
        "post",
        lambda w: f"{P}/consortia/{w.consortium.pk}/agreements/create/",
        lambda w: {
            "fiscal_year": 2027,
            "pledged_krw": 500_000_000,
            "mentee_quota": 20,
            "tracks": ["winwin_type1"],
            "signed_on": "2027-01-05",
        },
        "institution",
        201,
    ),
    "agreement-update": (
        "patch",
        lambda w: f"{P}/agreements/{w.agreement.pk}/update/",
        lambda w: {"mentee_quota": 20},
        "institution",
        200,
    ),
    "propose": (
        "post",
        lambda w: f"{P}/agreements/{w.agreement.pk}/propose/",
        lambda w: {"brn": w.free_company.brn, "score": 70},
        "partner",
        201,
    ),
    "start": (
        "post",
        lambda w: f"{P}/matches/{w.accepted.pk}/transition/",
        lambda w: {"action": "start"},
        "partner",
        200,
    ),
    "activity-create": (
        "post",
        lambda w: f"{P}/matches/{w.accepted.pk}/activities/create/",
        _activity,
        "partner",
        201,
    ),
    "tie-add": (
        "post",
        lambda w: f"{P}/ties/add/",
        lambda w: {"partner": w.consortium.partner_id, "entries": [{"brn": make_brn(), "name": "새 협력사"}]},
        "partner",
        201,
    ),
    "tie-remove": ("post", lambda w: f"{P}/ties/{w.tie.pk}/remove/", lambda w: {}, "partner", 204),
    "mentor-create": (
        "post",
        lambda w: f"{P}/mentors/create/",
        lambda w: {"partner": w.consortium.partner_id, "name": "새멘토"},
        "partner",
        201,
    ),
    "mentor-update": (
        "patch",
        lambda w: f"{P}/mentors/{w.mentor.pk}/update/",
        lambda w: {"expertise": "품질"},
        "partner",
        200,
    ),
}
# The SME's own match: it reads and answers it; the partner firm reads and may end it but not answer it.
SME_ENDPOINTS = {
    "proposal-detail": ("get", lambda w: f"{P}/matches/{w.proposed.pk}/", None, "sme_owner", 200),
    "accept": (
        "post",
        lambda w: f"{P}/matches/{w.proposed.pk}/transition/",
        lambda w: {"action": "accept"},
        "sme_owner",
        200,
    ),
    "decline": (
        "post",
        lambda w: f"{P}/matches/{w.proposed.pk}/transition/",
        lambda w: {"action": "decline"},
        "sme_owner",
        200,
    ),
    "end-proposal": (
        "post",
        lambda w: f"{P}/matches/{w.proposed.pk}/transition/",
        lambda w: {"action": "end", "note": "필요 없음"},
        "partner",
        200,
    ),
}
ALL = {**ENDPOINTS, **SME_ENDPOINTS}
OUTSIDERS = [
    "other_partner",
    "other_institution",
    "other_sme",
    "regional_officer",
    "evaluator",
    "supplier_user",
    "finance_officer",
]
READS = [name for name, (method, *_rest) in ALL.items() if method == "get"]
WRITES = [name for name in ALL if name not in READS]


def call(persona, name: str, w: World):
    method, url, payload, _owner, _status = ALL[name]
    client = persona.api()
    if payload is None:
        return getattr(client, method)(url(w))
    return getattr(client, method)(url(w), payload(w), format="json")


def denied_cases():
    for name in ALL:
        outsiders = OUTSIDERS + (["sme_owner"] if name in ENDPOINTS else [])
        for persona in outsiders:
            yield pytest.param(name, persona, id=f"{name}-{persona}")


@pytest.mark.parametrize("name", ALL)
def test_owner_succeeds(request, world, name):
    owner, expected = ALL[name][3], ALL[name][4]
    response = call(request.getfixturevalue(owner), name, world)
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(("name", "persona"), list(denied_cases()))
def test_other_parties_get_404_and_change_nothing(request, world, name, persona):
    outsider = request.getfixturevalue(persona)
    before = partner_db_state()
    response = call(outsider, name, world)
    assert_error_body(response, 404, "not_found")
    assert partner_db_state() == before


@pytest.mark.parametrize("name", ALL)
def test_anonymous_gets_401_and_changes_nothing(world, anonymous, name):
    before = partner_db_state()
    assert_error_body(call(anonymous, name, world), 401, "not_authenticated")
    assert partner_db_state() == before


@pytest.mark.parametrize("persona", ["official", "auditor"])
@pytest.mark.parametrize("name", READS)
def test_officials_and_auditors_read_everything(request, world, persona, name):
    assert call(request.getfixturevalue(persona), name, world).status_code == 200


@pytest.mark.parametrize("name", WRITES)
def test_auditors_cannot_write(world, auditor, name):
    before = partner_db_state()
    assert_error_body(call(auditor, name, world), 403, "permission_denied")
    assert partner_db_state() == before


@pytest.mark.parametrize(
    ("name", "persona", "expected"),
    [
        # The institution administers the first consortium: it reads it and records its agreements …
        ("consortium-detail", "institution", 200),
        ("agreement-detail", "institution", 200),
        ("match-detail", "institution", 200),
        ("proposal-detail", "institution", 200),
        ("portfolio", "institution", 200),
        ("portfolio-mentees", "institution", 200),
        ("agreement-create", "official", 201),
        ("agreement-update", "official", 200),
        # … but matches, mentoring, ties and mentors are the partner firm's.
        ("propose", "institution", 403),
        ("start", "institution", 403),
        ("activity-create", "institution", 403),
        ("accept", "institution", 403),
        ("tie-add", "institution", 403),
        ("tie-remove", "institution", 403),
        ("mentor-create", "institution", 403),
        ("mentor-update", "institution", 404),  # mentors are not shown to institutions
        # The partner firm runs its matches but neither records agreements nor answers for the SME.
        ("agreement-create", "partner", 403),
        ("agreement-update", "partner", 403),
        ("accept", "partner", 403),
        ("decline", "partner", 403),
        # The SME answers a proposal, it does not run the match.
        ("end-proposal", "sme_owner", 403),
        # Officials may do everything but answer for the SME.
        ("propose", "official", 201),
        ("start", "official", 200),
        ("activity-create", "official", 201),
        ("accept", "official", 403),
    ],
)
def test_visible_but_not_allowed_is_403(request, world, name, persona, expected):
    actor = request.getfixturevalue(persona)
    before = partner_db_state()
    response = call(actor, name, world)
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert_error_body(response, expected)
        assert partner_db_state() == before


def test_consortium_create_is_for_officials_only(world, official, partner, institution, auditor, anonymous):
    payload = {
        "partner": world.other_consortium.partner_id,
        "institution": world.consortium.institution_id,
        "name_ko": "포스코·재단 컨소시엄",
        "established_on": "2024-03-01",
    }
    url = f"{P}/consortia/create/"
    before = partner_db_state()
    for persona, status in ((partner, 403), (institution, 403), (auditor, 403), (anonymous, 401)):
        assert_error_body(persona.api().post(url, payload, format="json"), status)
    assert partner_db_state() == before
    assert official.api().post(url, payload, format="json").status_code == 201


@pytest.mark.parametrize("persona", ["partner", "other_partner", "institution", "sme_owner", "evaluator"])
def test_comparison_is_the_ministrys(request, world, persona):
    response = request.getfixturevalue(persona).api().get(f"{P}/comparison/")
    assert_error_body(response, 403, "permission_denied")


@pytest.mark.parametrize("persona", ["official", "auditor"])
def test_officials_and_auditors_compare_partner_firms(request, world, persona):
    body = request.getfixturevalue(persona).api().get(f"{P}/comparison/").json()
    assert {row["partner_id"] for row in body["rows"]} == {
        world.consortium.partner_id,
        world.other_consortium.partner_id,
    }


@pytest.mark.parametrize("persona", ["sme_owner", "regional_officer", "evaluator", "supplier_user"])
@pytest.mark.parametrize("path", ["portfolio/", "portfolio/mentees/", "portfolio/?fiscal_year=2026"])
def test_a_year_of_portfolio_is_for_partnership_roles(request, world, persona, path):
    assert_error_body(request.getfixturevalue(persona).api().get(f"{P}/{path}"), 403, "permission_denied")


# --- lists contain no foreign row ------------------------------------------------------------------


LISTS = ["consortia", "agreements", "ties", "matches", "mentors", "activities", "portfolio/mentees"]


def expected_ids(w: World, persona: str) -> dict[str, set[int]]:
    mine = {
        "consortia": {w.consortium.pk},
        "agreements": {w.agreement.pk},
        "ties": {w.tie.pk},
        "matches": {w.proposed.pk, w.accepted.pk},
        "mentors": {w.mentor.pk},
        "activities": {w.activity.pk},
        "portfolio/mentees": {w.proposed.pk, w.accepted.pk},
    }
    theirs = {
        "consortia": {w.other_consortium.pk},
        "agreements": {w.other_agreement.pk},
        "ties": {w.other_tie.pk},
        "matches": {w.other_match.pk},
        "mentors": {w.other_mentor.pk},
        "activities": {w.other_activity.pk},
        "portfolio/mentees": {w.other_match.pk},
    }
    nothing = {name: set() for name in LISTS}
    if persona == "partner":
        return mine
    if persona == "other_partner":
        return theirs
    if persona == "institution":
        return {**mine, "mentors": set()}
    if persona == "other_institution":
        return {**theirs, "mentors": set()}
    if persona == "sme_owner":
        return {**nothing, "matches": {w.proposed.pk}}
    if persona == "other_sme":
        return {**nothing, "matches": {w.other_match.pk}, "activities": {w.other_activity.pk}}
    if persona in ("official", "auditor"):
        return {name: mine[name] | theirs[name] for name in LISTS}
    return nothing


def _id(row: dict) -> int:
    return row.get("id", row.get("match_id"))


@pytest.mark.parametrize(
    "persona",
    [
        "partner",
        "other_partner",
        "institution",
        "other_institution",
        "sme_owner",
        "other_sme",
        "official",
        "auditor",
        "regional_officer",
        "evaluator",
        "supplier_user",
        "finance_officer",
    ],
)
def test_lists_and_counts_hold_no_foreign_row(request, world, persona):
    client = request.getfixturevalue(persona).api()
    expected = expected_ids(world, persona)
    for name in LISTS:
        response = client.get(f"{P}/{name}/", {"fiscal_year": 2026} if name.startswith("portfolio") else {})
        if name.startswith("portfolio") and not expected[name] and persona not in ("official", "auditor"):
            assert response.status_code == 403, (name, response.content)
            continue
        assert response.status_code == 200, (name, response.content)
        body = response.json()
        assert {_id(row) for row in body["results"]} == expected[name], name
        assert body["count"] == len(expected[name]), name


def test_portfolio_figures_hold_no_foreign_row(world, partner, institution, other_partner):
    for persona, agreement in (
        (partner, world.agreement),
        (institution, world.agreement),
        (other_partner, world.other_agreement),
    ):
        body = persona.api().get(f"{P}/portfolio/", {"fiscal_year": 2026}).json()
        assert [a["id"] for a in body["agreements"]] == [agreement.pk]
        assert body["mentees"] == agreement.matches.count()
        assert body["pledged_krw"] == agreement.pledged_krw
