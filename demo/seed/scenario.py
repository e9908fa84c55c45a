"""The demo logins' own activity, through the application and partnership services, and the whole run.

Everything a demo login owns in the open calls is made by `applications.services` (drafts, the partner's
confirmation of its share, submission, screening, evaluator assignment and scoring, selection) and
`partners.services` (match proposals and answers, mentoring), then given planned times.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F

from applications import services as app_services
from applications.models import (
    AgreementFunding,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    ChangeRequest,
    DuplicateFlag,
    EvaluationScore,
    EvaluatorAssignment,
    ProjectAgreement,
)
from companies.models import Company, Supplier, Workplace
from core.models import (
    Membership,
    Organisation,
    User,
)
from demo.seed import bulk
from demo.seed.factories import DEPLOYMENT_TABLES, FactoryWriter
from demo.seed.history import HistoryWriter
from demo.seed.money_demo import MoneyDemo
from demo.seed.money_writer import LEDGER_TRIGGER_IN_BULK, MoneyWriter
from demo.seed.partnerships import DEMO_PARTNER, match_reasons
from demo.seed.records import KST, OPEN_YEAR
from demo.seed.text import progress
from demo.seed.training import TrainingWriter
from demo.seed.writer import NOTIFY_STATUSES
from factories.models import (
    ComplexWorkplace,
    Factory,
    HistoricalAggregate,
    IndustrialComplex,
    LevelConfirmation,
    OutcomeReport,
    OutcomeSchedule,
)
from funding.models import DisbursementRequest, LedgerEntry
from partners import services as partner_services
from partners.models import (
    ActivityKind,
    Consortium,
    Match,
    MatchStatusChange,
    Mentor,
    MentoringActivity,
    SupplyChainTie,
    WinWinAgreement,
)
from programs.models import Call
from programs.selectors import rubric_for
from training.models import TrainingCohort, TrainingCourse, TrainingProvider

# The tables loaded with COPY in bulk: their foreign keys are checked once, after the load.
BULK_TABLES = [
    Application,
    ApplicationStatusChange,
    EvaluatorAssignment,
    EvaluationScore,
    DuplicateFlag,
    Match,
    MatchStatusChange,
    Mentor,
    MentoringActivity,
    SupplyChainTie,
    ProjectAgreement,
    AgreementFunding,
    DisbursementRequest,
    LedgerEntry,
    ChangeRequest,
]
# The ledger's balance trigger, set aside during the bulk load with the audit triggers unless the load lets
# it run (money_writer.LEDGER_TRIGGER_IN_BULK).
LEDGER_BALANCE_TRIGGER = "funding.LedgerEntry:ledger_moves_balance"


class Seeder(HistoryWriter, MoneyWriter, MoneyDemo, FactoryWriter, TrainingWriter):
    """Writes a plan, then plays the demo users' own activity through the services."""

    open_call_opens: dt.datetime  # when the open calls opened (set before the demo activity)

    def at(self, day_offset: float, hour: int, minute: int = 0) -> dt.datetime:
        """A time on the open calls' timeline: days after they opened (negative: before today)."""
        if day_offset >= 0:
            base = (self.open_call_opens + dt.timedelta(days=day_offset)).date()
        else:
            base = self.plan.today + dt.timedelta(days=day_offset)
        return dt.datetime(base.year, base.month, base.day, hour, minute, tzinfo=KST)

    def open_call(self, program: str) -> Call:
        plan_call = next(c for c in self.plan.calls if c.is_open and c.program_type == program)
        return Call.objects.get(pk=self.call_ids[plan_call.idx])

    def agreement_of(self, partner: str, year: int) -> WinWinAgreement:
        plan = self.plan
        planned = next(
            a
            for a in plan.agreements
            if a.fiscal_year == year and plan.partners[a.partner].name_ko == partner
        )
        return WinWinAgreement.objects.select_related("consortium").get(pk=self.agreement_ids[planned.idx])

    @staticmethod
    def retime_match(match: Match, times: list[dt.datetime]) -> None:
        """Give a service-made match and its history rows planned times, in order."""
        changes = list(MatchStatusChange.objects.filter(match=match).order_by("id"))
        if len(changes) != len(times):
            raise CommandError(f"retime_match: {len(changes)} history rows, {len(times)} times")
        for change, at in zip(changes, times, strict=True):
            MatchStatusChange.objects.filter(pk=change.pk).update(at=at)
        Match.objects.filter(pk=match.pk).update(created_at=times[0], updated_at=times[-1])

    def retime(
        self,
        app: Application,
        times: list[dt.datetime],
        *,
        created: dt.datetime,
        updated: dt.datetime | None = None,
    ) -> None:
        """Give a service-made application and its history rows planned times, in order."""
        changes = list(ApplicationStatusChange.objects.filter(application=app).order_by("id"))
        if len(changes) != len(times):
            raise CommandError(f"retime: {len(changes)} history rows, {len(times)} times")
        for change, at in zip(changes, times, strict=True):
            ApplicationStatusChange.objects.filter(pk=change.pk).update(at=at)
        fields: dict[str, object] = {
            "created_at": created,
            "updated_at": updated or (times[-1] if times else created),
        }
        submit = next((t for c, t in zip(changes, times, strict=True) if c.action == "submit"), None)
        if submit is not None:
            fields["submitted_at"] = submit
        decided = [
            t
            for c, t in zip(changes, times, strict=True)
            if c.to_status in ("selected", "rejected", "waitlisted")
        ]
        if decided:
            fields["decided_at"] = decided[-1]
        Application.objects.filter(pk=app.pk).update(**fields)
        DuplicateFlag.objects.filter(application=app).update(created_at=submit or created)
        self.service_apps.append(app.pk)

    @staticmethod
    def to_evaluation(app: Application, applicant: User, reviewer: User) -> None:
        """Submit, screen and pass screening through the real services."""
        app_services.application_submit(application=app, actor=applicant)
        app_services.application_transition(application=app, actor=reviewer, action="start_screening")
        app_services.application_pass_screening(application=app, actor=reviewer)

    def score(
        self,
        app: Application,
        evaluator: User,
        fraction: str,
        *,
        assigned: dt.datetime,
        declared: dt.datetime | None = None,
        submitted: dt.datetime | None = None,
        comment: str = "",
    ) -> None:
        """Assign an evaluator; with `declared`, declare no conflict; with `submitted`, score every
        criterion at `fraction` of its maximum. Then give the assignment its planned times."""
        official = self.users["official"]
        assignment = app_services.evaluator_assign(application=app, actor=official, evaluator=evaluator)
        if declared is not None:
            assignment = app_services.assignment_declare(
                assignment=assignment, actor=evaluator, has_conflict=False
            )
        if submitted is not None:
            scores = {c.pk: Decimal(c.max_score) * Decimal(fraction) for c in rubric_for(app.call)}
            assignment = app_services.assignment_submit_scores(
                assignment=assignment, actor=evaluator, scores=scores, comment=comment
            )
        EvaluatorAssignment.objects.filter(pk=assignment.pk).update(
            assigned_at=assigned, declared_at=declared, submitted_at=submitted
        )

    def draft(self, sme: User, call: Call, workplace: Workplace, level: str, **fields: Any) -> Application:
        app = app_services.application_create_draft(
            actor=sme, call=call, workplace=workplace, target_level=self.ref.targets[level]
        )
        return app_services.application_update_draft(application=app, actor=sme, **fields)

    def demo_activity(self) -> int:
        plan = self.plan
        ref = self.ref
        sme, sme2 = self.users["sme"], self.users["sme2"]
        official, officer = self.users["official"], self.users["officer"]
        evaluators = [User.objects.get(pk=self.staff_ids[i]) for i in plan.evaluators[1:5]]
        supplier = Supplier.objects.get(pk=self.supplier_ids[0])
        hanbit = Company.objects.get(pk=self.company_ids[0])
        main_plant, hwaseong = list(Workplace.objects.filter(company=hanbit).order_by("id"))
        daesung = Workplace.objects.get(company_id=self.company_ids[1])
        gov_call = self.open_call("government_only")
        winwin_call = self.open_call("winwin_type1")
        partner_call = self.open_call("partner_track")
        self.open_call_opens = gov_call.opens_at.astimezone(KST)
        start = plan.today + dt.timedelta(days=45)
        plan_period = {"planned_start": start, "planned_end": start + dt.timedelta(days=180)}
        samsung = self.users["partner"]
        samsung_2026 = self.agreement_of(DEMO_PARTNER, OPEN_YEAR)

        # 0. Samsung Electronics proposes to mentor 한빛정밀 under its 2026 agreement before the calls open;
        #    the SME accepts, and a Samsung mentor has been twice already.
        fit = ["industry_match", "region_all", "size_eligible", "level_below_target", "staffed"]
        rest = ["active_workplace", "no_prior_support"]
        reasons = match_reasons(["supply_chain_tie", *fit, *rest])
        match = partner_services.match_propose(
            actor=samsung,
            agreement=samsung_2026,
            company=hanbit,
            score=sum(int(r["points"]) for r in reasons),
            reasons=reasons,
            note="협력사 스마트공장 고도화 지원 제안 (Upgrade support offered to a supplier of ours)",
        )
        match = partner_services.match_transition(match=match, actor=sme, action="accept")
        self.retime_match(match, [self.at(-34, 10, 30), self.at(-31, 14, 10)])
        mentor = Mentor.objects.filter(
            partner_id=samsung_2026.consortium.partner_id, is_active=True
        ).order_by("id")[0]
        for day, kind, hours, notes in (
            (-29, ActivityKind.CONSULTING, "3.0", "MES 구축 범위 검토 및 설비 데이터 수집 대상 선정 자문"),
            (-12, ActivityKind.VISIT, "6.0", "CNC 가공 라인 현장 방문: 설비 가동률 측정 방식 협의"),
        ):
            activity = partner_services.mentoring_activity_log(
                actor=samsung,
                match=match,
                mentor=mentor,
                kind=kind,
                date=plan.today + dt.timedelta(days=day),
                hours=Decimal(hours),
                notes=notes,
            )
            MentoringActivity.objects.filter(pk=activity.pk).update(created_at=self.at(day, 18, 20))

        # 1. 한빛정밀 본사공장 → win-win type 1, upgrade 1: submitted, screened by the Gyeonggi officer,
        #    scored by two evaluators and selected by the official.
        app = self.draft(
            sme,
            winwin_call,
            main_plant,
            "advanced1",
            title="기계가공 설비 데이터 실시간 수집·분석 시스템 구축",
            summary=(
                "CNC 가공설비 24대에 IoT 센서와 PLC 연동을 구축해 "
                "가동률·품질 데이터를 실시간으로 수집·분석합니다. "
                "목표: 설비종합효율 18% 향상, 불량률 30% 감소."
            ),
            supplier=supplier,
            current_level=ref.levels["L2"],
            total_cost_krw=360_000_000,
            gov_amount_krw=108_000_000,
            partner_amount_krw=108_000_000,
            sme_amount_krw=144_000_000,
            partner_agreement=samsung_2026,
            **plan_period,
        )
        app_services.application_partner_confirm(application=app, actor=samsung)
        self.to_evaluation(app, sme, officer)
        self.score(
            app,
            evaluators[0],
            "0.85",
            assigned=self.at(9, 9, 30),
            declared=self.at(9, 15),
            submitted=self.at(12, 17),
        )
        self.score(
            app,
            evaluators[1],
            "0.9",
            assigned=self.at(9, 9, 40),
            declared=self.at(10, 10),
            submitted=self.at(13, 11),
        )
        app = app_services.application_select(application=app, actor=official)
        #    The Gyeonggi officer signs its agreement and starts the build-out; its money moves through the
        #    finance services (money_demo).
        agreement = self.demo_money(app, signed_on=self.at(15, 11).date(), starts_on=self.at(16, 9).date())
        self.retime(
            app,
            [
                self.at(3, 14, 20),
                self.at(5, 10, 5),
                self.at(8, 16, 40),
                self.at(14, 10),
                self.at(15, 11),
                self.at(16, 9, 30),
            ],
            created=self.at(1, 10, 12),
        )
        Application.objects.filter(pk=app.pk).update(partner_confirmed_at=self.at(2, 16, 40))
        ProjectAgreement.objects.filter(pk=agreement.pk).update(
            created_at=self.at(15, 11), updated_at=self.at(15, 11)
        )

        # 2. 한빛정밀 본사공장 → government-only basic: a complete draft, ready to submit in the demo.
        app = self.draft(
            sme,
            gov_call,
            main_plant,
            "basic",
            title="본사공장 기계가공 공정 MES 구축을 통한 생산정보 디지털화",
            summary=(
                "수기 작업일보와 엑셀 생산계획을 MES로 전환해 "
                "작업지시·실적·불량 정보를 실시간으로 관리합니다. "
                "목표: 생산성 15% 향상, 불량률 20% 감소."
            ),
            supplier=supplier,
            current_level=ref.levels["L1"],
            total_cost_krw=90_000_000,
            gov_amount_krw=45_000_000,
            partner_amount_krw=0,
            sme_amount_krw=45_000_000,
            **plan_period,
        )
        self.retime(app, [], created=self.at(-3, 11), updated=self.at(-1, 18, 5))

        # 3. 한빛정밀 화성공장 → Samsung's partner track, basic: confirmed by Samsung, submitted, waiting for
        #    screening. (화성공장 stays free for the government-only call.)
        app = self.draft(
            sme,
            partner_call,
            hwaseong,
            "basic",
            title="화성공장 조립 공정 바코드 기반 자재·재고 관리 시스템 구축",
            summary=(
                "자재 입출고와 재공 재고를 바코드로 관리해 재고 정확도를 높입니다. 목표: 재고 정확도 98%."
            ),
            supplier=supplier,
            current_level=ref.levels["L1"],
            total_cost_krw=100_000_000,
            gov_amount_krw=30_000_000,
            partner_amount_krw=25_000_000,
            sme_amount_krw=45_000_000,
            partner_agreement=samsung_2026,
            **plan_period,
        )
        app_services.application_partner_confirm(application=app, actor=samsung)
        app_services.application_submit(application=app, actor=sme)
        self.retime(app, [self.at(15, 10, 30)], created=self.at(12, 9, 50))
        Application.objects.filter(pk=app.pk).update(partner_confirmed_at=self.at(14, 11, 15))

        # 3b. 한빛정밀 화성공장 → win-win type 1, basic: a complete draft naming Samsung, waiting for Samsung
        #     to confirm its share (the partner login confirms it; then the SME can submit).
        app = self.draft(
            sme,
            winwin_call,
            hwaseong,
            "basic",
            title="화성공장 조립 라인 작업실적 POP 및 품질이력 관리 시스템 구축",
            summary=(
                "조립 라인 작업실적을 POP 단말로 수집하고 부품 로트별 품질이력을 관리합니다. "
                "목표: 작업실적 집계 시간 80% 단축, 불량 추적 시간 50% 단축."
            ),
            supplier=supplier,
            current_level=ref.levels["L1"],
            total_cost_krw=120_000_000,
            gov_amount_krw=36_000_000,
            partner_amount_krw=36_000_000,
            sme_amount_krw=48_000_000,
            partner_agreement=samsung_2026,
            **plan_period,
        )
        self.retime(app, [], created=self.at(-2, 10, 40), updated=self.at(-1, 17, 25))

        # 4. 대성금속 녹산공장 → government-only upgrade 2: in evaluation, scored by two evaluators; the
        #    demo evaluator is assigned too and has not declared yet.
        sme2_app = self.draft(
            sme2,
            gov_call,
            daesung,
            "advanced2",
            title="AI 비전 검사 기반 프레스·용접 불량 자동 판정",
            summary=(
                "프레스·용접 라인에 비전 카메라와 AI 판정 모델을 적용해 외관 불량을 자동으로 판정합니다. "
                "목표: 불량 유출 50% 감소, 검사 인력 30% 재배치."
            ),
            supplier=supplier,
            current_level=ref.levels["L3"],
            total_cost_krw=800_000_000,
            gov_amount_krw=400_000_000,
            partner_amount_krw=0,
            sme_amount_krw=400_000_000,
            **plan_period,
        )
        self.to_evaluation(sme2_app, sme2, official)
        self.score(
            sme2_app,
            evaluators[2],
            "0.8",
            assigned=self.at(10, 10),
            declared=self.at(10, 14),
            submitted=self.at(14, 16),
        )
        self.score(
            sme2_app,
            evaluators[3],
            "0.75",
            assigned=self.at(10, 10, 5),
            declared=self.at(11, 9),
            submitted=self.at(15, 10),
        )
        self.retime(sme2_app, [self.at(4, 11), self.at(7, 9, 40), self.at(9, 17)], created=self.at(2, 13, 30))

        # 5. The demo evaluator: two pending assignments and one already scored, in the open call.
        evaluator = self.users["evaluator"]
        in_evaluation = list(
            Application.objects.filter(
                call=gov_call,
                status=ApplicationStatus.EVALUATION,
                history__action="pass_screening",
                history__at__lt=self.at(-4, 18),
            )
            .exclude(company_id__in=[self.company_ids[0], self.company_ids[1]])
            .order_by("id")[:2]
        )
        if len(in_evaluation) < 2:
            raise CommandError("the open government-only call has too few applications in evaluation")
        self.score(sme2_app, evaluator, "0", assigned=self.at(-3, 10))
        self.score(in_evaluation[0], evaluator, "0", assigned=self.at(-3, 10, 5))
        self.score(
            in_evaluation[1],
            evaluator,
            "0.8",
            assigned=self.at(-3, 10, 10),
            declared=self.at(-2, 9, 30),
            submitted=self.at(-1, 16),
            comment="도입 목표와 성과지표가 구체적임 (Clear goals and indicators)",
        )
        Application.objects.filter(pk=in_evaluation[1].pk).update(updated_at=self.at(-1, 16))
        Application.objects.filter(pk=sme2_app.pk).update(updated_at=self.at(15, 10))

        # 6. Samsung proposes a match to 대성금속 as well, waiting in that SME's match inbox (한빛정밀 has
        #    its partner firm for 2026 already: a company has one a year).
        reasons = match_reasons(["no_supply_chain_tie", *fit, *rest])
        match = partner_services.match_propose(
            actor=samsung,
            agreement=samsung_2026,
            company=Company.objects.get(pk=self.company_ids[1]),
            score=sum(int(r["points"]) for r in reasons),
            reasons=reasons,
            note="프레스·용접 라인 고도화 지원 제안 (Upgrade support offered for the press lines)",
        )
        self.retime_match(match, [self.at(-2, 11, 20)])
        return 7

    # Finishing ---------------------------------------------------------------------------------------------

    def finish(self) -> None:
        # Historical notifications were sent long ago; marking the service-made rows as notified before
        # commit makes the notification tasks queued by the services find nothing to send.
        ApplicationStatusChange.objects.filter(
            application_id__in=self.service_apps, notified_at__isnull=True, to_status__in=NOTIFY_STATUSES
        ).update(notified_at=F("at") + dt.timedelta(minutes=2))
        self.call_totals()
        self.stamp_calls()
        # The services kept them so; this makes sure of it after the bulk load.
        self.committed_totals()
        self.check_balances()

    def run(self) -> None:
        with connection.cursor() as cursor:
            # A seed is disposable: do not wait for the WAL flush at commit.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        plan = self.plan
        self.step("기관·사용자 organisations and people", self.organisations)
        self.step("공급기업 suppliers", self.suppliers)
        self.step("도입기업 companies", self.companies)
        self.log(progress("  사업장 workplaces", len(plan.workplaces), None))
        self.step("공고 calls (funding rules, rubrics)", self.calls)
        self.step("상생 컨소시엄·협약 consortia and agreements", self.partnerships)
        ignored = bulk.history_triggers(BULK_TABLES)
        if not LEDGER_TRIGGER_IN_BULK:
            ignored.append(LEDGER_BALANCE_TRIGGER)
        with (
            bulk.triggers_set_aside(ignored),
            bulk.foreign_keys_set_aside(BULK_TABLES),
        ):
            self.step("신청서 applications", self.applications)
            self.step("상태 이력 status history", self.history)
            self.step("평가위원 배정·점수 evaluator assignments", self.evaluations)
            self.step("중복지원 플래그 duplicate-support flags", self.flags)
            self.step("매칭·이력 matches and their history", self.matches)
            self.step("멘토·멘토링 mentors and mentoring activities", self.mentoring)
            self.step("협력사 supply-chain ties", self.ties)
            self.step("협약·지급·원장 agreements, disbursements, ledger", self.money)
            started = time.perf_counter()
        self.log(
            progress("색인·외래키 indexes built, foreign keys checked", None, time.perf_counter() - started)
        )
        self.sync()
        started = time.perf_counter()
        self.check_balances()
        self.call_totals()
        self.committed_totals()
        self.log(progress("잔액·확정액 검증 balances and commitments", None, time.perf_counter() - started))
        with (
            bulk.triggers_set_aside(bulk.history_triggers([*DEPLOYMENT_TABLES, TrainingCohort])),
            bulk.foreign_keys_set_aside(DEPLOYMENT_TABLES),
        ):
            self.step("성과 보고 일정 outcome reporting schedules", self.schedules)
            self.step("스마트공장 smart factories", self.factories)
            self.step("수준확인 이력 level confirmations", self.level_confirmations)
            self.step("성과 보고 outcome reports", self.outcome_reports)
            self.step("선도 스마트산단 industrial complexes", self.complexes)
            self.step("교육기관·과정·기수 training providers, courses, cohorts", self.training)
            started = time.perf_counter()
        self.log(progress("외래키 foreign keys checked", None, time.perf_counter() - started))
        self.sync_deployments()
        self.step("과거 집계 historical aggregates", self.historical_aggregates)
        self.step("데모 사용자 활동 demo users' activity (services)", self.demo_activity)
        self.finish()
        started = time.perf_counter()
        bulk.analyze(
            [
                Organisation,
                User,
                Membership,
                Company,
                Workplace,
                Supplier,
                Call,
                Application,
                ApplicationStatusChange,
                EvaluatorAssignment,
                EvaluationScore,
                DuplicateFlag,
                Consortium,
                WinWinAgreement,
                Match,
                MatchStatusChange,
                Mentor,
                MentoringActivity,
                SupplyChainTie,
                ProjectAgreement,
                AgreementFunding,
                DisbursementRequest,
                LedgerEntry,
                ChangeRequest,
                OutcomeSchedule,
                Factory,
                LevelConfirmation,
                OutcomeReport,
                IndustrialComplex,
                ComplexWorkplace,
                HistoricalAggregate,
                TrainingProvider,
                TrainingCourse,
                TrainingCohort,
            ]
        )
        self.log(progress("통계 갱신 ANALYZE", None, time.perf_counter() - started))
