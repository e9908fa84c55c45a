"""The generator's shared state and the helpers every part of it uses (people, actors, steps)."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from applications.workflow import TRANSITIONS
from demo.seed import data
from demo.seed.money_records import PProject
from demo.seed.records import (
    P,
    PAgreement,
    PApp,
    PCall,
    PCompany,
    PConsortium,
    Picker,
    PMatch,
    PMentor,
    PPartner,
    PRule,
    PStaff,
    PSupplier,
    PTie,
    PUser,
    PWorkplace,
    Scale,
    kst_time,
)
from programs.models import FundingRule


class GeneratorState:
    """Everything a plan is made of while it is being generated, and one seeded random source."""

    def __init__(self, scale: Scale, seed: int, today: dt.date) -> None:
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)
        self.today = today
        self.cutoff = kst_time(today, 0)  # everything generated happened before today began
        self.brns: set[str] = set()
        self.crns: set[str] = set()
        self.names: set[str] = set()
        self.companies: list[PCompany] = []
        self.workplaces: list[PWorkplace] = []
        self.suppliers: list[PSupplier] = []
        self.calls: list[PCall] = []
        self.apps: list[PApp] = []
        self.staff: list[PStaff] = []
        self.officials: list[int] = []
        self.officers_by_region: dict[str, list[int]] = defaultdict(list)
        self.evaluators: list[int] = []
        self.demo_apps: dict[str, int] = {}
        self.surnames = Picker([s for s, _ in data.SURNAMES], [w for _, w in data.SURNAMES])
        self.regions = Picker([r for r, _ in data.REGION_WEIGHTS], [w for _, w in data.REGION_WEIGHTS])
        self.ksic = Picker([k for k, _ in data.KSIC_WEIGHTS], [w for _, w in data.KSIC_WEIGHTS])
        self.sizes = Picker([s for s, _ in data.SIZE_WEIGHTS], [w for _, w in data.SIZE_WEIGHTS])
        self.rule_models: dict[PRule, FundingRule] = {}
        self.check_every = 1 if scale.applications < 10_000 else 25
        # Company index → supported projects: (target level, selected at, fiscal year, app index).
        self.supported: dict[int, list[tuple[str, dt.datetime, int, int]]] = defaultdict(list)
        self.company_apps: dict[int, list[int]] = defaultdict(list)
        self.supplier_picker: Picker  # set once the suppliers exist
        # Win-win partnerships, drawn from their own random source so that they do not shift the rest.
        self.prng = random.Random(f"partnerships:{seed}")
        self.institutions: list[tuple[str, str]] = []
        self.partners: list[PPartner] = []
        self.partner_users: list[PUser] = []
        self.institution_users: list[PUser] = []
        self.consortia: list[PConsortium] = []
        self.agreements: list[PAgreement] = []
        self.matches: list[PMatch] = []
        self.mentors: list[PMentor] = []
        self.ties: list[PTie] = []
        # (fiscal year, program type, lead partner of a partner track) → (region, KSIC) → agreements
        self.serving: dict[tuple[int, str, str], dict[tuple[str, str], list[int]]] = {}
        self.agreement_pickers: dict[tuple[tuple[int, str, str], str, str], Picker] = {}
        # (company, fiscal year) → the agreement of its one partner firm that year
        self.year_agreement: dict[tuple[int, int], int] = {}
        # The money layer (agreements, disbursements, ledger, change requests), from its own random source.
        self.mrng = random.Random(f"money:{seed}")
        self.finance: list[int] = []
        self.projects: list[PProject] = []

    def cofunding_key(self, call: PCall) -> tuple[int, str, str] | None:
        """(fiscal year, track, partner-track lead) of a win-win call; None for a government-only call."""
        if call.program_type == P.GOVERNMENT_ONLY:
            return None
        return (call.fiscal_year, str(call.program_type), call.lead_partner)

    def reserve_agreement(self, call: PCall, workplace: PWorkplace) -> int | None:
        """The agreement (index into self.agreements) that co-funds a win-win application of the workplace
        to the call, or None when none can. It serves the call's year and track (a partner track's own
        lead) and the workplace's region and industry, and a company has one partner firm a year (the
        services refuse a second live match in a fiscal year), so its first application of the year
        decides; larger pledges are chosen more often, Samsung for the demo companies."""
        key = self.cofunding_key(call)
        if key is None:
            return None
        options = self.serving.get(key, {}).get((workplace.region, workplace.ksic))
        company = self.companies[workplace.company]
        held = self.year_agreement.get((company.idx, call.fiscal_year))
        if held is not None:
            return held if options and held in options else None
        if company.demo:
            # The demo companies' fixed applications are not drawn through the filter.
            options = options or sorted({a for cells in self.serving.get(key, {}).values() for a in cells})
            samsung = [
                a for a in options if self.partners[self.agreements[a].partner].name_ko == data.DEMO_PARTNER
            ]
            options = samsung or options
        if not options:
            return None
        picker = self.agreement_pickers.get((key, workplace.region, workplace.ksic))
        if picker is None or company.demo:
            picker = Picker(options, [self.agreements[a].base_pledge_krw for a in options])
            if not company.demo:
                self.agreement_pickers[(key, workplace.region, workplace.ksic)] = picker
        chosen: int = picker.pick(self.prng)
        self.year_agreement[(company.idx, call.fiscal_year)] = chosen
        return chosen

    def person(self) -> str:
        return self.surnames.pick(self.rng) + self.rng.choice(data.GIVEN_NAMES)

    def sme_actor(self, app: PApp) -> int:
        return -app.company - 1

    def officer(self, region: str) -> int:
        officers = self.officers_by_region[region]
        return officers[int(self.rng.random() * len(officers))]

    def screener(self, app: PApp) -> int:
        return self.officer(app.region) if self.rng.random() < 0.7 else self.official()

    def official(self) -> int:
        return self.officials[int(self.rng.random() * len(self.officials))]

    def add_step(self, app: PApp, action: str, at: dt.datetime, actor: int, note: str = "") -> None:
        transition = TRANSITIONS[action]
        source = app.status
        if source not in transition.sources:
            raise AssertionError(f"generated an illegal step {source} --{action}-->")
        if app.path and at <= app.path[-1][3]:
            at = app.path[-1][3] + dt.timedelta(minutes=1)
        app.path.append((action, source, str(transition.target), at, actor, note))
