"""Schemathesis against the whole API: every operation, as every persona (tests/fuzz/conftest.py).

Per response: no 5xx, a documented status code, content type and headers, and a body that matches the
documented schema. Anonymous callers must get 401 everywhere except `ANONYMOUS_ALLOWED`.

The operations come from the served schema, so new APIs are fuzzed as soon as they are routed. They
are split over `FUZZ_SHARDS` tests (one seeded world each, spread over the xdist workers); every
persona runs every operation of its shard, in turn, against the same world. A persona that gets only
401/403 for its first `PROBE` cases is denied that operation and moves on (the role check comes before
any input handling); the others get `FUZZ_EXAMPLES` positive and a quarter as many negative cases.

A failing test lists every failing operation and persona with one example and a curl command (it does
not stop at the first). Cases are seeded, so CI is reproducible; FUZZ_SEED=<n> explores other cases,
FUZZ_EXAMPLES=<n> more of them, FUZZ_ONLY=<regex on "METHOD /path"> narrows the run while fixing, and
FUZZ_REPORT=<file> writes the statuses seen per operation and persona (JSON lines).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from django.apps import apps
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz.conftest import PERSONAS, FuzzWorld

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
NEGATIVE_EXAMPLES = max(1, EXAMPLES // 4)
PROBE = 3
ANONYMOUS_EXAMPLES = 2
SHARDS = int(os.environ.get("FUZZ_SHARDS", "2"))
SEED = int(os.environ.get("FUZZ_SEED", "20261121"))
ONLY = re.compile(os.environ.get("FUZZ_ONLY", ""))
DENIED = {401, 403}

# Operations an anonymous caller may reach, as "METHOD /path": none; sign-in is outside the API.
ANONYMOUS_ALLOWED: set[str] = set()

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# Path and JSON body parameters with these names take an existing id three times out of four, so the
# cases reach real objects (the persona's own and foreign ones) instead of only 404. Models not
# installed (yet) are skipped; a name with several models samples all of them.
ID_SOURCES: dict[str, tuple[str, ...]] = {
    "agreement_id": ("applications.ProjectAgreement", "partners.WinWinAgreement"),
    "application_id": ("applications.Application",),
    "assignment_id": ("applications.EvaluatorAssignment",),
    "call_id": ("programs.Call",),
    "change_id": ("applications.ChangeRequest",),
    "cohort_id": ("training.TrainingCohort",),
    "company_id": ("companies.Company",),
    "complex_id": ("factories.IndustrialComplex",),
    "consortium_id": ("partners.Consortium",),
    "course_id": ("training.TrainingCourse",),
    "entry_id": ("funding.LedgerEntry",),
    "factory_id": ("factories.Factory",),
    "flag_id": ("applications.DuplicateFlag",),
    "job_id": ("exports.ExportJob", "exports.ImportJob", "exports.Job"),
    "match_id": ("partners.Match",),
    "mentee_id": ("companies.Workplace",),
    "mentor_id": ("partners.Mentor",),
    "provider_id": ("training.TrainingProvider",),
    "report_id": ("factories.OutcomeReport",),
    "request_id": ("funding.DisbursementRequest",),
    "snapshot_id": ("kpi.Snapshot",),
    "supplier_id": ("companies.Supplier",),
    "tie_id": ("partners.SupplyChainTie",),
    "workplace_id": ("companies.Workplace",),
}
# Other known values: KPI metric codes.
VALUE_SOURCES = {"code": ("kpi.Value", "metric")}

Check = Callable[[Any, Any], "str | None"]


def _ids(models: tuple[str, ...]) -> list[int]:
    found: list[int] = []
    for label in models:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        found += list(model.objects.order_by("pk").values_list("pk", flat=True)[:200:5])
    return found


def known_values() -> dict[str, list[Any]]:
    known: dict[str, list[Any]] = {name: _ids(models) for name, models in ID_SOURCES.items()}
    for name, (label, field) in VALUE_SOURCES.items():
        known[name] = sorted(set(apps.get_model(label).objects.values_list(field, flat=True)[:500]))
    return {name: values for name, values in known.items() if values}


def _use_known(data: st.DataObject, values: dict[str, Any], known: dict[str, list[Any]]) -> None:
    for name in list(values):
        if name in known and data.draw(st.integers(0, 3), label=f"known {name}") > 0:
            values[name] = data.draw(st.sampled_from(known[name]), label=name)


class Run:
    """The cases of one operation for one persona: statuses seen and one example per failure."""

    def __init__(self, operation: Any, persona: str, headers: dict[str, str], known: dict[str, list[Any]]):
        self.operation = operation
        self.persona = persona
        self.headers = headers
        self.known = known
        self.statuses: Counter[int] = Counter()
        self.failures: dict[str, str] = {}

    def cases(self, examples: int, mode: GenerationMode, check: Check, stage: int) -> None:
        strategy = self.operation.as_strategy(generation_mode=mode)

        @seed(SEED + stage)
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def run(data: st.DataObject) -> None:
            case = data.draw(strategy, label="case")
            if case.path_parameters:
                _use_known(data, case.path_parameters, self.known)
            if isinstance(case.body, dict):
                _use_known(data, case.body, self.known)
            response = case.call(headers=self.headers)
            self.statuses[response.status_code] += 1
            problem = check(case, response)
            if problem:
                self.failures.setdefault(problem.splitlines()[0], problem)

        try:
            run()
        except Unsatisfiable:
            # Nothing to negate (no parameters, no body): the positive cases cover the operation.
            assert mode == GenerationMode.NEGATIVE, f"{self.operation.label}: no case can be generated"

    def conformance(self, case: Any, response: Any) -> str | None:
        try:
            case.validate_response(response, checks=CHECKS, headers=self.headers)
        except (AssertionError, FailureGroup) as exc:
            body = response.text[:300]
            return (
                f"{self.operation.label} as {self.persona}: HTTP {response.status_code}\n"
                f"  {str(exc).strip()[:800]}\n  body: {body}\n  repro: {case.as_curl_command()}"
            )
        return None

    def requires_sign_in(self, case: Any, response: Any) -> str | None:
        if response.status_code == 401:
            return None
        return (
            f"{self.operation.label} as anonymous: HTTP {response.status_code} instead of 401\n"
            f"  repro: {case.as_curl_command()}"
        )


def fuzz(operation: Any, persona: str, world: FuzzWorld, known: dict[str, list[Any]]) -> Run:
    run = Run(operation, persona, world.headers(persona), known)
    if persona == "anonymous" and f"{operation.method.upper()} {operation.path}" not in ANONYMOUS_ALLOWED:
        run.cases(ANONYMOUS_EXAMPLES, GenerationMode.POSITIVE, run.requires_sign_in, stage=0)
        return run
    run.cases(PROBE, GenerationMode.POSITIVE, run.conformance, stage=1)
    if set(run.statuses) <= DENIED:
        return run
    run.cases(EXAMPLES - PROBE, GenerationMode.POSITIVE, run.conformance, stage=2)
    run.cases(NEGATIVE_EXAMPLES, GenerationMode.NEGATIVE, run.conformance, stage=3)
    return run


@pytest.fixture
def api_schema(fuzz_world):
    """Loaded the way a client sees it: the served schema, which needs a signed-in caller."""
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", fuzz_world.app, headers=fuzz_world.headers("official")
    )


@pytest.mark.parametrize("shard", range(SHARDS))
def test_api_fuzz(shard, fuzz_world, api_schema, record_property):
    started = time.monotonic()
    known = known_values()
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 100, "the schema lost its operations"
    mine = [op for op in operations[shard::SHARDS] if ONLY.search(f"{op.method.upper()} {op.path}")]
    failures: list[str] = []
    report = []
    for operation in mine:
        for persona in PERSONAS:
            op_started = time.monotonic()
            run = fuzz(operation, persona, fuzz_world, known)
            failures += run.failures.values()
            report.append(
                {
                    "operation": operation.label,
                    "persona": persona,
                    "statuses": dict(run.statuses),
                    "seconds": round(time.monotonic() - op_started, 2),
                }
            )
    if os.environ.get("FUZZ_REPORT"):
        with open(os.environ["FUZZ_REPORT"], "a", encoding="utf-8") as out:
            out.writelines(json.dumps(line, ensure_ascii=False) + "\n" for line in report)
    record_property("fuzz_seconds", round(time.monotonic() - started, 1))
    record_property("operations", len(mine))
    assert failures == [], f"{len(failures)} failure(s) in shard {shard}:\n\n" + "\n\n".join(failures)
