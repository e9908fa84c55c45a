"""The raw exports of every list: each user's export holds exactly the rows of their list, with the list's
filters (the same ids as the list API or page with the same query), labels instead of codes, personal
columns flagged, and a number of queries that does not grow with the rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core.errors import ValidationFailed
from core.models import AccessLog
from exports.datasets.base import REGISTRY, ChoiceLabels, Dataset, dataset_get
from tests.export_datasets.conftest import World

LIST_KINDS = (
    "applications",
    "agreements",
    "change_requests",
    "disbursements",
    "factories",
    "matches",
    "mentoring",
    "training_cohorts",
    "outcome_reports",
    "companies",
    "access_log",
)


def ids(kind: str, persona: Any, params: dict[str, Any] | None = None) -> set[int]:
    dataset = dataset_get(kind)
    return set(dataset.queryset(persona.user, params or {}).values_list("pk", flat=True))


def rows(kind: str, persona: Any, params: dict[str, Any] | None = None) -> list[list[Any]]:
    dataset = dataset_get(kind)
    return [list(row) for row in dataset.rows(dataset.queryset(persona.user, params or {}))]


def column(kind: str, header_source: str, table: list[list[Any]]) -> list[Any]:
    sources = [c.source for c in dataset_get(kind).columns]
    index = sources.index(header_source)
    return [row[index] for row in table]


def api_ids(persona: Any, path: str, params: dict[str, Any]) -> set[int]:
    response = persona.api().get(f"/api/v1/{path}", {**params, "page_size": 500})
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def page_ids(persona: Any, url: str, params: dict[str, Any]) -> set[int]:
    response = persona.browser().get(url, params)
    assert response.status_code == 200
    return {obj.pk for obj in response.context["page_obj"].object_list}


def test_every_list_is_registered():
    for kind in LIST_KINDS:
        dataset = dataset_get(kind)
        assert dataset.kind == kind
        assert dataset.columns
        assert dataset.filterset_class is not None
    assert set(LIST_KINDS) <= set(REGISTRY)


# --- scope: who sees which rows -------------------------------------------------------------------------

# kind → persona → the world's rows the persona's export holds; None: the persona may not export it.
SCOPES: dict[str, dict[str, Any]] = {
    "applications": {
        "sme_owner": ("app_a", "draft_a"),
        "other_sme": ("app_b",),
        "partner": ("app_a",),
        "other_partner": ("app_b",),
        "institution": ("app_a",),
        "regional_officer": ("app_a",),
        "finance_officer": ("app_a", "app_b"),
        "official": ("app_a", "app_b", "draft_a"),
        "auditor": ("app_a", "app_b", "draft_a"),
        "supplier_user": (),
        "evaluator": None,
        "trainer": None,
    },
    "agreements": {
        "sme_owner": ("agreement_a",),
        "other_sme": ("agreement_b",),
        "partner": ("agreement_a",),
        "institution": ("agreement_a",),
        "regional_officer": ("agreement_a",),
        "finance_officer": ("agreement_a", "agreement_b"),
        "official": ("agreement_a", "agreement_b"),
        "auditor": ("agreement_a", "agreement_b"),
        "supplier_user": (),
        "evaluator": None,
        "trainer": None,
    },
    "change_requests": {
        "regional_officer": ("change_a",),
        "finance_officer": ("change_a", "change_b"),
        "official": ("change_a", "change_b"),
        "auditor": ("change_a", "change_b"),
        "sme_owner": None,
        "partner": None,
        "evaluator": None,
    },
    "disbursements": {
        "finance_officer": ("disbursement_a", "disbursement_b"),
        "official": ("disbursement_a", "disbursement_b"),
        "auditor": ("disbursement_a", "disbursement_b"),
        "sme_owner": None,
        "regional_officer": None,
        "partner": None,
    },
    "factories": {
        "sme_owner": ("factory_a",),
        "other_sme": ("factory_b",),
        "regional_officer": ("factory_a",),
        "partner": (),
        "finance_officer": ("factory_a", "factory_b"),
        "official": ("factory_a", "factory_b"),
        "auditor": ("factory_a", "factory_b"),
        "institution": None,
        "evaluator": None,
        "supplier_user": None,
        "trainer": None,
    },
    "matches": {
        "partner": ("match_a",),
        "other_partner": ("match_b",),
        "institution": ("match_a",),
        "official": ("match_a", "match_b"),
        "auditor": ("match_a", "match_b"),
        "sme_owner": None,
        "regional_officer": None,
        "evaluator": None,
    },
    "mentoring": {
        "partner": ("activity_a",),
        "other_partner": ("activity_b",),
        "institution": ("activity_a",),
        "sme_owner": ("activity_a",),
        "other_sme": ("activity_b",),
        "official": ("activity_a", "activity_b"),
        "auditor": ("activity_a", "activity_b"),
        "regional_officer": None,
        "supplier_user": None,
    },
    "training_cohorts": {
        "trainer": ("cohort_a",),
        "official": ("cohort_a", "cohort_b"),
        "auditor": ("cohort_a", "cohort_b"),
        "sme_owner": None,
        "partner": None,
        "regional_officer": None,
    },
    "outcome_reports": {
        "sme_owner": ("reports_a",),
        "other_sme": ("reports_b",),
        "regional_officer": ("reports_a",),
        "official": ("reports_a", "reports_b"),
        "auditor": ("reports_a", "reports_b"),
        "partner": None,
        "evaluator": None,
    },
    "companies": {
        "regional_officer": ("company_a",),
        "official": ("company_a", "company_b"),
        "auditor": ("company_a", "company_b"),
        "sme_owner": None,
        "partner": None,
        "supplier_user": None,
    },
    "access_log": {
        "auditor": ("log_a", "log_b"),
        "official": ("log_a", "log_b"),
        "finance_officer": None,
        "regional_officer": None,
        "sme_owner": None,
    },
}


def _expected_ids(world: World, request: Any, names: tuple[str, ...]) -> set[int]:
    out: set[int] = set()
    for name in names:
        if name == "company_a":
            out.add(request.getfixturevalue("sme_owner").company.pk)
        elif name == "company_b":
            out.add(request.getfixturevalue("other_sme").company.pk)
        else:
            value = getattr(world, name)
            out |= {r.pk for r in value} if isinstance(value, list) else {value.pk}
    return out


@pytest.mark.parametrize(
    ("kind", "persona_name"), [(kind, persona) for kind, personas in SCOPES.items() for persona in personas]
)
def test_export_holds_only_the_rows_of_the_users_list(db, request, world, kind, persona_name):
    persona = request.getfixturevalue(persona_name)
    dataset = dataset_get(kind)
    expected = SCOPES[kind][persona_name]
    if expected is None:
        assert not dataset.can_export(persona.user)
        return
    assert dataset.can_export(persona.user)
    got = ids(kind, persona)
    if kind == "access_log":
        # The services that built the world may have logged reads too; the export holds the whole log.
        assert got == set(AccessLog.objects.values_list("pk", flat=True))
        assert _expected_ids(world, request, expected) <= got
    else:
        assert got == _expected_ids(world, request, expected)
    # The rows are the same rows as the ids (nothing joined in doubles a row).
    assert len(rows(kind, persona)) == len(got)


def test_anonymous_may_export_nothing(anonymous):
    for kind in LIST_KINDS:
        assert not dataset_get(kind).can_export(anonymous.user)  # type: ignore[arg-type]


def test_a_user_without_a_role_may_export_nothing(db):
    from tests import factories as f

    nobody = f.UserFactory(username="nobody")
    assert [kind for kind in LIST_KINDS if dataset_get(kind).can_export(nobody)] == []


# --- filters: the list's own, with the same results as the list API or page -----------------------------


API_FILTER_CASES = [
    ("applications", "official", "applications/", {"status": "agreed"}, {"status": "agreed"}),
    ("applications", "official", "applications/", {"region": "busan"}, {"region": "busan"}),
    ("applications", "official", "applications/", {"q": "초안"}, {"q": "초안"}),
    (
        "applications",
        "official",
        "applications/",
        {"status": ["draft", "agreed"]},
        {"status": ["draft", "agreed"]},
    ),
    ("agreements", "official", "agreements/", {"status": "agreed"}, {"status": "agreed"}),
    ("change_requests", "official", "change-requests/", {"status": "requested"}, {"status": "requested"}),
    ("disbursements", "finance_officer", "disbursements/", {"status": "requested"}, {"status": "requested"}),
    ("disbursements", "finance_officer", "disbursements/", {"status": "paid"}, {"status": "paid"}),
    ("factories", "official", "factories/", {"region": "gyeonggi"}, {"region": "gyeonggi"}),
    ("factories", "official", "factories/", {"origin": "supported"}, {"origin": "supported"}),
    ("matches", "official", "partners/matches/", {"status": "active"}, {"status": "active"}),
    ("mentoring", "official", "partners/activities/", {"activity_kind": "visit"}, {"kind": "visit"}),
    (
        "mentoring",
        "official",
        "partners/activities/",
        {"date_from": "2026-03-03"},
        {"date_from": "2026-03-03"},
    ),
    (
        "training_cohorts",
        "official",
        "training/cohorts/",
        {"provider_kind": "learning_factory"},
        {"kind": "learning_factory"},
    ),
    ("training_cohorts", "official", "training/cohorts/", {"year": "2026"}, {"year": "2026"}),
    ("outcome_reports", "official", "outcome-reports/", {"overdue": "true"}, {"overdue": "true"}),
    ("outcome_reports", "official", "outcome-reports/", {"status": "due"}, {"status": "due"}),
    ("companies", "official", "companies/", {"q": "에이정밀"}, {"q": "에이정밀"}),
]


@pytest.mark.parametrize(("kind", "persona_name", "path", "params", "api_params"), API_FILTER_CASES)
def test_filters_give_the_list_apis_rows(db, request, world, kind, persona_name, path, params, api_params):
    persona = request.getfixturevalue(persona_name)
    got = ids(kind, persona, params)
    assert got == api_ids(persona, path, api_params)


def test_filters_apply_within_the_users_scope(world, regional_officer, partner):
    """A filter never reaches past the scope: the Gyeonggi officer filtering on Busan gets nothing."""
    assert ids("applications", regional_officer, {"region": "busan"}) == set()
    assert ids("matches", partner, {"partner": world.match_b.agreement.consortium.partner_id}) == set()


BRN_OF_SME_B = "(the first digits of SME B's registration number)"

# The list pages speak a few words of their own; the export takes them as the page does.
PAGE_FILTER_CASES = [
    ("disbursements", "finance_officer", "funding:queue", {"status": "open"}),
    ("disbursements", "finance_officer", "funding:queue", {"status": "all"}),
    ("disbursements", "finance_officer", "funding:queue", {"status": "requested", "source": "government"}),
    ("change_requests", "official", "agreements:change-request-list", {"status": "all"}),
    ("change_requests", "official", "agreements:change-request-list", {"status": "approved"}),
    ("outcome_reports", "official", "outcomes:list", {"status": "open"}),
    ("outcome_reports", "sme_owner", "outcomes:list", {"status": "open"}),
    ("outcome_reports", "official", "outcomes:list", {"status": "all", "overdue": "on"}),
    ("matches", "official", "partners:match-list", {"q": "비금속"}),
    ("matches", "official", "partners:match-list", {"q": BRN_OF_SME_B}),
    ("agreements", "official", "agreements:list", {"status": "agreed"}),
    ("factories", "official", "factories:list", {"q": "에이정밀"}),
    ("companies", "official", "companies:list", {"q": "비금속"}),
    ("access_log", "auditor", "audit:access-log", {"action": "download"}),
]


@pytest.mark.parametrize(("kind", "persona_name", "url_name", "params"), PAGE_FILTER_CASES)
def test_page_words_give_the_pages_rows(db, request, world, kind, persona_name, url_name, params):
    from django.urls import reverse

    persona = request.getfixturevalue(persona_name)
    if params.get("q") == BRN_OF_SME_B:
        params = {"q": request.getfixturevalue("other_sme").company.brn[:6]}
    expected = page_ids(persona, reverse(url_name), params)
    assert ids(kind, persona, params) == expected


def test_training_page_kind_travels_as_provider_kind(world, official):
    """The cohort page's `kind` (of provider) is `provider_kind` on the export page, whose own `kind`
    names the export."""
    from django.urls import reverse

    expected = page_ids(official, reverse("training:cohort-list"), {"kind": "learning_factory"})
    assert expected == {world.cohort_b.pk}
    assert ids("training_cohorts", official, {"provider_kind": "learning_factory"}) == expected
    # The export page's own keys never reach the FilterSet.
    assert ids("training_cohorts", official, {"kind": "training_cohorts", "format": "csv"}) == ids(
        "training_cohorts", official
    )
    assert "provider_kind" in dataset_get("training_cohorts").filter_names()
    assert "kind" not in dataset_get("training_cohorts").filter_names()


INVALID_FILTERS = [
    ("applications", "official", {"status": "bogus"}),
    ("applications", "official", {"fiscal_year": "twenty"}),
    ("applications", "official", {"submitted_from": "2026-02-30"}),
    ("agreements", "official", {"call": "x"}),
    ("change_requests", "official", {"status": "maybe"}),
    ("disbursements", "finance_officer", {"status": "nope"}),
    ("disbursements", "finance_officer", {"tranche": "bonus"}),
    ("factories", "official", {"completion_year": "soon"}),
    ("factories", "official", {"region": "atlantis"}),
    ("matches", "official", {"fiscal_year": "x"}),
    ("mentoring", "official", {"date_from": "2026-13-01"}),
    ("mentoring", "official", {"activity_kind": "party"}),
    ("training_cohorts", "official", {"year": "x"}),
    ("training_cohorts", "official", {"provider_kind": "circus"}),
    ("outcome_reports", "official", {"year": "x"}),
    ("outcome_reports", "official", {"status": "lost"}),
    ("access_log", "auditor", {"from": "yesterday"}),
    ("access_log", "auditor", {"action": "delete"}),
]


@pytest.mark.parametrize(("kind", "persona_name", "params"), INVALID_FILTERS)
def test_an_invalid_filter_is_refused(db, request, world, kind, persona_name, params):
    persona = request.getfixturevalue(persona_name)
    with pytest.raises(ValidationFailed) as exc:
        dataset_get(kind).queryset(persona.user, params)
    assert exc.value.fields


# --- columns ----------------------------------------------------------------------------------------------

# Columns that name or identify a person: their export needs a reason (접속기록).
PERSONAL_SOURCES = {
    "companies": {"representative"},
    "mentoring": {"mentor__name"},
    "change_requests": {"export_filed_by", "export_decided_by"},
    "disbursements": {"export_requested_by", "export_approved_by"},
    "access_log": {"username", "ip"},
}
PERSONAL_HINTS = ("representative", "display_name", "username", "email", "phone", "mentor__name", "_by")


@pytest.mark.parametrize("kind", LIST_KINDS)
def test_personal_columns_are_flagged(kind):
    dataset = dataset_get(kind)
    flagged = {c.source for c in dataset.columns if c.personal}
    assert flagged == PERSONAL_SOURCES.get(kind, set())
    assert dataset.personal_data == bool(flagged)
    # Nothing that looks like a person's name or contact slips through unflagged.
    for c in dataset.columns:
        if any(hint in c.source for hint in PERSONAL_HINTS) or c.source == "ip":
            assert c.personal, (kind, c.source)


@pytest.mark.parametrize("kind", LIST_KINDS)
def test_headers_are_translated_and_unique(kind):
    dataset = dataset_get(kind)
    with translation.override("en"):
        english = [str(c.header) for c in dataset.columns]
    assert len(set(english)) == len(english)
    assert all(header.strip() for header in english)


def _choice_codes(render: Any) -> set[str]:
    return {str(code) for code, _label in getattr(render, "_choices", ())}


@pytest.mark.parametrize("kind", LIST_KINDS)
def test_choice_codes_become_labels(db, request, world, kind):
    """Every rendered column shows the label of its code in the active language, never the code."""
    persona = request.getfixturevalue("auditor")
    dataset = dataset_get(kind)
    with translation.override("en"):
        table = rows(kind, persona)
    assert table
    rendered = [(i, c) for i, c in enumerate(dataset.columns) if isinstance(c.render, ChoiceLabels)]
    assert rendered or kind == "training_cohorts"
    for i, c in rendered:
        codes = _choice_codes(c.render)
        labels = {str(label) for _code, label in c.render._choices}
        for row in table:
            value = row[i]
            if value in (None, ""):
                continue
            assert value in labels, (kind, c.source, value)
            assert value not in codes, (kind, c.source, value)


def test_rows_hold_what_a_clerk_needs(world, official, sme_owner):
    with translation.override("en"):
        table = rows("applications", official, {"status": "agreed"})
    numbers = column("applications", "export_number", table)
    assert sorted(numbers) == sorted(a.number for a in (world.app_a, world.app_b))
    assert set(column("applications", "status", table)) == {"Agreement signed (협약)"}
    assert set(column("applications", "company__brn", table)) == {
        world.app_a.company.brn,
        world.app_b.company.brn,
    }
    assert all(isinstance(v, int) for v in column("applications", "gov_amount_krw", table))

    agreements = rows("agreements", official, {"company": sme_owner.company.pk})
    assert column("agreements", "gov_agreed_krw", agreements) == [world.app_a.gov_amount_krw]
    assert column("agreements", "gov_paid_krw", agreements) == [0]

    disbursements = rows("disbursements", official, {"agreement": world.agreement_a.pk})
    assert column("disbursements", "amount_krw", disbursements) == [4_000_000]
    assert column("disbursements", "export_requested_by", disbursements) == [sme_owner.user.display_name]

    companies = rows("companies", official, {"q": sme_owner.company.brn})
    assert column("companies", "workplace_regions", companies) == [sme_owner.workplace.region.name_ko]
    # SME A has two workplaces, both in Gyeonggi (the second is the draft's): the region once, the count 2.
    assert column("companies", "workplace_count", companies) == [2]


def test_cohort_and_outcome_rows(world, official, trainer):
    with translation.override("en"):
        cohorts = rows("training_cohorts", trainer)
        reports = rows("outcome_reports", official, {"factory": world.factory_a.pk})
    assert column("training_cohorts", "completed", cohorts) == [18]
    assert column("training_cohorts", "course__provider__kind", cohorts) == [
        "Smart Factory Learning Center (스마트공장 배움터, KOSME)"
    ]
    assert sorted(column("outcome_reports", "sequence", reports)) == [1, 2, 3]


# --- queries ----------------------------------------------------------------------------------------------


def _export_queries(dataset: Dataset, user: Any, params: dict[str, Any]) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        count = sum(1 for _ in dataset.rows(dataset.queryset(user, params)))
    return count, len(captured.captured_queries)


@pytest.mark.parametrize("kind", LIST_KINDS)
def test_query_count_does_not_grow_with_the_rows(db, request, world, kind, django_assert_max_num_queries):
    """The same queries for the world's few rows and for a thousand more: one SELECT streams the rows."""
    from tests.export_datasets.bulk import grow

    persona = request.getfixturevalue("auditor")
    dataset = dataset_get(kind)
    # A fresh user object: the per-user access cache is part of what is counted.
    small_rows, small_queries = _export_queries(
        dataset, type(persona.user).objects.get(pk=persona.user.pk), {}
    )
    grow(kind, world, request, 1000)
    user = type(persona.user).objects.get(pk=persona.user.pk)
    with django_assert_max_num_queries(small_queries):
        big_rows = sum(1 for _ in dataset.rows(dataset.queryset(user, {})))
    assert big_rows >= small_rows + 1000
