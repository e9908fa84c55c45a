"""Applications: who applies to which call, with what split, and the path each one takes.

Every application is generated as a path of workflow steps with times (the same actions and states as
`applications.workflow.TRANSITIONS`), cut at the start of today; its status, submission and decision
times are read off that path, so the status and the history rows can never disagree. Amounts are drawn
inside the call's funding rule and checked with `programs.rules.check_split`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from demo.seed import data
from demo.seed.records import (
    ACTIVE,
    DAY,
    HOUR,
    LEVEL_RANK,
    P,
    PApp,
    PAssignment,
    PCall,
    PCompany,
    Picker,
    PRule,
    PWorkplace,
    S,
    mean_score,
    quotas,
    rand_between,
    rand_days,
    round2,
    weighted_total,
)
from demo.seed.state import GeneratorState
from programs.rules import FundingSplit, check_split

ALL_EXCLUSIONS = ["closed_or_suspended", "financial_delinquency", "insolvency", "tax_arrears"]
TOTAL_RANGES = {"basic": (40, 160), "advanced1": (150, 480), "advanced2": (400, 1000)}  # million won
FAIL_NOTES = [
    "제출 서류 미비 (Required documents missing)",
    "사업계획서 요건 미충족 (The business plan does not meet the call's requirements)",
    "공급기업 견적 근거 불충분 (The supplier's quotation is not substantiated)",
]
EXCLUSION_NOTES = {
    "has_tax_arrears": "신청 제외 대상: 국세·지방세 체납 (Excluded: tax arrears)",
    "in_insolvency": "신청 제외 대상: 회생절차 진행 (Excluded: rehabilitation proceedings)",
    "has_financial_delinquency": "신청 제외 대상: 금융 연체 (Excluded: financial delinquency)",
}
DUPLICATE_NOTE = (
    "중복지원 제한: 3년 이내 동일 수준 지원 이력 (Earlier support at the same level within 3 years)"
)
OVERRIDE_REASONS = [
    "다른 사업장의 별도 생산라인으로 중복 아님 확인 (A separate line at another workplace: not a duplicate)",
    "이전 과제는 협약 해지로 실제 지원 없음 확인 (The earlier project received no money in the end)",
    "고도화 범위가 달라 중복 아님 (Different upgrade scope: not a duplicate)",
]
REJECT_BELOW = "선정평가 결과 기준 점수 미달 (Evaluation score below the pass mark)"
REJECT_RANK = "선정평가 순위 밖: 예산 범위 초과 (Ranked outside the budget)"
WAITLIST_NOTE = (
    "예비 선정: 선정 포기 발생 시 순위에 따라 선정 (Waitlisted: selected in rank order if a place frees up)"
)
WAITLIST_REJECT = "예비 선정 기간 종료로 미선정 (Not selected when the waitlist closed)"
WITHDRAW_NOTE = "신청기업 사정으로 신청 포기 (Withdrawn by the applicant)"
TERMINATE_NOTES = [
    "협약 해지: 도입기업의 사업 포기 (The company abandoned the project)",
    "협약 해지: 공급기업 부도 (The supplier went bankrupt)",
    "협약 해지: 도입기업 폐업 (The company closed down)",
]
CONFLICT_NOTE = "신청기업과 최근 3년 내 자문 계약 (Advisory contract with the applicant in the last 3 years)"
EVAL_COMMENTS = [
    "도입 목표와 성과지표가 구체적임 (Clear goals and indicators)",
    "공정 분석은 충실하나 데이터 활용 계획 보완 필요 (Good process analysis; data use plan needs work)",
    "투자 대비 효과가 명확함 (Clear return on investment)",
    "공급기업 역량 검증 필요 (Supplier capability should be checked)",
    "",
]
OPEN_SHARES: dict[str, float] = {
    S.DRAFT: 0.20,
    S.SUBMITTED: 0.22,
    S.SCREENING: 0.15,
    S.EVALUATION: 0.33,
    S.WITHDRAWN: 0.04,
    S.REJECTED: 0.06,
}


class LifecycleGenerator(GeneratorState):
    """Makes the applications of one call at a time, in the order the calls opened."""

    def choose_level(self, company: PCompany, call: PCall) -> str | None:
        """The target level a firm applies for: the next level up after its last supported project, and
        rarely a level it was supported at within the exclusion period (which the duplicate check flags).
        None when the firm would not apply to this call at all."""
        levels = call.levels_for(company.size)
        if not levels:
            return None
        rng = self.rng
        history = self.supported.get(company.idx, [])
        window = call.prior_support_exclusion_years
        recent = {h[0] for h in history if call.fiscal_year - window < h[2] <= call.fiscal_year}
        fresh = [lvl for lvl in levels if lvl not in recent]
        if recent and rng.random() < 0.04:
            return rng.choice(sorted(recent & set(levels), key=LEVEL_RANK.__getitem__) or levels)
        if not fresh:
            return None
        if history:
            best = max(LEVEL_RANK[h[0]] for h in history)
            higher = [lvl for lvl in fresh if LEVEL_RANK[lvl] > best]
            if higher and rng.random() < 0.85:
                return higher[0]
        weights = {"basic": 0.68, "advanced1": 0.26, "advanced2": 0.06}
        return Picker(fresh, [weights[lvl] for lvl in fresh]).pick(rng)

    def split(self, rule: PRule, level: str, region: str) -> tuple[int, int, int, int, int]:
        """(total, gov, partner, sme, local) inside the rule, in whole won rounded like real budgets."""
        rng = self.rng
        unit = 100_000
        lo, hi = TOTAL_RANGES[level]
        total = rng.randint(lo, hi) * 1_000_000
        if rule.total_cap_krw is not None:
            total = min(total, rng.randint(6, rule.total_cap_krw // 2_000_000) * 2_000_000)
        if rule.gov_min_bp is not None:
            total = min(total, rule.gov_cap_krw * 10_000 // rule.gov_min_bp // 2_000_000 * 2_000_000)
            gov = -(-total * rule.gov_min_bp // 10_000)
        else:
            gov_max = min(rule.gov_cap_krw, total * rule.gov_max_bp // 10_000)
            gov = gov_max if rng.random() < 0.7 else gov_max * rng.randint(80, 99) // 100
            gov = gov // unit * unit
        local = 0
        if rule.local_max_bp and region in data.LOCAL_TOP_UP_REGIONS and rng.random() < 0.7:
            local = total * rng.randint(500, rule.local_max_bp) // 10_000 // unit * unit
        rest = total - gov - local
        p_lo = -(-total * rule.partner_min_bp // 10_000) if rule.partner_min_bp is not None else 0
        p_hi = total * rule.partner_max_bp // 10_000 if rule.partner_max_bp is not None else rest
        if rule.combined_max_bp is not None:
            p_hi = min(p_hi, total * rule.combined_max_bp // 10_000 - gov)
        if rule.sme_max_bp is not None:
            p_lo = max(p_lo, rest - total * rule.sme_max_bp // 10_000)
        p_hi = min(p_hi, rest)
        if rule.combined_max_bp is not None:
            partner = p_lo + int((p_hi - p_lo) * rng.uniform(0.6, 1.0))
        elif rule.partner_min_bp is not None:
            partner = p_lo + int((p_hi - p_lo) * rng.uniform(0.0, 0.3))
        else:
            partner = p_lo
        rounded = partner // unit * unit
        if rounded < p_lo:
            rounded += unit
        if p_lo <= rounded <= p_hi:
            partner = rounded
        return total, gov, partner, rest - partner, local

    def new_app(self, call: PCall, workplace: PWorkplace, level: str, created: dt.datetime) -> PApp:
        rng = self.rng
        company = self.companies[workplace.company]
        app = PApp(
            idx=len(self.apps),
            call=call.idx,
            workplace=workplace.idx,
            company=company.idx,
            region=workplace.region,
            target_level=level,
            created_at=created,
            quality=min(99.0, max(35.0, rng.gauss(self.scale.quality_mean, 10))),
        )
        rule = call.rule_for(level, company.size)
        assert rule is not None  # noqa: S101 - choose_level only offers levels with a rule
        app.total, app.gov, app.partner, app.sme, app.local = self.split(rule, level, workplace.region)
        if app.idx % self.check_every == 0:
            # The generator keeps inside the rule by construction; the real check confirms it (on every
            # application at small scale, on a sample at national scale where it would cost seconds).
            model = self.rule_models.get(rule)
            if model is None:
                model = self.rule_models[rule] = rule.as_model()
            split = FundingSplit(app.total, app.gov, app.partner, app.sme, app.local)
            failures = check_split(model, split)
            if failures:
                raise AssertionError(f"generated split breaks {call.title_ko} {level}: {failures[0].code}")
        if self.cofunding_key(call) is not None:
            app.agreement = self.reserve_agreement(call, workplace)
        app.supplier = self.supplier_picker.pick(rng)
        current = {"basic": ("L1", "L2"), "advanced1": ("L2", "L3"), "advanced2": ("L3", "L4")}[level]
        app.current_level = current[0] if rng.random() < 0.6 else current[1]
        process = data.PROCESS_BY_KSIC[workplace.ksic]
        app.title = rng.choice(data.PROJECT_TITLES[level]).format(process=process)
        app.summary = data.PROJECT_SUMMARIES[level].format(
            prod=rng.randint(10, 35), defect=rng.randint(15, 50)
        )
        start = (call.decision_at + dt.timedelta(days=rng.randint(25, 60))).date()
        app.planned_start = start
        app.planned_end = start + dt.timedelta(days=rng.randint(150, 240))
        self.apps.append(app)
        call.apps.append(app.idx)
        self.company_apps[company.idx].append(app.idx)
        return app

    def evaluate(self, app: PApp, call: PCall, start: dt.datetime, end: dt.datetime) -> None:
        """Scores for an application that passed screening at `start`, all given before `end`."""
        rng = self.rng
        if call.fiscal_year < self.scale.detail_from_year:
            app.score = round2(Decimal(str(min(99.0, max(20.0, rng.gauss(app.quality, 4))))))
            return
        pool = self.evaluators[1:] if call.is_open else self.evaluators
        chosen = rng.sample(pool, min(self.scale.evaluators_per_application, len(pool)))
        totals = []
        for evaluator in chosen:
            assigned = rand_between(rng, start + HOUR, start + (end - start) * 0.25)
            declared = rand_between(rng, assigned + HOUR, assigned + (end - assigned) * 0.4)
            assignment = PAssignment(evaluator, self.official(), assigned)
            app.assignments.append(assignment)
            if declared >= self.cutoff:
                continue
            assignment.declared_at = declared
            if rng.random() < 0.03:
                assignment.conflict_status = "conflict"
                assignment.conflict_note = CONFLICT_NOTE
                continue
            assignment.conflict_status = "no_conflict"
            spread = 1.3 if call.is_open else 0.95
            submitted = rand_between(rng, declared + HOUR, declared + (end - declared) * spread)
            if submitted >= min(end, self.cutoff):
                continue
            bias = rng.gauss(0, 4)
            scores = []
            for _code, _ko, _en, _weight, top in call.rubric:
                raw = (app.quality + bias) / 100 * top + rng.gauss(0, 0.6)
                half_points = round(min(float(top), max(0.0, raw)) * 2)
                scores.append(Decimal(half_points) / 2)
            assignment.scores = scores
            assignment.total_score = weighted_total(scores, call.rubric)
            assignment.submitted_at = submitted
            assignment.comment = rng.choice(EVAL_COMMENTS)
            totals.append(assignment.total_score)
        app.score = mean_score(totals)

    def excluded_note(self, company: PCompany, call: PCall) -> str:
        if call.fiscal_year < 2025:
            return ""
        for flag, note in EXCLUSION_NOTES.items():
            if getattr(company, flag):
                return note
        return ""

    def pre_decision(self, app: PApp, call: PCall, forced: str = "") -> bool:
        """Draft → submitted → screening → evaluation for an application to a closed call. Returns
        whether it reached evaluation (and can be ranked)."""
        rng = self.rng
        sc = self.scale
        company = self.companies[app.company]
        closes = call.closes_at
        if not forced and rng.random() < sc.abandoned_draft_rate:
            return False  # an abandoned draft
        submit = rand_between(
            rng, app.created_at + dt.timedelta(minutes=10), min(app.created_at + 10 * DAY, closes)
        )
        app.size = company.size
        self.add_step(app, "submit", submit, self.sme_actor(app))
        screen = rand_between(rng, closes + DAY, closes + 8 * DAY)
        verdict = rand_between(rng, screen + DAY, closes + 20 * DAY)
        if not forced and rng.random() < sc.withdraw_rate:
            if rng.random() < 0.5:
                self.add_step(
                    app,
                    "withdraw",
                    rand_between(rng, submit + HOUR, screen),
                    self.sme_actor(app),
                    WITHDRAW_NOTE,
                )
                return False
            self.add_step(app, "start_screening", screen, self.screener(app))
            self.add_step(
                app, "withdraw", rand_between(rng, screen + HOUR, verdict), self.sme_actor(app), WITHDRAW_NOTE
            )
            return False
        self.add_step(app, "start_screening", screen, self.screener(app))
        note = self.excluded_note(company, call)
        if not forced and (note or rng.random() < sc.fail_screening_rate):
            self.add_step(app, "fail_screening", verdict, self.screener(app), note or rng.choice(FAIL_NOTES))
            return False
        self.add_step(app, "pass_screening", verdict, self.screener(app))
        self.evaluate(app, call, verdict, call.decision_at - 2 * HOUR)
        return app.score is not None

    def post_selection(self, app: PApp, selected: dt.datetime, *, may_terminate: bool = True) -> None:
        rng = self.rng
        agreed = selected + rand_days(rng, 14, 45)
        build = agreed + rand_days(rng, 3, 20)
        interim = build + rand_days(rng, 60, 110) if rng.random() < 0.75 else None
        final = build + rand_days(rng, 150, 210)
        complete = final + rand_days(rng, 7, 25)
        settle = complete + rand_days(rng, 25, 70)
        follow = settle + rand_days(rng, 1, 10)
        close = follow + rand_days(rng, 700, 1100)
        plan: list[tuple[str, dt.datetime, int]] = [
            ("agree", agreed, self.officer(app.region)),
            ("start_build", build, self.officer(app.region)),
        ]
        if interim is not None:
            plan.append(("start_interim_check", interim, self.officer(app.region)))
        plan += [
            ("start_final_inspection", final, self.officer(app.region)),
            ("complete", complete, self.officer(app.region)),
            ("settle", settle, self.official()),
            ("start_follow_up", follow, self.officer(app.region)),
            ("close", close, self.officer(app.region)),
        ]
        terminate_at = rand_between(rng, agreed + DAY, final - DAY) if rng.random() < 0.025 else None
        if not may_terminate:
            terminate_at = None
        for action, at, actor in plan:
            if terminate_at is not None and at > terminate_at:
                self.add_step(app, "terminate", terminate_at, self.official(), rng.choice(TERMINATE_NOTES))
                return
            self.add_step(app, action, at, actor)

    def decide(self, call: PCall, ranked: list[PApp], forced: dict[int, str]) -> None:
        """Select the best within the selection rate, waitlist a few, reject the rest."""
        rng = self.rng
        n_select = round(len(ranked) * self.scale.selection_rate)
        n_wait = max(1, round(len(ranked) * 0.05))
        chosen = 0
        waiting = 0
        for app in ranked:
            decided = rand_between(rng, call.decision_at, call.decision_at + 3 * HOUR)
            outcome = forced.get(app.idx)
            if outcome is None:
                passes = app.score is not None and app.score >= call.pass_score
                if passes and chosen < n_select:
                    outcome = "select"
                elif passes and waiting < n_wait:
                    outcome = "waitlist"
                else:
                    outcome = "reject"
            if outcome == "select":
                chosen += 1
                self.add_step(app, "select", decided, self.official())
                self.selected_at(app, call, decided)
                self.post_selection(app, decided, may_terminate=app.idx not in forced)
            elif outcome == "waitlist":
                waiting += 1
                self.add_step(app, "waitlist", decided, self.official(), WAITLIST_NOTE)
                later = decided + rand_days(rng, 20, 40)
                if rng.random() < 0.4:
                    self.add_step(app, "select", later, self.official())
                    self.selected_at(app, call, later)
                    self.post_selection(app, later)
                else:
                    self.add_step(app, "reject", later, self.official(), WAITLIST_REJECT)
            else:
                below = app.score is None or app.score < call.pass_score
                self.add_step(app, "reject", decided, self.official(), REJECT_BELOW if below else REJECT_RANK)

    def selected_at(self, app: PApp, call: PCall, at: dt.datetime) -> None:
        self.supported[app.company].append((app.target_level, at, call.fiscal_year, app.idx))

    def closed_call(self, call: PCall, n: int, fixed: list[tuple[PApp, str]]) -> None:
        rng = self.rng
        forced = {app.idx: outcome for app, outcome in fixed}
        ranked: list[PApp] = []
        for app, _outcome in fixed:
            if self.pre_decision(app, call, forced=forced[app.idx]):
                ranked.append(app)
        for workplace, level in self.applicants(
            call, n - len(fixed), exclude={a.workplace for a, _ in fixed}
        ):
            created = rand_between(rng, call.opens_at, call.closes_at - 2 * HOUR)
            app = self.new_app(call, workplace, level, created)
            if self.pre_decision(app, call):
                ranked.append(app)
        ranked.sort(key=lambda a: (-(a.score or 0), a.submitted_at or a.created_at, a.idx))
        self.decide(call, ranked, forced)

    def open_call(self, call: PCall, n: int) -> None:
        rng = self.rng
        chosen = list(self.applicants(call, n, exclude=set()))
        counts = quotas(len(chosen), OPEN_SHARES)
        targets = [status for status, count in counts.items() for _ in range(count)]
        rng.shuffle(targets)
        end = self.cutoff - HOUR
        for (workplace, level), target in zip(chosen, targets, strict=True):
            company = self.companies[workplace.company]
            created = rand_between(rng, call.opens_at, end - DAY)
            if (
                self.excluded_note(company, call)
                or self.active_projects(company.idx) >= call.max_concurrent_projects
            ):
                # Submission would be refused today (an exclusion condition, or too many projects under
                # way), so such a firm can only have a draft.
                target = S.DRAFT
            app = self.new_app(call, workplace, level, created)
            if target == S.DRAFT:
                if rng.random() < 0.5:  # still being written: nothing past the first step yet
                    app.supplier = None
                    app.total = app.gov = app.partner = app.sme = app.local = 0
                    app.summary = ""
                continue
            app.size = company.size
            submit = rand_between(rng, created + dt.timedelta(minutes=10), created + (end - created) * 0.3)
            self.add_step(app, "submit", submit, self.sme_actor(app))
            if target == S.SUBMITTED:
                continue
            if target == S.WITHDRAWN:
                self.add_step(
                    app, "withdraw", rand_between(rng, submit + HOUR, end), self.sme_actor(app), WITHDRAW_NOTE
                )
                continue
            screen = rand_between(rng, submit + HOUR, submit + (end - submit) * 0.4)
            self.add_step(app, "start_screening", screen, self.screener(app))
            if target == S.SCREENING:
                continue
            verdict = rand_between(rng, screen + HOUR, screen + (end - screen) * 0.5)
            if target == S.REJECTED:
                note = self.excluded_note(company, call) or rng.choice(FAIL_NOTES)
                self.add_step(app, "fail_screening", verdict, self.screener(app), note)
                continue
            self.add_step(app, "pass_screening", verdict, self.screener(app))
            self.evaluate(app, call, verdict, end)

    def active_projects(self, company: int) -> int:
        """Projects of a company under way at the start of today (they count against a call's maximum
        of concurrent projects at submission)."""
        count = 0
        for idx in self.company_apps.get(company, ()):
            status: str = S.DRAFT
            for step in self.apps[idx].path:
                if step[3] >= self.cutoff:
                    break
                status = step[2]
            if status in ACTIVE:
                count += 1
        return count

    def sample_workplaces(self, call: PCall, exclude: set[int]) -> Iterator[PWorkplace]:
        """Distinct workplaces of firms that existed, were in business and fit the call's size classes (and,
        for a win-win call, that a partner firm's agreement serves: see `reserve_agreement`), in random
        order (gives up after many misses, so a small registry cannot loop forever)."""
        rng = self.rng
        used = set(exclude)
        sizes = set(call.eligible_size_codes)
        winwin = self.cofunding_key(call) is not None
        misses = 0
        n = len(self.workplaces)
        while misses < 50 * n + 1000:
            workplace = self.workplaces[int(rng.random() * n)]
            company = self.companies[workplace.company]
            if (
                workplace.idx in used
                or company.demo
                or company.founded_on.year >= call.fiscal_year
                or (sizes and company.size not in sizes)
                or (company.business_status != "active" and call.fiscal_year >= 2025)
                or (winwin and self.reserve_agreement(call, workplace) is None)
            ):
                misses += 1
                continue
            used.add(workplace.idx)
            yield workplace

    def applicants(self, call: PCall, n: int, exclude: set[int]) -> Iterator[tuple[PWorkplace, str]]:
        """Up to n (workplace, target level) pairs for a call."""
        made = 0
        for workplace in self.sample_workplaces(call, exclude):
            if made >= n:
                return
            level = self.choose_level(self.companies[workplace.company], call)
            if level is not None:
                made += 1
                yield workplace, level

    def fixed_apps(self) -> dict[int, list[tuple[PApp, str]]]:
        """The demo SMEs' own history in closed calls: which call, workplace, level and outcome."""
        wanted = [
            ("sme_closed", 0, 0, P.GOVERNMENT_ONLY, 2021, "basic", "select"),
            ("sme_rejected", 0, 1, P.WINWIN_TYPE1, 2024, "basic", "reject"),
            ("sme2_follow_up", 1, 0, P.GOVERNMENT_ONLY, 2024, "advanced1", "select"),
        ]
        fixed: dict[int, list[tuple[PApp, str]]] = defaultdict(list)
        for key, company_idx, wp_pos, program, year, level, outcome in wanted:
            call = next(
                (
                    c
                    for c in self.calls
                    if c.fiscal_year == year and c.program_type == program and not c.is_open
                ),
                None,
            )
            if call is None:
                continue
            company = self.companies[company_idx]
            workplace = self.workplaces[company.workplaces[wp_pos]]
            created = rand_between(self.rng, call.opens_at, call.closes_at - 2 * DAY)
            app = self.new_app(call, workplace, level, created)
            app.quality = 88.0 if outcome == "select" else 58.0
            self.demo_apps[key] = app.idx
            fixed[call.idx].append((app, outcome))
        return fixed
