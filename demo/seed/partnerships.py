"""Win-win partnerships (domain brief §4): partner firms and cooperating institutions, their consortia and
yearly agreements, matches with mentee SMEs and their history, the partners' confirmations of their share
on applications, mentors, mentoring sessions and supply-chain ties.

The agreements exist before the applications are drawn: a win-win call only draws workplaces that an
agreement of its year and track serves, and a company's first win-win application of a year fixes its one
partner firm that year (`GeneratorState.reserve_agreement`). Everything else is derived from the finished
applications, so that every win-win application names an agreement under which its company was matched
before it applied, and each agreement's commitment is the sum of the confirmations that still stand.
Nothing here touches the database; all of it comes from its own seeded random source.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterator

from demo.seed import data
from demo.seed.money_records import PARTNER
from demo.seed.records import (
    DAY,
    HOUR,
    MINUTE,
    OPEN_YEAR,
    PAgreement,
    PApp,
    PConsortium,
    Picker,
    PMatch,
    PMentor,
    PPartner,
    PTie,
    PUser,
    S,
    kst_time,
    make_brn,
    quotas,
    rand_between,
    rand_days,
)
from demo.seed.state import GeneratorState
from partners.models import ActivityKind, AgreementStatus, MatchStatus

M = MatchStatus
DEMO_PARTNER = data.DEMO_PARTNER
DEMO_INSTITUTION = data.KBIZ
EOK = 100_000_000  # 억 원
LAUNCH = kst_time(dt.date(2019, 7, 2), 9)  # KOSMO's launch, when the partners' records were first kept
# States whose mentoring is logged (the service accepts accepted and active; completed ones keep theirs).
MENTORED = frozenset({M.ACCEPTED, M.ACTIVE, M.COMPLETED})
# Matches without an application, by what became of them: under the agreement in force, and under closed ones.
EXTRA_OPEN: dict[str, float] = {
    "proposed": 0.25,
    "accepted": 0.15,
    "active": 0.2,
    "completed": 0.15,
    "declined": 0.15,
    "ended": 0.1,
}
EXTRA_PAST: dict[str, float] = {"completed": 0.6, "declined": 0.25, "ended": 0.15}
ACTIVITY_KINDS = [
    (ActivityKind.VISIT.value, 45.0, (4, 16)),  # hours in halves: 2.0–8.0
    (ActivityKind.CONSULTING.value, 25.0, (2, 8)),  # 1.0–4.0
    (ActivityKind.TRAINING.value, 12.0, (4, 16)),  # 2.0–8.0
    (ActivityKind.REMOTE.value, 18.0, (2, 6)),  # 1.0–3.0
]


def match_reasons(codes: list[str]) -> list[dict[str, str | int]]:
    """Reasons of a match as the matching score stores them: {code, label, points}."""
    return [{"code": c, "label": data.MATCH_REASONS[c][0], "points": data.MATCH_REASONS[c][1]} for c in codes]


def short_en(name_en: str) -> str:
    """The acronym in parentheses when there is one (KBIZ), else the whole English name."""
    if name_en.endswith(")") and "(" in name_en:
        return name_en[name_en.rindex("(") + 1 : -1]
    return name_en


class PartnershipGenerator(GeneratorState):
    """Makes the win-win tier of a plan."""

    # Before the applications ------------------------------------------------------------------------------

    def partner_person(self) -> str:
        return self.surnames.pick(self.prng) + self.prng.choice(data.GIVEN_NAMES)

    def partnership_registry(self) -> None:
        """Partner firms, institutions, their staff, consortia, yearly agreements and mentors."""
        prng = self.prng
        self.institutions = list(data.INSTITUTIONS)
        institution_index = {ko: i for i, (ko, _en) in enumerate(self.institutions)}
        for profile in data.PARTNER_PROFILES:
            if profile.national_only and not self.scale.national_partners:
                continue
            self.partners.append(
                PPartner(len(self.partners), profile, institution_index[profile.institution])
            )
        for partner in self.partners:
            partner.user = len(self.partner_users)
            if partner.name_ko == DEMO_PARTNER:
                self.partner_users.append(
                    PUser("partner", "송지호 프로 (삼성전자 상생협력센터)", partner.idx, demo=True)
                )
            else:
                self.partner_users.append(
                    PUser(
                        f"partner-{partner.idx:02d}",
                        f"{self.partner_person()} 책임 ({partner.name_ko} 상생협력팀)",
                        partner.idx,
                    )
                )
        for i, (ko, _en) in enumerate(self.institutions):
            if ko == DEMO_INSTITUTION:
                self.institution_users.append(
                    PUser("institution", "강수진 차장 (중소기업중앙회)", i, demo=True)
                )
            else:
                self.institution_users.append(
                    PUser(f"institution-{i:02d}", f"{self.partner_person()} 차장 ({ko})", i)
                )
        for partner in self.partners:
            institution_ko, institution_en = self.institutions[partner.institution]
            self.consortia.append(
                PConsortium(
                    idx=len(self.consortia),
                    partner=partner.idx,
                    institution=partner.institution,
                    name_ko=f"{partner.name_ko}·{institution_ko} 상생형 스마트공장 컨소시엄",
                    name_en=(
                        f"{short_en(partner.profile.name_en)} – {short_en(institution_en)} "
                        "win-win smart factory consortium"
                    ),
                    established_on=dt.date(data.WINWIN_FROM - 1, 12, prng.randint(1, 10)),
                )
            )
        for year in range(data.WINWIN_FROM, OPEN_YEAR + 1):
            for consortium in self.consortia:
                profile = self.partners[consortium.partner].profile
                tracks = [data.T1] + [t for t in profile.tracks if t != data.T1 and year >= data.TRACKS_FROM]
                if profile.name_ko == DEMO_PARTNER:
                    pledge = profile.pledge_eok * EOK  # 100억 a year, matched by the ministry
                else:
                    pledge = max(1, round(profile.pledge_eok * prng.uniform(0.8, 1.25))) * EOK
                self.agreements.append(
                    PAgreement(
                        idx=len(self.agreements),
                        consortium=consortium.idx,
                        partner=consortium.partner,
                        fiscal_year=year,
                        status=AgreementStatus.ACTIVE.value
                        if year == OPEN_YEAR
                        else AgreementStatus.CLOSED.value,
                        tracks=sorted(tracks),
                        regions=profile.regions,
                        industries=profile.industries,
                        signed_on=dt.date(year - 1, 12, prng.randint(11, 22)),
                        base_pledge_krw=pledge,
                        base_quota=profile.quota,
                    )
                )
        self.index_agreements()
        self.make_mentors()

    def index_agreements(self) -> None:
        """Which agreements serve which (region, KSIC) cell, per year, track and partner-track lead."""
        regions = list(data.REGION_SHORT)
        divisions = [code for code, _weight in data.KSIC_WEIGHTS]
        for agreement in self.agreements:
            cells = [(r, k) for r in agreement.regions or regions for k in agreement.industries or divisions]
            lead = self.partners[agreement.partner].name_ko
            for track in agreement.tracks:
                key = (agreement.fiscal_year, track, lead if track == data.PT else "")
                index = self.serving.setdefault(key, {})
                for cell in cells:
                    index.setdefault(cell, []).append(agreement.idx)

    def make_mentors(self) -> None:
        prng = self.prng
        scale = 1 if self.scale.national_partners else 0
        for partner in self.partners:
            for n in range(partner.profile.mentors[scale]):
                retired = n >= 2 and prng.random() < 0.1
                self.mentors.append(
                    PMentor(
                        idx=len(self.mentors),
                        partner=partner.idx,
                        name=self.partner_person(),
                        expertise=prng.choice(data.MENTOR_EXPERTISE),
                        is_active=not retired,
                        created_at=kst_time(dt.date(data.WINWIN_FROM - 1, 11, prng.randint(2, 20)), 10),
                        active_until=dt.date(prng.randint(2020, 2024), 12, 31) if retired else None,
                    )
                )

    # After the applications -------------------------------------------------------------------------------

    def partnerships(self) -> None:
        """Agreements of the win-win applications, matches, confirmations, pledges and mentoring."""
        groups = self.group_applications()
        for (agreement, company), apps in groups.items():
            self.application_match(self.agreements[agreement], company, apps)
        self.ensure_confirmed_draft()
        self.extra_matches()
        self.size_agreements()
        self.plan_mentoring()
        self.supply_chain_ties()
        self.score_matches()

    def group_applications(self) -> dict[tuple[int, int], list[PApp]]:
        """The win-win applications by (agreement, company): each names the agreement reserved for its
        company and year when its workplace was drawn (`reserve_agreement`)."""
        groups: dict[tuple[int, int], list[PApp]] = defaultdict(list)
        for app in self.apps:
            if self.cofunding_key(self.calls[app.call]) is None:
                continue
            if app.agreement is None:
                raise AssertionError(f"win-win application {app.idx} has no partner agreement")
            groups[(app.agreement, app.company)].append(app)
        return groups

    def new_match(self, agreement: PAgreement, company: int, proposed: dt.datetime, note: str) -> PMatch:
        """A match proposed by the partner's staff; its score and reasons are given once the supply-chain
        ties are known (score_matches)."""
        actor = self.partners[agreement.partner].user
        match = PMatch(
            idx=len(self.matches),
            agreement=agreement.idx,
            company=company,
            score=0,
            reasons=[],
            proposed_by=actor,
        )
        match.history.append(("propose", M.PROPOSED.value, M.PROPOSED.value, proposed, actor, note))
        self.matches.append(match)
        return match

    @staticmethod
    def match_step(match: PMatch, action: str, to: str, at: dt.datetime, actor: int, note: str = "") -> None:
        last = match.history[-1]
        if at <= last[3]:
            at = last[3] + MINUTE
        match.history.append((action, last[2], to, at, actor, note))

    def application_match(self, agreement: PAgreement, company: int, apps: list[PApp]) -> None:
        """The match behind a company's applications under one agreement: proposed and accepted before the
        first of them was started, then run along with the project it co-funds."""
        prng = self.prng
        firm = self.companies[company]
        assert firm.created_at is not None  # noqa: S101 - stamped by the plan
        partner_user = self.partners[agreement.partner].user
        apps.sort(key=lambda a: (a.created_at, a.idx))
        ceiling = apps[0].created_at - 20 * MINUTE
        floor = max(kst_time(agreement.signed_on, 10), firm.created_at + 10 * MINUTE)
        floor = min(floor, ceiling - 30 * MINUTE)
        low = max(floor, ceiling - 90 * DAY)
        proposed = rand_between(prng, low, low + (ceiling - low) * 0.7)
        match = self.new_match(agreement, company, proposed, prng.choice(data.MATCH_PROPOSE_NOTES))
        accepted = rand_between(prng, proposed + 5 * MINUTE, ceiling)
        self.match_step(match, "accept", M.ACCEPTED.value, accepted, -company - 1)
        accepted = match.history[-1][3]
        for app in apps:
            self.confirm(app, partner_user, accepted)

        start: dt.datetime | None = None
        complete: dt.datetime | None = None
        selected = [a for a in apps if a.at_of("select") is not None]
        if selected:
            project = min(selected, key=lambda a: (a.at_of("select"), a.idx))
            begin = project.at_of("agree") or project.at_of("select")
            assert begin is not None  # noqa: S101
            start = max(begin + rand_days(prng, 1, 10), accepted + HOUR)
            finished = project.at_of("complete") or project.at_of("terminate")
            if finished is not None:
                complete = max(finished + rand_days(prng, 2, 30), start + DAY)
        elif agreement.fiscal_year < OPEN_YEAR:
            # Mentoring alone (6–8 weeks on site) when the project did not go ahead.
            start = accepted + rand_days(prng, 3, 25)
            complete = start + rand_days(prng, 42, 90)
        else:
            # Under the agreement in force: mentoring may have started while the application waits, and
            # may have run its course (6–8 weeks on site) when the project did not go ahead.
            roll = prng.random()
            settled = all(a.status in (S.REJECTED, S.WITHDRAWN) for a in apps)
            if roll >= (0.2 if settled else 0.45):
                start = accepted + rand_days(prng, 3, 25)
                if roll >= (0.4 if settled else 0.9):
                    complete = start + rand_days(prng, 42, 90)
        limit = self.cutoff - HOUR
        if start is not None and start < limit:
            self.match_step(match, "start", M.ACTIVE.value, start, partner_user)
            if complete is not None and complete < limit:
                self.match_step(match, "complete", M.COMPLETED.value, complete, partner_user)

    def confirm(self, app: PApp, partner_user: int, accepted: dt.datetime) -> None:
        """The partner's confirmation of the application's share: before submission, and given back to
        the pledge when the application was withdrawn or rejected (as the services do). Half of the
        complete drafts in the open calls are confirmed already."""
        prng = self.prng
        if app.partner <= 0:
            return
        submitted = app.submitted_at
        if submitted is not None:
            if app.status in (S.WITHDRAWN, S.REJECTED):
                return
            at = rand_between(prng, max(app.created_at, accepted) + MINUTE, submitted - MINUTE)
        elif app.status == S.DRAFT and self.calls[app.call].is_open and app.total > 0 and prng.random() < 0.5:
            at = rand_between(prng, max(app.created_at, accepted) + HOUR, self.cutoff - HOUR)
        else:
            return
        app.confirmed_krw = app.partner
        app.confirmed_at = at
        app.confirmed_by = partner_user

    def ensure_confirmed_draft(self) -> None:
        """At least one draft of an open win-win call already has its partner's confirmation."""
        drafts = [
            a
            for a in self.apps
            if a.agreement is not None
            and a.status == S.DRAFT
            and self.calls[a.call].is_open
            and a.partner > 0
        ]
        if drafts and not any(a.confirmed_krw is not None for a in drafts):
            app = drafts[0]
            assert app.agreement is not None  # noqa: S101
            agreement = self.agreements[app.agreement]
            accepted = next(
                m for m in self.matches if m.agreement == app.agreement and m.company == app.company
            )
            at = accepted.at_of("accept")
            assert at is not None  # noqa: S101
            app.confirmed_krw = app.partner
            app.confirmed_at = rand_between(self.prng, max(app.created_at, at) + HOUR, self.cutoff - HOUR)
            app.confirmed_by = self.partners[agreement.partner].user

    def extra_matches(self) -> None:
        """Matches without an application: proposals still waiting, declined or ended ones, and mentoring
        on its own. The agreement in force has every state (the demo partner's at least two of each)."""
        prng = self.prng
        # One partner firm per company and year (the services refuse a second live match in a fiscal year):
        # a live match only for a company without one that year; a declined or ended one may come before
        # the company's match of that year, once.
        first_proposed: dict[tuple[int, int], dt.datetime] = {}
        for m in self.matches:
            key = (m.company, self.agreements[m.agreement].fiscal_year)
            if key not in first_proposed or m.created_at < first_proposed[key]:
                first_proposed[key] = m.created_at
        ended_before: set[tuple[int, int]] = set()
        per_agreement = Counter(m.agreement for m in self.matches)
        n_companies = len(self.companies)
        for agreement in self.agreements:
            in_force = agreement.fiscal_year == OPEN_YEAR
            shares = EXTRA_OPEN if in_force else EXTRA_PAST
            n = round(per_agreement[agreement.idx] * self.scale.extra_match_share) + prng.randint(0, 1)
            if in_force:
                n = max(n, len(shares))
            counts = quotas(n, shares)
            if in_force and self.partners[agreement.partner].name_ko == DEMO_PARTNER:
                counts = {kind: max(2, count) for kind, count in counts.items()}
            for kind, count in counts.items():
                ends = kind in ("declined", "ended")
                made = tries = 0
                while made < count and tries < 300 * count + 300:
                    tries += 1
                    firm = self.companies[int(prng.random() * n_companies)]
                    key = (firm.idx, agreement.fiscal_year)
                    if (
                        firm.demo
                        or firm.business_status != "active"
                        or (key in first_proposed and (not ends or key in ended_before))
                        or not agreement.serves(firm.region, firm.ksic)
                    ):
                        continue
                    before = first_proposed.get(key)
                    match = self.extra_match(agreement, firm.idx, kind, before=before)
                    if match is None:
                        continue
                    made += 1
                    if before is None:
                        first_proposed[key] = match.created_at
                    if ends:
                        ended_before.add(key)

    def extra_match(
        self, agreement: PAgreement, company: int, kind: str, *, before: dt.datetime | None = None
    ) -> PMatch | None:
        """One match without an application, ending in `kind`, inside the agreement's year, before today
        (and before `before`). None when it does not fit (the company registered too late)."""
        prng = self.prng
        firm = self.companies[company]
        assert firm.created_at is not None  # noqa: S101
        partner_user = self.partners[agreement.partner].user
        sme = -company - 1
        steps: list[tuple[str, str, dt.timedelta, int, str]] = []  # action, to, gap before it, actor, note
        if kind == "declined":
            steps.append(
                ("decline", M.ENDED.value, rand_days(prng, 1, 14), sme, prng.choice(data.MATCH_DECLINE_NOTES))
            )
        elif kind != "proposed":
            steps.append(("accept", M.ACCEPTED.value, rand_days(prng, 1, 10), sme, ""))
            if kind in ("active", "completed") or (kind == "ended" and prng.random() < 0.5):
                steps.append(("start", M.ACTIVE.value, rand_days(prng, 3, 25), partner_user, ""))
            if kind == "completed":
                steps.append(("complete", M.COMPLETED.value, rand_days(prng, 42, 90), partner_user, ""))
            if kind == "ended":
                note = prng.choice(data.MATCH_END_NOTES)
                steps.append(("end", M.ENDED.value, rand_days(prng, 10, 60), partner_user, note))
        total = sum((gap for _a, _t, gap, _actor, _note in steps), dt.timedelta())
        low = max(kst_time(agreement.signed_on, 10) + DAY, firm.created_at + HOUR)
        high = min(kst_time(dt.date(agreement.fiscal_year, 12, 24), 17), self.cutoff - HOUR)
        if before is not None:
            high = min(high, before - DAY)
        if high - low < total + HOUR:
            return None
        if agreement.fiscal_year == OPEN_YEAR and kind in ("proposed", "accepted"):
            low = max(low, high - total - 45 * DAY)  # recent: still waiting for the next step
        proposed = rand_between(prng, low, high - total)
        match = self.new_match(agreement, company, proposed, prng.choice(data.MATCH_PROPOSE_NOTES))
        at = proposed
        for action, to, gap, actor, note in steps:
            at += gap
            self.match_step(match, action, to, at, actor, note)
        return match

    def size_agreements(self) -> None:
        """Commitments are the confirmations that stand and the partner's shares of the agreements signed
        (`PProject.committed`); pledges cover them (and the open drafts' shares,
        so that the partner can still confirm them), quotas the matches that hold a place."""
        committed: Counter[int] = Counter()
        pending: Counter[int] = Counter()
        projects = {p.app: p for p in self.projects}
        for app in self.apps:
            if app.agreement is None:
                continue
            project = projects.get(app.idx)
            if project is not None:
                # Under a signed agreement the partner's share is its agreed amount, and once settled or
                # terminated what it paid (applications.agreements releases the rest).
                committed[app.agreement] += project.committed(app.status, PARTNER)
            elif app.confirmed_krw is not None:
                committed[app.agreement] += app.confirmed_krw
            elif app.status == S.DRAFT and self.calls[app.call].is_open:
                pending[app.agreement] += app.partner
        live = Counter(m.agreement for m in self.matches if m.status != M.ENDED)
        for agreement in self.agreements:
            agreement.committed_krw = committed[agreement.idx]
            need = committed[agreement.idx] + pending[agreement.idx]
            if agreement.fiscal_year == OPEN_YEAR:
                need = int(need * 1.15) + 5 * EOK  # room for the demo users' confirmations
            agreement.pledged_krw = max(agreement.base_pledge_krw, math.ceil(need / EOK) * EOK)
            n = live[agreement.idx]
            agreement.mentee_quota = max(agreement.base_quota, n + max(5, math.ceil(n / 10)))

    def plan_mentoring(self) -> None:
        """How many sessions each accepted, active or completed match gets, between the day after its
        acceptance and its completion (or yesterday), and its team of one to three mentors."""
        prng = self.prng
        yesterday = self.cutoff.date() - dt.timedelta(days=1)
        active: dict[int, list[PMentor]] = defaultdict(list)
        retired: dict[int, list[PMentor]] = defaultdict(list)
        for mentor in self.mentors:
            (active if mentor.active_until is None else retired)[mentor.partner].append(mentor)
        weights: list[tuple[PMatch, float]] = []
        for match in self.matches:
            if match.status not in MENTORED:
                continue
            accepted = match.at_of("accept")
            assert accepted is not None  # noqa: S101
            started = match.at_of("start")
            completed = match.at_of("complete")
            first = accepted.date() + dt.timedelta(days=1)
            last = completed.date() if completed is not None else yesterday
            if first > last:
                first = accepted.date()
            if first > last:
                continue
            span = (last - first).days + 1
            if completed is not None:
                weight = prng.uniform(6.0, 16.0)
            elif started is not None:
                weight = 2.0 + min(span, 150) / 12
            else:
                weight = prng.uniform(0.0, 2.5)
            match.activity_from, match.activity_to = first, last
            partner = self.agreements[match.agreement].partner
            team = active[partner] + [
                m for m in retired[partner] if m.active_until and m.active_until >= last
            ]
            match.mentors = sorted(m.idx for m in prng.sample(team, min(len(team), prng.randint(1, 3))))
            if match.mentors:
                weights.append((match, weight))
        total = sum(w for _m, w in weights)
        factor = self.scale.mentoring_records / total if self.scale.mentoring_records and total else 1.0
        for match, weight in weights:
            match.activities = int(weight * factor + prng.random())

    def firm_name(self, industries: tuple[str, ...]) -> str:
        prng = self.prng
        first = prng.choice(list(data.STEM_FIRST))
        second = prng.choice([s for s in data.STEM_SECOND if s != first])
        ksic = prng.choice(industries or tuple(data.INDUSTRY_WORDS))
        word = prng.choice(data.INDUSTRY_WORDS[ksic])[0]
        return f"(주){first}{second}{word}" if prng.random() < 0.6 else f"{first}{second}{word}(주)"

    def supply_chain_ties(self) -> None:
        """Supply-chain SMEs (협력사) of each partner by business registration number: some of its mentees
        and some firms not registered here (yet)."""
        prng = self.prng
        first_match: dict[int, dict[int, dt.datetime]] = defaultdict(dict)
        for match in self.matches:
            owner = self.agreements[match.agreement].partner
            known = first_match[owner].get(match.company)
            if known is None or match.created_at < known:
                first_match[owner][match.company] = match.created_at
        for partner in self.partners:
            mentees = first_match[partner.idx]
            companies = sorted(mentees)
            chosen = set(prng.sample(companies, max(min(2, len(companies)), round(len(companies) * 0.3))))
            if partner.name_ko == DEMO_PARTNER:
                chosen.add(0)  # (주)한빛정밀 supplies Samsung
            for company in sorted(chosen):
                firm = self.companies[company]
                seen = mentees.get(company, LAUNCH + 30 * DAY)
                self.ties.append(
                    PTie(partner.idx, firm.brn, firm.name_ko, max(LAUNCH, seen - rand_days(prng, 5, 60)))
                )
            for _n in range(max(2, round(len(chosen) * 0.25))):
                self.ties.append(
                    PTie(
                        partner.idx,
                        make_brn(prng, self.brns, corporate=True),
                        self.firm_name(partner.profile.industries),
                        rand_between(prng, LAUNCH, self.cutoff - DAY),
                    )
                )

    def score_matches(self) -> None:
        """Each match's fit as the matching score records it: reasons {code, label, points}, and their sum."""
        prng = self.prng
        tied = {(tie.partner, tie.brn) for tie in self.ties}
        for match in self.matches:
            agreement = self.agreements[match.agreement]
            firm = self.companies[match.company]
            codes = [
                "supply_chain_tie" if (agreement.partner, firm.brn) in tied else "no_supply_chain_tie",
                "industry_match" if agreement.industries else "industry_all",
                "region_match" if agreement.regions else "region_all",
                "size_eligible",
                "level_below_target" if prng.random() < 0.8 else "level_unknown",
                "staffed" if firm.employees >= 10 else "small_staff",
                "active_workplace",
                "no_prior_support",
            ]
            match.reasons = match_reasons(codes)
            match.score = sum(int(r["points"]) for r in match.reasons)


