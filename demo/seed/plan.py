"""Turn a seed into plain records: companies, workplaces, suppliers, calls and applications with their
whole history. Nothing here touches the database, so the same seed and the same day give the same plan.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from demo.seed import data
from demo.seed.calls import call_titles, rubric_for, rules_for
from demo.seed.factories import FactoryGenerator
from demo.seed.lifecycle import (
    ALL_EXCLUSIONS,
    DUPLICATE_NOTE,
    OVERRIDE_REASONS,
    TERMINATE_NOTES,
    WAITLIST_NOTE,
    WITHDRAW_NOTE,
    LifecycleGenerator,
)
from demo.seed.money import MoneyGenerator
from demo.seed.money_records import GOV
from demo.seed.partnerships import PartnershipGenerator
from demo.seed.records import (
    DAY,
    HOUR,
    OPEN_YEAR,
    SUPPORTED,
    P,
    PApp,
    PCall,
    PFlag,
    Picker,
    Plan,
    S,
    Scale,
    kst_time,
    rand_between,
)
from demo.seed.registry import RegistryGenerator
from demo.seed.training import plan_training


class Generator(
    RegistryGenerator, LifecycleGenerator, PartnershipGenerator, MoneyGenerator, FactoryGenerator
):
    """Builds a whole plan: registry, partnerships, calls, applications, then the finishing passes (the
    money of the projects with an agreement among them, the factories the completed ones became, the
    workforce trained)."""

    def call_schedule(self) -> None:
        rng = self.rng
        open_opens = kst_time(self.today - dt.timedelta(days=20), 9)
        open_closes = kst_time(self.today + dt.timedelta(days=40), 18)
        specs: list[tuple[int, str, int, int]] = []  # year, program, round, rounds that year
        for program, years in self.scale.rounds.items():
            for year, rounds in years.items():
                for rnd in range(1, rounds + 1):
                    specs.append((year, program, rnd, rounds))
        for year, program, rnd, rounds in sorted(specs, key=lambda s: (s[0], s[2], s[1])):
            is_open = year == OPEN_YEAR and rnd == rounds
            closed_rounds = rounds - 1 if year == OPEN_YEAR else rounds
            # The partner tracks' leads take turns; the last round of the open year (the call open now) is
            # Samsung's, the demo partner login's.
            turn = rounds - rnd + (0 if year == OPEN_YEAR else year)
            lead = data.PARTNER_TRACK_LEADS[turn % len(data.PARTNER_TRACK_LEADS)]
            lead = lead if program == P.PARTNER_TRACK else ""
            if is_open:
                opens, closes = open_opens, open_closes
                decision = closes + 35 * DAY
            else:
                step = 300 // max(closed_rounds, 1)
                offset: dict[str, int] = {
                    P.GOVERNMENT_ONLY: 0,
                    P.WINWIN_TYPE1: 6,
                    P.WINWIN_TYPE2: 10,
                    P.PARTNER_TRACK: 14,
                }
                first = dt.date(year, 1, 13) + dt.timedelta(days=(rnd - 1) * step + offset[program])
                opens = kst_time(first, 9)
                closes = kst_time(first + dt.timedelta(days=rng.randint(28, 42)), 18)
                decision = kst_time((closes + dt.timedelta(days=rng.randint(33, 40))).date(), 14)
                if closes >= self.cutoff - DAY:
                    continue  # a "past" call that has not closed yet on this date: leave it out
            title_ko, title_en, description = call_titles(program, year, rnd, lead, is_open)
            self.calls.append(
                PCall(
                    idx=len(self.calls),
                    fiscal_year=year,
                    round=rnd,
                    program_type=program,
                    title_ko=title_ko,
                    title_en=title_en,
                    description=description,
                    opens_at=opens,
                    closes_at=closes,
                    decision_at=decision,
                    is_open=is_open,
                    rules=rules_for(program, year),
                    rubric=rubric_for(program, year),
                    eligible_size_codes=["micro", "small"] if program == P.WINWIN_TYPE2 else [],
                    excluded_conditions=list(ALL_EXCLUSIONS),
                    lead_partner=lead,
                )
            )

    def call_sizes(self) -> list[int]:
        """Applications per call: the year's volume shared by its program types and rounds."""
        weights = []
        for call in self.calls:
            year_programs = {c.program_type for c in self.calls if c.fiscal_year == call.fiscal_year}
            program_share = data.PROGRAM_WEIGHTS[call.program_type] / sum(
                data.PROGRAM_WEIGHTS[p] for p in year_programs
            )
            rounds = sum(
                1
                for c in self.calls
                if c.fiscal_year == call.fiscal_year and c.program_type == call.program_type
            )
            boost = self.scale.recent_boost.get(call.fiscal_year, 1.0)
            weights.append(data.YEAR_WEIGHTS[call.fiscal_year] * boost * program_share / rounds)
        total = sum(weights)
        sizes = [max(2, round(self.scale.applications * w / total)) for w in weights]
        for call in self.calls:
            if call.is_open:
                sizes[call.idx] = max(sizes[call.idx], self.scale.open_call_minimum[call.program_type])
        return sizes

    # Applications ------------------------------------------------------------------------------------------

    def cut_at_cutoff(self) -> None:
        """Keep only what happened before today; evaluation not yet reached leaves no scores."""
        for app in self.apps:
            if app.path and app.path[-1][3] >= self.cutoff:
                app.path = [s for s in app.path if s[3] < self.cutoff]
            if app.assignments:
                app.assignments = [a for a in app.assignments if a.assigned_at < self.cutoff]
            if app.at_of("pass_screening") is None:
                app.assignments = []
                app.score = None

    def ensure_every_status(self) -> None:
        """Small plans can miss a rare state by chance; reshape one fitting application per missing state
        (latest call first) so the demo shows the whole workflow."""
        present = {a.status for a in self.apps}
        calls = self.calls

        def latest(candidates: list[PApp]) -> PApp | None:
            if not candidates:
                return None
            return max(candidates, key=lambda a: (calls[a.call].closes_at, -a.idx))

        def index_of(app: PApp, to_status: str) -> int | None:
            for i, step in enumerate(app.path):
                if step[2] == to_status:
                    return i
            return None

        closed_apps = [a for a in self.apps if not calls[a.call].is_open]
        for status in S.values:
            if status in present:
                continue
            if status in (S.DRAFT, S.SUBMITTED, S.SCREENING, S.EVALUATION):
                continue  # the open calls hold these by quota
            if status == S.WAITLISTED:
                app = latest(
                    [
                        a
                        for a in closed_apps
                        if a.path and a.path[-1][0] == "reject" and a.path[-1][1] == S.EVALUATION
                    ]
                )
                if app is not None:
                    *_unused, at, actor, _note = app.path.pop()
                    self.add_step(app, "waitlist", at, actor, WAITLIST_NOTE)
            elif status == S.TERMINATED:
                app = latest([a for a in closed_apps if index_of(a, S.BUILDING) is not None])
                if app is not None:
                    i = index_of(app, S.BUILDING)
                    assert i is not None  # noqa: S101
                    nxt = app.path[i + 1][3] if i + 1 < len(app.path) else self.cutoff
                    app.path = app.path[: i + 1]
                    self.add_step(
                        app,
                        "terminate",
                        rand_between(self.rng, app.path[-1][3] + HOUR, nxt),
                        self.official(),
                        TERMINATE_NOTES[0],
                    )
            elif status == S.WITHDRAWN:
                app = latest([a for a in closed_apps if len(a.path) > 1 and a.path[0][0] == "submit"])
                if app is not None:
                    nxt = app.path[1][3]
                    app.path = app.path[:1]
                    app.assignments = []
                    app.score = None
                    self.add_step(
                        app,
                        "withdraw",
                        rand_between(self.rng, app.path[0][3] + HOUR, nxt),
                        self.sme_actor(app),
                        WITHDRAW_NOTE,
                    )
            elif status == S.CLOSED:
                app = min(
                    (a for a in closed_apps if a.status == S.FOLLOW_UP),
                    key=lambda a: (calls[a.call].closes_at, a.idx),
                    default=None,
                )
                if app is not None:
                    at = rand_between(self.rng, app.path[-1][3] + DAY, self.cutoff - HOUR)
                    self.add_step(app, "close", at, self.officer(app.region))
            else:
                app = latest(
                    [a for a in closed_apps if (i := index_of(a, status)) is not None and i + 1 < len(a.path)]
                )
                if app is not None:
                    i = index_of(app, status)
                    assert i is not None  # noqa: S101
                    app.path = app.path[: i + 1]
            present = {a.status for a in self.apps}

    def duplicate_flags(self) -> None:
        """Flag earlier supported projects of the same company at the same target level within the call's
        exclusion period, as `application_submit` does; flags of applications that went on past screening
        were overridden by an official."""
        rng = self.rng
        supported: dict[int, list[PApp]] = defaultdict(list)
        for app in self.apps:
            if app.status in SUPPORTED:
                supported[app.company].append(app)
        for app in self.apps:
            submitted = app.submitted_at
            if submitted is None or app.company not in supported:
                continue
            call = self.calls[app.call]
            for earlier in supported[app.company]:
                if earlier.idx == app.idx or earlier.target_level != app.target_level:
                    continue
                earlier_year = self.calls[earlier.call].fiscal_year
                selected = earlier.at_of("select")
                window = call.prior_support_exclusion_years
                if not (call.fiscal_year - window < earlier_year <= call.fiscal_year) or selected is None:
                    continue
                if selected >= submitted:
                    continue
                basis = "workplace" if earlier.workplace == app.workplace else "company"
                flag = PFlag(earlier.idx, basis, submitted)
                passed = app.at_of("pass_screening")
                if passed is not None:
                    flag.overridden_by = self.official()
                    flag.overridden_at = rand_between(
                        rng, passed - 6 * HOUR, passed - dt.timedelta(minutes=10)
                    )
                    flag.overridden_at = max(flag.overridden_at, submitted + dt.timedelta(minutes=1))
                    flag.override_reason = rng.choice(OVERRIDE_REASONS)
                elif app.path[-1][0] == "fail_screening":
                    action, source, to, at, actor, _note = app.path[-1]
                    app.path[-1] = (action, source, to, at, actor, DUPLICATE_NOTE)
                app.flags.append(flag)

    def call_totals(self) -> None:
        """Committed money and selections from the supported applications; the budget and target count
        are set above what the call would commit once every pending decision is made.

        A selected application commits its government amount, an agreement its agreed government amount
        until it is settled or terminated, and then what was paid (as `applications.agreements` keeps it)."""
        rng = self.rng
        projects = {p.app: p for p in self.projects}
        for call in self.calls:
            apps = [self.apps[i] for i in call.apps]
            supported = [a for a in apps if a.status in SUPPORTED]
            call.committed_krw = sum(a.gov for a in apps if a.status == S.SELECTED) + sum(
                projects[a.idx].committed(a.status, GOV) for a in apps if a.idx in projects
            )
            call.selected_count = len(supported)
            if call.is_open:
                pending = [a for a in apps if a.status != S.DRAFT]
                planned_gov = int(sum(a.gov for a in pending) * 0.7) + 400_000_000
                planned_n = max(8, round(len(pending) * 0.6))
            else:
                pending = [
                    a for a in apps if a.status in (S.SUBMITTED, S.SCREENING, S.EVALUATION, S.WAITLISTED)
                ]
                share = self.scale.selection_rate
                planned_gov = call.committed_krw + int(sum(a.gov for a in pending) * share)
                planned_n = call.selected_count + round(len(pending) * share)
            use = rng.uniform(0.86, 0.98)
            call.budget_krw = max(100_000_000, -(-int(planned_gov / use) // 100_000_000) * 100_000_000)
            call.target_count = max(2, planned_n + max(1, round(planned_n * rng.uniform(0.02, 0.12))))

    def stamp_registry(self) -> None:
        """Registration times: each company and workplace registered shortly before its first application."""
        rng = self.rng
        first: dict[int, dt.datetime] = {}
        for app in self.apps:
            if app.workplace not in first or app.created_at < first[app.workplace]:
                first[app.workplace] = app.created_at
        start = kst_time(dt.date(2014, 1, 2), 9)
        for company in self.companies:
            earliest = min((first[w] for w in company.workplaces if w in first), default=None)
            floor = max(start, kst_time(company.founded_on, 9) + DAY)
            if earliest is None:
                company.created_at = rand_between(rng, floor, self.cutoff - DAY)
            else:
                lower = max(floor, earliest - 60 * DAY)
                if lower >= earliest - HOUR:
                    lower = earliest - 2 * HOUR
                company.created_at = rand_between(rng, lower, earliest - HOUR)
            for w in company.workplaces:
                workplace = self.workplaces[w]
                ceiling = first.get(w, self.cutoff - HOUR)
                workplace.created_at = rand_between(
                    rng, company.created_at + dt.timedelta(minutes=10), ceiling
                )
                workplace.created_at = min(workplace.created_at, ceiling - dt.timedelta(minutes=1))
                workplace.created_at = max(workplace.created_at, company.created_at)
        for supplier in self.suppliers:
            supplier.created_at = rand_between(rng, start, kst_time(dt.date(2020, 12, 31), 18))

    def build(self) -> Plan:
        self.registry()
        self.supplier_registry()
        self.supplier_picker = Picker(list(range(len(self.suppliers))), [s.weight for s in self.suppliers])
        self.people()
        self.partnership_registry()
        self.call_schedule()
        sizes = self.call_sizes()
        fixed = self.fixed_apps()
        for call in sorted(self.calls, key=lambda c: (c.opens_at, c.idx)):
            if call.is_open:
                self.open_call(call, sizes[call.idx])
            else:
                self.closed_call(call, sizes[call.idx], fixed.get(call.idx, []))
        self.cut_at_cutoff()
        self.ensure_every_status()
        self.duplicate_flags()
        self.money()
        self.call_totals()
        self.stamp_registry()
        self.partnerships()
        deployment = self.deployments()
        return Plan(
            scale=self.scale,
            seed=self.seed,
            today=self.today,
            cutoff=self.cutoff,
            companies=self.companies,
            workplaces=self.workplaces,
            suppliers=self.suppliers,
            calls=self.calls,
            apps=self.apps,
            staff=self.staff,
            officials=self.officials,
            officers_by_region=dict(self.officers_by_region),
            evaluators=self.evaluators,
            demo_apps=self.demo_apps,
            institutions=self.institutions,
            partners=self.partners,
            partner_users=self.partner_users,
            institution_users=self.institution_users,
            consortia=self.consortia,
            agreements=self.agreements,
            matches=self.matches,
            mentors=self.mentors,
            ties=self.ties,
            finance=self.finance,
            projects=self.projects,
            deployment=deployment,
            training=plan_training(self.scale, self.seed, self.today),
        )


def build_plan(scale: Scale, seed: int, today: dt.date) -> Plan:
    return Generator(scale, seed, today).build()
