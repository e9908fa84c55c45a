"""Partner metrics against a direct recomputation from agreements, matches, activities and factories."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factories.models import Factory, FactoryOrigin
from partners.models import (
    LIVE_MATCH_STATES,
    Match,
    MatchStatusChange,
    Mentor,
    MentoringActivity,
    WinWinAgreement,
)
from programs.models import ProgramType
from tests import factories as f
from tests.kpi_metrics.helpers import SETTINGS, assert_snapshot_matches, assert_sum_metric, at, day_end, today

pytestmark = pytest.mark.django_db

# Match status paths: an initial status and the changes after it.
MATCH_PATHS = [
    ["proposed"],
    ["proposed", "accepted"],
    ["proposed", "accepted", "active", "completed"],
    ["proposed", "ended"],
    ["proposed", "accepted", "active", "ended"],
]

agreement = st.fixed_dictionaries(
    {
        "partner": st.integers(0, 1),
        "year": st.sampled_from([2024, 2025, 2026]),
        "draft": st.booleans(),
        "signed_days_ago": st.integers(0, 400),
        "committed": st.integers(0, 10),
        "matches": st.lists(
            st.tuples(
                st.sampled_from(range(len(MATCH_PATHS))),
                st.integers(0, 300),  # days ago of the first change
                st.lists(st.tuples(st.integers(0, 300), st.integers(1, 80)), max_size=3),  # activities
            ),
            max_size=3,
        ),
        "completions": st.lists(st.tuples(st.booleans(), st.integers(0, 500)), max_size=2),
    }
)


def build(spec: dict[str, Any], partners: list[Any], user: Any) -> None:
    consortium = f.ConsortiumFactory(partner=partners[spec["partner"]])
    winwin = f.AgreementFactory(
        consortium=consortium,
        fiscal_year=spec["year"],
        status="draft" if spec["draft"] else "active",
        signed_on=today() - dt.timedelta(days=spec["signed_days_ago"]),
        committed_krw=spec["committed"] * 10_000_000,
    )
    mentor = Mentor.objects.create(partner=consortium.partner, name="김멘토")
    for path_index, days_ago, activities in spec["matches"]:
        path = MATCH_PATHS[path_index]
        match = f.MatchFactory(agreement=winwin, status=path[-1], proposed_by=user)
        Match.objects.filter(pk=match.pk).update(created_at=at(days_ago + 10))
        when = at(days_ago)
        for previous, status in itertools.pairwise(path):
            MatchStatusChange.objects.create(
                match=match, action="x", from_status=previous, to_status=status, actor=user, at=when
            )
            when += dt.timedelta(days=20)
        for activity_days_ago, tenths in activities:
            MentoringActivity.objects.create(
                match=match,
                mentor=mentor,
                kind="visit",
                date=today() - dt.timedelta(days=activity_days_ago),
                hours=Decimal(tenths) / 10,
                created_by=user,
            )
    for counted, days_ago in spec["completions"]:
        app = f.ApplicationFactory(
            call=f.CallFactory(program_type=ProgramType.WINWIN_TYPE1, fiscal_year=2024, rules=False)
        )
        completed = today() - dt.timedelta(days=days_ago)
        Factory.objects.create(
            workplace=app.workplace,
            company=app.company,
            region=app.region,
            ksic=app.workplace.ksic,
            origin=FactoryOrigin.SUPPORTED,
            application=app,
            call=app.call,
            program_type=app.call.program_type,
            partner=consortium.partner,
            support_year=min(2024, completed.year),
            completed_on=completed,
            completion_year=completed.year,
            level=f.level("L3"),
            counted=counted,
            created_by=user,
        )


# --- the independent recomputation ----------------------------------------------------------------


def expected(as_of: dt.date) -> dict[str, list[tuple[dict[str, Any], Any]]]:
    end = day_end(as_of)
    out: dict[str, list[tuple[dict[str, Any], Any]]] = {
        "partner_pledged_krw": [],
        "partner_committed_krw": [],
        "mentees": [],
        "partner_cofunded_completions": [],
        "mentoring_hours": [],
    }
    for w in WinWinAgreement.objects.values(
        "consortium__partner_id", "fiscal_year", "status", "signed_on", "pledged_krw", "committed_krw"
    ):
        if w["status"] != "draft" and w["signed_on"] <= as_of:
            dims = {"partner": w["consortium__partner_id"], "year": w["fiscal_year"]}
            out["partner_pledged_krw"].append((dims, w["pledged_krw"]))
            out["partner_committed_krw"].append((dims, w["committed_krw"]))
    changes: dict[int, list[dict[str, Any]]] = {}
    for h in MatchStatusChange.objects.order_by("at", "id").values(
        "match_id", "from_status", "to_status", "at"
    ):
        changes.setdefault(h["match_id"], []).append(h)
    for m in Match.objects.values(
        "id", "status", "created_at", "agreement__fiscal_year", "agreement__consortium__partner_id"
    ):
        if m["created_at"] >= end:
            continue
        rows = changes.get(m["id"], [])
        before = [h for h in rows if h["at"] < end]
        if before:
            status = before[-1]["to_status"]
        elif rows:
            status = rows[0]["from_status"]
        else:
            status = m["status"]
        if status in LIVE_MATCH_STATES:
            dims = {
                "partner": m["agreement__consortium__partner_id"],
                "year": m["agreement__fiscal_year"],
                "stage": status,
            }
            out["mentees"].append((dims, 1))
    for a in MentoringActivity.objects.values(
        "date", "hours", "match__agreement__fiscal_year", "match__agreement__consortium__partner_id"
    ):
        if a["date"] <= as_of:
            dims = {
                "partner": a["match__agreement__consortium__partner_id"],
                "year": a["match__agreement__fiscal_year"],
            }
            out["mentoring_hours"].append((dims, a["hours"]))
    for fa in Factory.objects.values("partner_id", "completion_year", "completed_on", "counted", "origin"):
        if fa["counted"] and fa["origin"] == "supported" and fa["partner_id"] and fa["completed_on"] <= as_of:
            out["partner_cofunded_completions"].append(
                ({"partner": fa["partner_id"], "year": fa["completion_year"]}, 1)
            )
    return out


@pytest.fixture
def setting():
    return [f.OrganisationFactory(kind="partner"), f.OrganisationFactory(kind="partner")], f.UserFactory()


@SETTINGS
@given(agreements=st.lists(agreement, min_size=1, max_size=3), days_back=st.sampled_from([0, 60, 250]))
def test_partner_metrics_equal_a_direct_recomputation(setting, agreements, days_back):
    partners, user = setting
    for spec in agreements:
        build(spec, partners, user)  # each agreement in a consortium of its own
    as_of = today() - dt.timedelta(days=days_back)
    for code, rows in expected(as_of).items():
        assert_sum_metric(code, as_of, rows)


def test_partner_metrics_in_the_snapshot(setting):
    from kpi.snapshots import snapshot_refresh

    partners, user = setting
    build(
        {
            "partner": 0,
            "year": 2025,
            "draft": False,
            "signed_days_ago": 30,
            "committed": 3,
            "matches": [(2, 100, [(5, 15)]), (3, 50, []), (1, 10, [(400, 10)])],
            "completions": [(True, 10), (False, 5)],
        },
        partners,
        user,
    )
    snapshot = snapshot_refresh()
    for code, rows in expected(today()).items():
        assert rows, code
        assert_snapshot_matches(snapshot, code, rows)