def mentoring_activities(
    seed: int, matches: list[PMatch], mentors: list[PMentor]
) -> Iterator[tuple[int, int, str, dt.date, str, str, dt.datetime]]:
    """The mentoring sessions of a plan, generated while they are written (about 500,000 at national scale,
    so they are never held in memory): (match index, mentor index, kind, date, hours, notes, recorded at).
    The same seed gives the same sessions."""
    rng = random.Random(f"mentoring:{seed}")
    kinds = Picker(list(range(len(ACTIVITY_KINDS))), [w for _k, w, _h in ACTIVITY_KINDS])
    hours = [[f"{h / 2:.1f}" for h in range(lo, hi + 1)] for _k, _w, (lo, hi) in ACTIVITY_KINDS]
    notes: dict[tuple[int, int, int], str] = {}
    for match in matches:
        n = match.activities
        if not n or match.activity_from is None or match.activity_to is None:
            continue
        first = match.activity_from
        span = (match.activity_to - first).days
        team = match.mentors
        for offset in sorted(int(rng.random() * (span + 1)) for _ in range(n)):
            k = kinds.pick(rng)
            kind = ACTIVITY_KINDS[k][0]
            mentor = team[int(rng.random() * len(team))]
            templates = data.ACTIVITY_NOTES[kind]
            t = int(rng.random() * len(templates))
            note = notes.get((k, t, mentor))
            if note is None:
                note = notes[(k, t, mentor)] = templates[t].format(expertise=mentors[mentor].expertise)
            day = first + dt.timedelta(days=offset)
            choices = hours[k]
            yield (
                match.idx,
                mentor,
                kind,
                day,
                choices[int(rng.random() * len(choices))],
                note,
                kst_time(day, 17) + dt.timedelta(minutes=int(rng.random() * 180)),
            )
