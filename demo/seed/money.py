"""The money layer of a plan: agreements (협약), disbursement requests by tranche and source, the funding
ledger and change requests (사업변경), derived from the finished application paths and nothing else.

The rules of `applications.agreements` and `funding.services` hold by construction:
- every application with a signed agreement gets one, signed on the day of its `agree` step by the officer
  who took it, with four funding sources whose agreed amounts are the application's;
- a tranche is requested only while the project is in a state that allows it (`TRANCHE_STATES`: the advance
  after signing, interim payments during the build-out, the final one once completed); approvers and payers
  are finance officers, requesters the SME or the regional officer, so nobody approves their own request;
- requests of a settled or terminated project were all paid or rejected before the settlement or termination;
  a settled project was paid in full or less than agreed (the rest went back), a terminated one in part;
- a few payments were returned and reversed, then paid again; recoveries (환수) on some old projects come
  from the settlement review, between completion and settlement, so that only what stays paid remains
  committed against the call's budget and the partner's pledge, as the services keep it;
- change requests are filed by the SME within 15 days of their cause and at least a month before the
  agreement ends, and decided by an official; approved ones extend the period or change the scope.

Everything comes from its own seeded random source (`GeneratorState.mrng`), so the rest of a plan does not
depend on it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from datetime import timedelta

from applications.agreements import CHANGE_FILING_DAYS, CHANGEABLE_STATES, one_month_before
from applications.models import AGREEMENT_STATES
from demo.seed import data
from demo.seed import money_data as md
from demo.seed.money_records import GOV, SOURCES, Entry, PChange, PProject, Request
from demo.seed.records import DAY, HOUR, MINUTE, PApp, Picker, PStaff, S, kst_time, rand_between, rand_days
from demo.seed.state import GeneratorState
from funding.models import DisbursementStatus, LedgerKind, Tranche

UNIT = 1_000  # tranche amounts are whole thousands of won
AGREEMENT = frozenset(str(s) for s in AGREEMENT_STATES)
CHANGEABLE = frozenset(str(s) for s in CHANGEABLE_STATES)
OLD = frozenset({S.SETTLED.value, S.FOLLOW_UP.value, S.CLOSED.value})
REQUESTED, APPROVED, PAID, REJECTED = (
    DisbursementStatus.REQUESTED.value,
    DisbursementStatus.APPROVED.value,
    DisbursementStatus.PAID.value,
    DisbursementStatus.REJECTED.value,
)
ADVANCE, INTERIM, FINAL = Tranche.ADVANCE.value, Tranche.INTERIM.value, Tranche.FINAL.value
PAYMENT, REVERSAL, RECOVERY = LedgerKind.PAYMENT.value, LedgerKind.REVERSAL.value, LedgerKind.RECOVERY.value
ADVANCE_SHARES = (30, 30, 30, 40, 50)  # per cent of the source paid in advance (선급금)
FINAL_SHARE = 20  # per cent kept for the final payment (잔금)
INTERIM_DAYS = 30.0  # one progress payment (기성) a month, unless the scale asks for a ledger size
PLANNED_BUILD_DAYS = 180  # the build-out a project still under way plans for
REJECT_RATE = 0.03
UNDERSPENT_SHARE = 0.2  # settled projects that cost less than agreed (the rest released at settlement)
REVERSAL_SHARE = 0.015  # old projects with a returned, reversed and repaid payment
RECOVERY_SHARE = 0.04  # old projects with a recovery after the settlement review
CHANGE_SHARE = 0.10  # agreements with a change request
SME_REQUESTS = 0.6  # share of requests made by the SME (the rest by the regional officer)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(slots=True)
class Timeline:
    """When a project's tranches may be requested, read off its application path."""

    agreed: dt.datetime
    build: dt.datetime | None
    completed: dt.datetime | None
    advance_end: dt.datetime  # the project leaves agreed/building
    interim_end: dt.datetime | None  # completion, termination or today
    final_end: dt.datetime | None  # settlement or today
    limit: dt.datetime  # every request is decided (and paid) before this
    closed: bool  # settled or terminated: nothing may stay requested or approved
    terminated: bool
    changeable_end: dt.datetime  # the agreement can be changed until completion or termination


