"""The demo SME's own money, through the real services (`applications.agreements`, `funding.services`).

(주)한빛정밀's win-win project with Samsung Electronics, selected in the open call: the Gyeonggi officer
signs the agreement and starts the build-out; the advance (선급금) of each source is requested, approved by
a finance officer and paid by another; an interim payment (중도금) of the government support waits for
approval (the SME asked, so the `finance` login may approve it), an interim deposit of the SME's own
contribution waits for payment, there is money left to request, and the SME's change request (a month's
extension) waits for the official. The money happens at the time the seed runs, so the ledger, which is
append-only, never needs its times changed.
"""

from __future__ import annotations

import datetime as dt

from applications import agreements
from applications import services as app_services
from applications.models import Application, FundingSource, ProjectAgreement
from core.models import User
from demo.seed.money import add_months
from demo.seed.writer import Writer
from funding import services as funding_services
from funding.models import DisbursementRequest, Tranche

G, P, M = FundingSource.GOVERNMENT.value, FundingSource.PARTNER.value, FundingSource.SME.value
DEMO_ACCOUNT = ("IBK기업은행", "085-112233-04-017")
DEMO_SCOPE = (
    "기계가공 설비 데이터 실시간 수집·분석 시스템 구축\n"
    "구축 범위: CNC 가공설비 24대 IoT 센서·PLC 연동, 설비종합효율(OEE) 실시간 모니터링, "
    "MES 품질관리 모듈, 가공 불량 SPC 분석"
)
CHANGE_REASON = (
    "공급기업의 PLC 통신 모듈 납품 지연(3주)으로 사업기간 1개월 연장 "
    "(PLC modules delivered three weeks late: period extended by a month)"
)


class MoneyDemo(Writer):
    """Plays the demo SME's agreement and money through the services."""

    def demo_money(self, app: Application, *, signed_on: dt.date, starts_on: dt.date) -> ProjectAgreement:
        plan = self.plan
        sme, officer = self.users["sme"], self.users["officer"]
        # Finance officers other than the demo login, so that what waits in its queue is its to decide.
        approver, payer = (User.objects.get(pk=self.staff_ids[i]) for i in plan.finance[1:3])
        ends_on = add_months(starts_on, 8) - dt.timedelta(days=1)
        bank, account = DEMO_ACCOUNT
        signed = agreements.agreement_sign(
            application=app,
            actor=officer,
            starts_on=starts_on,
            ends_on=ends_on,
            scope=DEMO_SCOPE,
            account_bank=bank,
            account_number=account,
            account_holder=app.company.organisation.name_ko,
            signed_on=signed_on,
        )
        app_services.application_transition(application=app, actor=officer, action="start_build")
        agreement = ProjectAgreement.objects.select_related("application__company").get(pk=signed.pk)
        agreed = {row.source: row.agreed_krw for row in agreement.funding.all()}

        def ask(source: str, tranche: str, percent: int, actor: User, note: str) -> DisbursementRequest:
            return funding_services.disbursement_request(
                agreement=agreement,
                actor=actor,
                source=source,
                tranche=tranche,
                amount_krw=agreed[source] * percent // 100,
                note=note,
            )

        for source, actor, note in (
            (G, sme, "정부지원금 선급금 청구"),
            (P, officer, "주관기관 부담금 선급분 입금 확인"),
            (M, sme, "기업부담금 선급분 입금 확인"),
        ):
            request = ask(source, Tranche.ADVANCE, 30, actor, note)
            request = funding_services.disbursement_approve(request=request, actor=approver)
            funding_services.disbursement_pay(request=request, actor=payer)
        ask(G, Tranche.INTERIM, 20, sme, "정부지원금 중도금 1회차 청구 (기성 확인)")
        deposit = ask(M, Tranche.INTERIM, 20, officer, "기업부담금 1회차 입금 확인")
        funding_services.disbursement_approve(request=deposit, actor=approver)
        agreements.change_request_file(
            agreement=agreement,
            actor=sme,
            cause_date=plan.today - dt.timedelta(days=3),
            reason=CHANGE_REASON,
            new_ends_on=add_months(ends_on, 1),
        )
        return agreement