class MoneyGenerator(GeneratorState):
    """Makes the agreements, disbursements, ledger entries and change requests of a plan."""

    def money(self) -> None:
        rng = self.mrng
        self.finance_staff()
        self.bank_picker = Picker(md.BANKS, [weight for _bank, _groups, weight in md.BANKS])
        self.request_notes: dict[tuple[str, str, int], str] = {}
        apps = [a for a in self.apps if a.status in AGREEMENT]
        old = [a.idx for a in apps if a.status in OLD]
        reversal = set(rng.sample(old, min(len(old), max(2, round(len(old) * REVERSAL_SHARE)))))
        recovery = set(rng.sample(old, min(len(old), max(2, round(len(old) * RECOVERY_SHARE)))))
        interval = self.interim_interval(apps)
        for app in apps:
            self.projects.append(self.project(app, interval, app.idx in reversal, app.idx in recovery))

    def finance_staff(self) -> None:
        """KOSMO's finance officers: the demo login first."""
        rng = self.mrng

        def add(username: str, display: str) -> None:
            self.staff.append(PStaff("finance", username, display))
            self.finance.append(len(self.staff) - 1)

        add("finance", "오하은 주무관 (KOSMO 재무)")
        for n in range(1, self.scale.finance_officers):
            name = self.surnames.pick(rng) + rng.choice(data.GIVEN_NAMES)
            add(f"finance-{n:02d}", f"{name} 주무관 (KOSMO 재무)")

    def interim_interval(self, apps: list[PApp]) -> float:
        """Days between progress payments: monthly, or what makes about `scale.ledger_entries` entries."""
        target = self.scale.ledger_entries
        if not target:
            return INTERIM_DAYS
        fixed = 0
        days = 0.0
        for app in apps:
            steps = {step[0]: step[3] for step in app.path}
            sources = sum(1 for amount in (app.gov, app.partner, app.local, app.sme) if amount > 0)
            fixed += sources * (1 + ("complete" in steps))
            build = steps.get("start_build")
            if build is not None:
                end = steps.get("complete") or steps.get("terminate") or self.cutoff
                days += sources * min((end - build).days, PLANNED_BUILD_DAYS)
        return min(60.0, max(5.0, days / max(1, target - fixed)))

    # One project -------------------------------------------------------------------------------------------

    def timeline(self, app: PApp) -> Timeline:
        steps = {step[0]: step[3] for step in app.path}
        agreed = steps["agree"]
        build = steps.get("start_build")
        completed = steps.get("complete")
        settled = steps.get("settle")
        terminated = steps.get("terminate")
        leaves = [
            at
            for action, at in steps.items()
            if action in ("start_interim_check", "start_final_inspection", "complete", "terminate")
        ]
        close = settled or terminated
        return Timeline(
            agreed=agreed,
            build=build,
            completed=completed,
            advance_end=min(leaves) if leaves else self.cutoff,
            interim_end=(completed or terminated or self.cutoff) if build is not None else None,
            final_end=(settled or self.cutoff) if completed is not None else None,
            limit=close - 10 * MINUTE if close is not None else self.cutoff,
            closed=close is not None,
            terminated=terminated is not None,
            changeable_end=completed or terminated or self.cutoff,
        )

    def project(self, app: PApp, interval: float, reversal: bool, recovery: bool) -> PProject:
        rng = self.mrng
        tl = self.timeline(app)
        agree = next(step for step in app.path if step[0] == "agree")
        start = tl.agreed.date() + dt.timedelta(days=rng.randint(0, 7))
        if tl.build is not None:
            start = min(start, tl.build.date())
        latest = add_months(start, 12) - dt.timedelta(days=1)
        ends = add_months(start, rng.randint(6, 12)) - dt.timedelta(days=1)
        if tl.completed is not None:
            ends = max(ends, tl.completed.date() + dt.timedelta(days=rng.randint(3, 20)))
        elif not tl.closed:
            ends = max(ends, self.today + dt.timedelta(days=rng.randint(20, 90)))
        ends = min(ends, latest)
        items = md.SCOPE_ITEMS[app.target_level]
        scope = f"{app.title}\n구축 범위: " + ", ".join(
            item.format(n=rng.randint(2, 24)) for item in rng.sample(items, 3)
        )
        regional = md.REGIONAL_BANKS.get(app.region)
        if regional is not None and rng.random() < 0.35:
            bank, groups = regional
        else:
            bank, groups, _weight = self.bank_picker.pick(rng)
        account = "-".join(f"{int(rng.random() * 10**g):0{g}d}" for g in groups)
        p = PProject(
            app=app.idx,
            starts_on=start,
            ends_on=ends,
            signed_on=tl.agreed.date(),
            signed_by=agree[4],
            created_at=tl.agreed,
            updated_at=tl.agreed,
            scope=scope,
            bank=bank,
            account=account,
            agreed=(app.gov, app.partner, app.local, app.sme),
        )
        underspent = app.status in OLD and rng.random() < UNDERSPENT_SHARE
        for source, amount in enumerate(p.agreed):
            if amount > 0:
                self.source_money(p, app, tl, source, interval, underspent, reversal and source == GOV)
        if recovery:
            self.recover(p, tl)
        for entry in p.ledger:
            p.paid[entry.source] += entry.amount
            if entry.kind == RECOVERY:
                p.recovered[entry.source] -= entry.amount
        for request in p.requests:
            if request.status in (REQUESTED, APPROVED):
                p.outstanding[request.source] += request.amount
        self.changes(p, app, tl)
        return p

    def source_money(
        self,
        p: PProject,
        app: PApp,
        tl: Timeline,
        source: int,
        interval: float,
        underspent: bool,
        reversal: bool,
    ) -> None:
        """The tranches of one source: the advance, progress payments, the final payment. (About a million
        requests at national scale: the random draws are inlined.)"""
        rng = self.mrng
        rnd = rng.random
        agreed = p.agreed[source]
        advance = agreed * ADVANCE_SHARES[int(rnd() * len(ADVANCE_SHARES))] // 100 // UNIT * UNIT
        final = agreed * FINAL_SHARE // 100 // UNIT * UNIT
        interim = agreed - advance - final
        planned: list[tuple[str, int, dt.datetime, dt.datetime, int]] = []  # tranche, amount, at, end, n
        if tl.advance_end - tl.agreed < DAY:
            at = tl.agreed + (tl.advance_end - tl.agreed) * (0.2 + 0.5 * rnd())
        else:
            at = tl.agreed + rand_days(rng, 0.5, 12)
        planned.append((ADVANCE, advance, at, tl.advance_end, 0))
        if tl.build is not None and tl.interim_end is not None:
            first = tl.build + 10 * DAY
            if tl.completed is not None:
                span = max(DAY, tl.completed - first - 2 * DAY)
            else:
                span = dt.timedelta(days=PLANNED_BUILD_DAYS - 12)
            n = max(1, min(round(span.days / interval), interim // UNIT))
            slot = span / n
            base = interim // n // UNIT * UNIT
            end = tl.interim_end
            for i in range(n):
                amount = base if i < n - 1 else interim - base * (n - 1)
                planned.append((INTERIM, amount, first + slot * (i + 0.15 + 0.7 * rnd()), end, i + 1))
        if tl.completed is not None and tl.final_end is not None:
            if underspent:
                final -= int(agreed * rng.uniform(0.02, 0.15)) // UNIT * UNIT
            planned.append((FINAL, final, tl.completed + rand_days(rng, 1, 10), tl.final_end, 0))
        notes = self.request_notes
        name = SOURCES[source]
        officers = self.officers_by_region[app.region]
        sme = -app.company - 1
        carry = 0
        for tranche, planned_amount, at, window_end, n in planned:
            amount = planned_amount + carry
            carry = 0
            if amount <= 0:
                continue
            end = min(window_end, tl.limit)
            if at >= end - HOUR:
                if tl.closed:
                    carry = amount  # not asked in time: goes with the next tranche, or back at the end
                    continue
                break  # not asked yet
            key = (name, tranche, n)
            note = notes.get(key)
            if note is None:
                note = notes[key] = md.REQUEST_NOTES[(name, tranche)].format(n=n)
            requester = sme if rnd() < SME_REQUESTS else officers[int(rnd() * len(officers))]
            status, ended = self.request(p, tl, source, tranche, amount, note, at, requester)
            while status == REJECTED:
                if p.requests[-1].reason == md.TERMINATION_REJECT:
                    return  # nothing more is asked of a source once the agreement is being terminated
                at = ended + rand_days(rng, 1, 7)
                if at >= end - HOUR:
                    carry = amount
                    break
                status, ended = self.request(p, tl, source, tranche, amount, note, at, requester)
            if reversal and status == PAID and tranche == INTERIM:
                reversal = not self.reverse_and_repay(p, tl, source, amount, ended, end, requester)

    def finance_officer(self) -> int:
        return self.finance[int(self.mrng.random() * len(self.finance))]

    def request(
        self,
        p: PProject,
        tl: Timeline,
        source: int,
        tranche: str,
        amount: int,
        note: str,
        at: dt.datetime,
        requester: int,
        *,
        may_reject: bool = True,
    ) -> tuple[str, dt.datetime]:
        """One request made at `at`, decided by a finance officer and paid when approved (the decision
        half a day to eight days later, the payment half a day to five days after approval). Returns its
        status and the time it was decided (rejected) or paid."""
        rng = self.mrng
        rnd = rng.random
        limit = tl.limit
        decided = at + timedelta(seconds=int(43_200 + rnd() * 648_000))
        paid = decided + timedelta(seconds=int(43_200 + rnd() * 388_800))
        rejected = may_reject and rnd() < REJECT_RATE
        reason = md.REJECT_REASONS[int(rnd() * len(md.REJECT_REASONS))] if rejected else ""
        if tl.closed and (decided >= limit or (not rejected and paid >= limit)):
            # Resolved before the settlement or termination (which needs nothing left open).
            decided = rand_between(rng, at + MINUTE, at + (limit - at) * 0.5)
            paid = rand_between(rng, decided + MINUTE, limit)
            if tl.terminated:
                rejected, reason = True, md.TERMINATION_REJECT
        finance = self.finance
        officer = finance[int(rnd() * len(finance))]
        requests = p.requests
        if decided >= limit:
            requests.append(
                Request(
                    source,
                    tranche,
                    amount,
                    REQUESTED,
                    note,
                    requester,
                    at,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    "",
                )
            )
            return REQUESTED, decided
        if rejected:
            requests.append(
                Request(
                    source,
                    tranche,
                    amount,
                    REJECTED,
                    note,
                    requester,
                    at,
                    None,
                    None,
                    None,
                    None,
                    officer,
                    decided,
                    reason,
                )
            )
            return REJECTED, decided
        if paid >= limit:
            requests.append(
                Request(
                    source,
                    tranche,
                    amount,
                    APPROVED,
                    note,
                    requester,
                    at,
                    officer,
                    decided,
                    None,
                    None,
                    None,
                    None,
                    "",
                )
            )
            return APPROVED, decided
        payer = finance[int(rnd() * len(finance))]
        requests.append(
            Request(
                source,
                tranche,
                amount,
                PAID,
                note,
                requester,
                at,
                officer,
                decided,
                payer,
                paid,
                None,
                None,
                "",
            )
        )
        p.ledger.append(Entry(source, PAYMENT, amount, len(requests) - 1, None, "", payer, paid))
        return PAID, paid

    def reverse_and_repay(
        self,
        p: PProject,
        tl: Timeline,
        source: int,
        amount: int,
        paid: dt.datetime,
        end: dt.datetime,
        requester: int,
    ) -> bool:
        """The payment just made came back (wrong account): a reversing entry, then the same amount asked
        and paid again. False when there is no room for it before the tranche's window closes."""
        rng = self.mrng
        reversed_at = paid + rand_days(rng, 0.5, 3)
        again = reversed_at + rand_days(rng, 0.3, 2)
        if again + 12 * DAY >= end:
            return False
        payment = len(p.ledger) - 1
        note = md.REVERSAL_NOTES[int(rng.random() * len(md.REVERSAL_NOTES))]
        p.ledger.append(
            Entry(source, REVERSAL, -amount, None, payment, note, self.finance_officer(), reversed_at)
        )
        self.request(p, tl, source, INTERIM, amount, md.REPAY_NOTE, again, requester, may_reject=False)
        return True

    def recover(self, p: PProject, tl: Timeline) -> None:
        """Part of the government support recovered after the settlement review, before the settlement."""
        rng = self.mrng
        payments = [e for e in p.ledger if e.source == GOV]
        if not payments or tl.final_end is None:
            return
        paid = sum(e.amount for e in payments)
        start = max(e.created_at for e in payments) + DAY
        end = tl.final_end - HOUR
        amount = int(paid * rng.uniform(0.02, 0.10)) // UNIT * UNIT
        if end - start < HOUR or amount <= 0:
            return
        actor = self.finance_officer() if rng.random() < 0.7 else self.official_of_money()
        reason = md.RECOVERY_REASONS[int(rng.random() * len(md.RECOVERY_REASONS))]
        p.ledger.append(
            Entry(GOV, RECOVERY, -amount, None, None, reason, actor, rand_between(rng, start, end))
        )

    def official_of_money(self) -> int:
        return self.officials[int(self.mrng.random() * len(self.officials))]

    # Change requests ---------------------------------------------------------------------------------------

    def changes(self, p: PProject, app: PApp, tl: Timeline) -> None:
        """Zero, one or two change requests, one after the other."""
        rng = self.mrng
        if rng.random() >= CHANGE_SHARE:
            return
        count = 2 if rng.random() < 0.25 else 1
        start = tl.agreed + 5 * DAY
        for _n in range(count):
            deadline = kst_time(one_month_before(p.ends_on), 18)  # the last filing day (one month before)
            end = min(tl.changeable_end, deadline, self.cutoff - HOUR)
            if end - start < 2 * DAY:
                return
            filed = rand_between(rng, start, end)
            cause = max(
                tl.agreed.date(), filed.date() - dt.timedelta(days=rng.randint(0, CHANGE_FILING_DAYS))
            )
            roll = rng.random()
            period, scope = roll < 0.65, roll >= 0.5
            change = PChange(
                status=REQUESTED,
                cause_date=cause,
                reason=rng.choice(md.PERIOD_REASONS if period else md.SCOPE_REASONS),
                filed_by=-app.company - 1,
                filed_at=filed,
                new_ends_on=p.ends_on + dt.timedelta(days=rng.randint(30, 90)) if period else None,
                new_scope=f"{p.scope}\n변경: {rng.choice(md.SCOPE_CHANGES)}" if scope else "",
            )
            p.changes.append(change)
            decided = filed + rand_days(rng, 2, 20)
            approve = rng.random() < 0.65
            if decided >= self.cutoff and app.status in CHANGEABLE:
                return  # still waiting for the official (one open request at a time)
            if approve and decided >= tl.changeable_end:
                # Approved while the agreement could still change, or rejected.
                if tl.changeable_end - filed > 2 * HOUR:
                    decided = rand_between(rng, filed + HOUR, tl.changeable_end - MINUTE)
                else:
                    approve = False
            if decided >= self.cutoff:
                decided = rand_between(rng, filed + MINUTE, self.cutoff - MINUTE)
            change.decided_by = self.official_of_money()
            change.decided_at = decided
            if approve:
                change.status = APPROVED
                change.decision_note = rng.choice(md.CHANGE_APPROVE_NOTES)
                if change.new_ends_on is not None:
                    p.ends_on = change.new_ends_on
                if change.new_scope:
                    p.scope = change.new_scope
                p.updated_at = decided
            else:
                change.status = REJECTED
                change.decision_note = rng.choice(md.CHANGE_REJECT_NOTES)
            start = decided + 3 * DAY
