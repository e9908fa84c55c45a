"""Write a plan's organisations, people, registry and calls.

Organisations, people and calls go through the real services (`core.services`, `companies.services`,
`programs.services`), so they pass the same checks a user would; the background registry goes in with
COPY. Times the services stamp with "now" are set afterwards to planned times, so the same seed on the
same day gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from applications import services as app_services
from applications.models import (
    AgreementFunding,
    Application,
    ApplicationStatusChange,
    ChangeRequest,
    DuplicateFlag,
    EvaluationScore,
    EvaluatorAssignment,
    ProjectAgreement,
)
from companies import services as company_services
from companies.models import Company, Supplier, Workplace
from core import services as core_services
from core.models import (
    FirmSizeClass,
    KsicDivision,
    Level,
    Membership,
    Organisation,
    Region,
    TargetLevel,
    User,
)
from core.roles import OrganisationKind, Role
from demo.seed import bulk, data
from demo.seed.logins import DEMO_PASSWORD
from demo.seed.partnerships import mentoring_activities
from demo.seed.records import KST, Plan, kst_time
from demo.seed.text import progress
from funding.models import DisbursementRequest, LedgerEntry
from partners import services as partner_services
from partners.models import (
    Consortium,
    Match,
    MatchStatusChange,
    Mentor,
    MentoringActivity,
    SupplyChainTie,
    WinWinAgreement,
)
from programs import services as program_services
from programs.models import Call

NOTIFY_STATUSES = frozenset(str(s) for s in app_services.NOTIFY_STATUSES)
KOSMO = ("스마트제조혁신추진단", "Korea Smart Manufacturing Office (KOSMO)")

# Tables whose ids the bulk writer assigns itself.
SEQUENCED = [
    Organisation,
    User,
    Membership,
    Company,
    Workplace,
    Supplier,
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
]


class Reference:
    """Ids and objects of the reference data loaded by migrations."""

    def __init__(self) -> None:
        self.regions = {r.slug: r for r in Region.objects.all()}
        self.ksic = {k.code: k for k in KsicDivision.objects.all()}
        self.levels = {lvl.code: lvl for lvl in Level.objects.all()}
        self.targets = {t.code: t for t in TargetLevel.objects.all()}
        self.sizes: dict[str, list[FirmSizeClass]] = {}
        for size in FirmSizeClass.objects.order_by("code", "valid_from"):
            self.sizes.setdefault(size.code, []).append(size)
        missing = [name for name, table in self.__dict__.items() if not table]
        if missing:
            raise CommandError(
                f"기준 데이터가 없습니다 / Reference data missing ({', '.join(missing)}): "
                "run `manage.py migrate`."
            )

    def size(self, code: str, on: dt.date) -> FirmSizeClass:
        """The version of a size class valid on a date (the earliest one for dates before it existed)."""
        versions = self.sizes[code]
        for version in reversed(versions):
            if version.valid_from <= on and (version.valid_to is None or on <= version.valid_to):
                return version
        return versions[0]


class Writer:
    """Writes a plan: organisations and people, registry, calls, applications with their history."""

    def __init__(self, plan: Plan, log: Callable[[str], None]) -> None:
        self.plan = plan
        self.log = log
        self.ref = Reference()
        self.password_hash = make_password(DEMO_PASSWORD, salt=f"smartfactorydemo{plan.seed % 10**8:08d}")
        self.users: dict[str, User] = {}  # demo logins by username
        self.staff_ids: list[int] = []  # user id per plan.staff entry
        self.orgs: dict[str, Organisation] = {}
        self.company_user: dict[int, int] = {}  # plan company index → SME user id
        self.company_ids: dict[int, int] = {}
        self.workplace_ids: dict[int, int] = {}
        self.supplier_ids: dict[int, int] = {}
        self.call_ids: dict[int, int] = {}
        self.criteria: dict[int, list[int]] = {}  # plan call index → criterion ids in rubric order
        self.app_ids: dict[int, int] = {}
        self.partner_user_ids: list[int] = []  # user id per plan.partner_users entry
        self.consortium_ids: list[int] = []
        self.agreement_ids: list[int] = []  # agreement id per plan.agreements entry
        self.match_ids: list[int] = []
        self.mentor_ids: list[int] = []
        self.service_apps: list[int] = []
        self.timings: list[tuple[str, int, float]] = []

    # Helpers ---------------------------------------------------------------------------------------------

    def step(self, label: str, action: Callable[[], int]) -> None:
        started = time.perf_counter()
        count = action()
        elapsed = time.perf_counter() - started
        self.timings.append((label, count, elapsed))
        self.log(progress(label, count, elapsed))

    def login(self, username: str, display_name: str, *, password: bool = True) -> User:
        user = core_services.user_create(
            username=username, password=None, email=f"{username}@demo.example", display_name=display_name
        )
        if not password:
            User.objects.filter(pk=user.pk).update(password=self.unusable(username))
            return user
        try:
            validate_password(DEMO_PASSWORD, user)
        except ValidationError as exc:
            raise CommandError(f"demo password refused for {username}: {exc.messages}") from exc
        # One hash for all demo logins: hashing takes a quarter of a second each, and the password is
        # published anyway. Same seed, same salt, same row.
        User.objects.filter(pk=user.pk).update(password=self.password_hash)
        self.users[username] = user
        return user

    def unusable(self, username: str) -> str:
        """Like Django's unusable passwords ("!" + 40 characters), but the same for the same seed."""
        digest = hashlib.sha1(f"{self.plan.seed}:{username}".encode(), usedforsecurity=False).hexdigest()
        return "!" + digest

    def stamp(self, model: Any, pk: int, **fields: object) -> None:
        model.objects.filter(pk=pk).update(**fields)

    def grant(self, user: User, org: Organisation, role: str, at: dt.datetime) -> None:
        membership = core_services.membership_grant(user=user, organisation=org, role=role)
        self.stamp(Membership, membership.pk, created_at=at)
        self.stamp(User, user.pk, date_joined=at)

    def sync(self) -> None:
        """Move the id sequences past bulk-written ids before the next service call inserts a row."""
        bulk.sync_sequences(SEQUENCED)

    def staff_actor(self, index: int) -> int:
        """User id of a plan actor: staff when >= 0, the SME user of company (-index - 1) otherwise."""
        return self.staff_ids[index] if index >= 0 else self.company_user[-index - 1]

    # Organisations and people ----------------------------------------------------------------------------

    def organisations(self) -> int:
        launch = dt.datetime(2019, 7, 2, 9, tzinfo=KST)  # KOSMO's launch
        created = 0

        def org(key: str, kind: str, ko: str, en: str, region: Region | None = None) -> Organisation:
            nonlocal created
            organisation = core_services.organisation_create(kind=kind, name_ko=ko, name_en=en, region=region)
            self.stamp(Organisation, organisation.pk, created_at=launch)
            self.orgs[key] = organisation
            created += 1
            return organisation

        kosmo = org("kosmo", OrganisationKind.MINISTRY, *KOSMO)
        for slug, (short_ko, short_en) in data.REGION_SHORT.items():
            org(
                f"center:{slug}",
                OrganisationKind.REGIONAL_CENTER,
                f"{short_ko}스마트제조혁신센터",
                f"{short_en} Smart Manufacturing Innovation Center",
                self.ref.regions[slug],
            )
        for partner in self.plan.partners:
            org(f"partner:{partner.idx}", OrganisationKind.PARTNER, partner.name_ko, partner.profile.name_en)
        for i, (ko, en) in enumerate(self.plan.institutions):
            org(f"institution:{i}", OrganisationKind.INSTITUTION, ko, en)
        for i, (ko, en) in enumerate(data.EVALUATOR_ORGS):
            org(f"evaluator:{i}", OrganisationKind.OTHER, ko, en)

        demo_names = {"official", "officer", "evaluator", "finance"}
        for person in self.plan.staff:
            user = self.login(person.username, person.display_name, password=person.username in demo_names)
            if person.kind == "official":
                self.grant(user, kosmo, Role.OFFICIAL, launch)
            elif person.kind == "officer":
                self.grant(user, self.orgs[f"center:{person.region}"], Role.REGIONAL_OFFICER, launch)
            elif person.kind == "finance":
                self.grant(user, kosmo, Role.FINANCE, launch)
            else:
                self.grant(user, self.orgs[f"evaluator:{person.org}"], Role.EVALUATOR, launch)
            self.staff_ids.append(user.pk)
        # The official also runs the admin site.
        User.objects.filter(pk=self.users["official"].pk).update(is_staff=True, is_superuser=True)
        self.grant(self.login("auditor", "윤재석 감사관 (KOSMO)"), kosmo, Role.AUDITOR, launch)
        # The partner firms' and institutions' win-win staff (the demo logins `partner` and `institution`
        # among them).
        for staff in self.plan.partner_users:
            user = self.login(staff.username, staff.display_name, password=staff.demo)
            self.grant(user, self.orgs[f"partner:{staff.org}"], Role.PARTNER, launch)
            self.partner_user_ids.append(user.pk)
        for staff in self.plan.institution_users:
            user = self.login(staff.username, staff.display_name, password=staff.demo)
            self.grant(user, self.orgs[f"institution:{staff.org}"], Role.INSTITUTION, launch)
        return (
            created
            + len(self.plan.staff)
            + 1
            + len(self.plan.partner_users)
            + len(self.plan.institution_users)
        )

    # Registry ------------------------------------------------------------------------------------------

    def suppliers(self) -> int:
        plan = self.plan
        official = self.users["official"]
        demo = plan.suppliers[0]
        supplier = company_services.supplier_register(
            actor=official,
            brn=demo.brn,
            name_ko=demo.name_ko,
            name_en=demo.name_en,
            representative=demo.representative,
            region=self.ref.regions[demo.region],
            domains=demo.domains,
            employees=demo.employees,
        )
        assert demo.created_at is not None  # noqa: S101 - stamped by the plan
        self.stamp(Supplier, supplier.pk, created_at=demo.created_at)
        self.stamp(Organisation, supplier.organisation_id, created_at=demo.created_at)
        self.supplier_ids[0] = supplier.pk
        user = self.login("supplier", "임태호 팀장 (한결스마트솔루션)")
        self.grant(user, supplier.organisation, Role.SUPPLIER, demo.created_at)

        rest = plan.suppliers[1:]
        org0, sup0, user0, mem0 = (bulk.next_id(m) for m in (Organisation, Supplier, User, Membership))
        for n, s in enumerate(rest):
            self.supplier_ids[s.idx] = sup0 + n
        bulk.copy_rows(
            Organisation,
            ("id", "kind", "name_ko", "name_en", "region_id", "is_active", "created_at"),
            (
                (
                    org0 + n,
                    OrganisationKind.SUPPLIER.value,
                    s.name_ko,
                    s.name_en,
                    self.ref.regions[s.region].pk,
                    True,
                    s.created_at,
                )
                for n, s in enumerate(rest)
            ),
        )
        bulk.copy_rows(
            Supplier,
            (
                "id",
                "organisation_id",
                "brn",
                "representative",
                "region_id",
                "domains",
                "employees",
                "is_active",
                "created_at",
            ),
            (
                (
                    sup0 + n,
                    org0 + n,
                    s.brn,
                    s.representative,
                    self.ref.regions[s.region].pk,
                    s.domains,
                    s.employees,
                    True,
                    s.created_at,
                )
                for n, s in enumerate(rest)
            ),
        )
        self.copy_users(
            user0,
            mem0,
            org0,
            Role.SUPPLIER,
            [(f"sup-{s.idx:04d}", f"{s.representative} ({s.name_ko})", s.created_at) for s in rest],
        )
        self.sync()
        return len(plan.suppliers)

    def copy_users(
        self,
        user0: int,
        mem0: int,
        org0: int,
        role: str,
        people: list[tuple[str, str, dt.datetime | None]],
    ) -> None:
        """One user per organisation (ids user0 + n ↔ org0 + n), with a password that cannot sign in."""
        unusable = self.unusable
        bulk.copy_rows(
            User,
            (
                "id",
                "password",
                "last_login",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "display_name",
            ),
            (
                (
                    user0 + n,
                    unusable(name),
                    None,
                    False,
                    name,
                    "",
                    "",
                    f"{name}@demo.example",
                    False,
                    True,
                    at,
                    display,
                )
                for n, (name, display, at) in enumerate(people)
            ),
        )
        bulk.copy_rows(
            Membership,
            ("id", "user_id", "organisation_id", "role", "is_active", "created_at"),
            (
                (mem0 + n, user0 + n, org0 + n, role, True, at)
                for n, (_name, _display, at) in enumerate(people)
            ),
        )

    def companies(self) -> int:
        plan = self.plan
        ref = self.ref
        for company in (c for c in plan.companies if c.demo):
            user = self.login(company.demo, company.user_name)
            registered = company_services.company_register(
                actor=user,
                brn=company.brn,
                crn=company.crn,
                name_ko=company.name_ko,
                name_en=company.name_en,
                representative=company.representative,
                size_class=ref.size(company.size, plan.today),
                ksic=ref.ksic[company.ksic],
                founded_on=company.founded_on,
                employees=company.employees,
                revenue_krw=company.revenue_krw,
            )
            assert company.created_at is not None  # noqa: S101 - stamped by the plan
            self.stamp(Company, registered.pk, created_at=company.created_at, updated_at=company.created_at)
            self.stamp(Organisation, registered.organisation_id, created_at=company.created_at)
            self.stamp(User, user.pk, date_joined=company.created_at)
            Membership.objects.filter(user=user).update(created_at=company.created_at)
            self.company_ids[company.idx] = registered.pk
            self.company_user[company.idx] = user.pk
            for w in company.workplaces:
                wp = plan.workplaces[w]
                workplace = company_services.workplace_create(
                    company=registered,
                    actor=user,
                    name=wp.name,
                    postal_code=wp.postal_code,
                    address=wp.address,
                    region=ref.regions[wp.region],
                    ksic=ref.ksic[wp.ksic],
                )
                self.stamp(Workplace, workplace.pk, created_at=wp.created_at, updated_at=wp.created_at)
                self.workplace_ids[w] = workplace.pk

        rest = [c for c in plan.companies if not c.demo]
        org0, com0, user0, mem0, wp0 = (
            bulk.next_id(m) for m in (Organisation, Company, User, Membership, Workplace)
        )
        for n, c in enumerate(rest):
            self.company_ids[c.idx] = com0 + n
            self.company_user[c.idx] = user0 + n
        bulk.copy_rows(
            Organisation,
            ("id", "kind", "name_ko", "name_en", "region_id", "is_active", "created_at"),
            (
                (org0 + n, OrganisationKind.COMPANY.value, c.name_ko, c.name_en, None, True, c.created_at)
                for n, c in enumerate(rest)
            ),
        )
        sizes = {code: ref.size(code, plan.today).pk for code in ref.sizes}
        bulk.copy_rows(
            Company,
            (
                "id",
                "organisation_id",
                "brn",
                "crn",
                "representative",
                "size_class_id",
                "ksic_id",
                "founded_on",
                "employees",
                "revenue_krw",
                "business_status",
                "has_tax_arrears",
                "in_insolvency",
                "has_financial_delinquency",
                "created_at",
                "updated_at",
            ),
            (
                (
                    com0 + n,
                    org0 + n,
                    c.brn,
                    c.crn,
                    c.representative,
                    sizes[c.size],
                    ref.ksic[c.ksic].pk,
                    c.founded_on,
                    c.employees,
                    c.revenue_krw,
                    c.business_status,
                    c.has_tax_arrears,
                    c.in_insolvency,
                    c.has_financial_delinquency,
                    c.created_at,
                    c.created_at,
                )
                for n, c in enumerate(rest)
            ),
        )
        self.copy_users(
            user0, mem0, org0, Role.SME, [(f"sme-{c.idx:05d}", c.user_name, c.created_at) for c in rest]
        )
        background = [wp for wp in plan.workplaces if wp.idx not in self.workplace_ids]
        for n, wp in enumerate(background):
            self.workplace_ids[wp.idx] = wp0 + n
        bulk.copy_rows(
            Workplace,
            (
                "id",
                "company_id",
                "name",
                "postal_code",
                "address",
                "region_id",
                "ksic_id",
                "is_active",
                "created_at",
                "updated_at",
            ),
            (
                (
                    wp0 + n,
                    self.company_ids[w.company],
                    w.name,
                    w.postal_code,
                    w.address,
                    ref.regions[w.region].pk,
                    ref.ksic[w.ksic].pk,
                    w.is_active,
                    w.created_at,
                    w.created_at,
                )
                for n, w in enumerate(background)
            ),
        )
        self.sync()
        return len(plan.companies)

    # Calls --------------------------------------------------------------------------------------------

    def calls(self) -> int:
        official = self.users["official"]
        targets = self.ref.targets
        for call in self.plan.calls:
            created = program_services.call_create(
                actor=official,
                fiscal_year=call.fiscal_year,
                round=call.round,
                program_type=call.program_type,
                title_ko=call.title_ko,
                title_en=call.title_en,
                description=call.description,
                budget_krw=call.budget_krw,
                target_count=call.target_count,
                opens_at=call.opens_at,
                closes_at=call.closes_at,
                eligible_size_codes=call.eligible_size_codes,
                excluded_conditions=call.excluded_conditions,
                pass_score=call.pass_score,
                prior_support_exclusion_years=call.prior_support_exclusion_years,
                max_concurrent_projects=call.max_concurrent_projects,
            )
            for rule in call.rules:
                program_services.funding_rule_set(
                    call=created,
                    actor=official,
                    target_level=targets[rule.target_level],
                    size_code=rule.size_code,
                    gov_cap_krw=rule.gov_cap_krw,
                    total_cap_krw=rule.total_cap_krw,
                    gov_max_bp=rule.gov_max_bp,
                    gov_min_bp=rule.gov_min_bp,
                    partner_min_bp=rule.partner_min_bp,
                    partner_max_bp=rule.partner_max_bp,
                    sme_max_bp=rule.sme_max_bp,
                    combined_max_bp=rule.combined_max_bp,
                    local_max_bp=rule.local_max_bp,
                )
            criteria = program_services.rubric_set(
                call=created,
                actor=official,
                criteria=[
                    {"code": code, "name_ko": ko, "name_en": en, "weight": weight, "max_score": top}
                    for code, ko, en, weight, top in call.rubric
                ],
            )
            program_services.call_publish(call=created, actor=official)
            self.call_ids[call.idx] = created.pk
            self.criteria[call.idx] = [c.pk for c in criteria]
        self.stamp_calls()
        return len(self.plan.calls)

    def stamp_calls(self) -> None:
        for call in self.plan.calls:
            self.stamp(
                Call,
                self.call_ids[call.idx],
                created_at=call.opens_at - dt.timedelta(days=14),
                updated_at=call.opens_at - dt.timedelta(days=7),
            )

    # Win-win partnerships -----------------------------------------------------------------------------------

    def partnerships(self) -> int:
        """Consortia and their yearly agreements through the services (an official forms them), then given
        their planned status, commitment and times."""
        plan = self.plan
        official = self.users["official"]
        consortia: list[Consortium] = []
        for c in plan.consortia:
            consortium = partner_services.consortium_create(
                actor=official,
                partner=self.orgs[f"partner:{c.partner}"],
                institution=self.orgs[f"institution:{c.institution}"],
                name_ko=c.name_ko,
                name_en=c.name_en,
                established_on=c.established_on,
            )
            self.stamp(Consortium, consortium.pk, created_at=kst_time(c.established_on, 10))
            consortia.append(consortium)
            self.consortium_ids.append(consortium.pk)
        for a in plan.agreements:
            agreement = partner_services.agreement_create(
                actor=official,
                consortium=consortia[a.consortium],
                fiscal_year=a.fiscal_year,
                pledged_krw=a.pledged_krw,
                mentee_quota=a.mentee_quota,
                tracks=a.tracks,
                signed_on=a.signed_on,
                regions=[self.ref.regions[r] for r in a.regions],
                industries=[self.ref.ksic[k] for k in a.industries],
            )
            signed = kst_time(a.signed_on, 11)
            closed = kst_time(dt.date(a.fiscal_year + 1, 1, 20), 10)
            self.stamp(
                WinWinAgreement,
                agreement.pk,
                status=a.status,
                committed_krw=a.committed_krw,
                created_at=signed,
                updated_at=min(closed, kst_time(plan.today - dt.timedelta(days=1), 18)),
            )
            self.agreement_ids.append(agreement.pk)
        return len(plan.consortia) + len(plan.agreements)

    def matches(self) -> int:
        """Matches and their status history (COPY)."""
        plan = self.plan
        first = bulk.next_id(Match)
        self.match_ids = [first + m.idx for m in plan.matches]

        def actor(index: int) -> int:
            return self.partner_user_ids[index] if index >= 0 else self.company_user[-index - 1]

        count = bulk.copy_rows(
            Match,
            (
                "id",
                "agreement_id",
                "company_id",
                "status",
                "score",
                "reasons",
                "proposed_by_id",
                "created_at",
                "updated_at",
            ),
            (
                (
                    self.match_ids[m.idx],
                    self.agreement_ids[m.agreement],
                    self.company_ids[m.company],
                    m.status,
                    m.score,
                    json.dumps(m.reasons, ensure_ascii=False),
                    self.partner_user_ids[m.proposed_by],
                    m.created_at,
                    m.updated_at,
                )
                for m in plan.matches
            ),
        )
        bulk.copy_rows(
            MatchStatusChange,
            ("match_id", "action", "from_status", "to_status", "actor_id", "note", "at"),
            (
                (self.match_ids[m.idx], action, source, target, actor(who), note, at)
                for m in plan.matches
                for action, source, target, at, who, note in m.history
            ),
        )
        return count

    def mentoring(self) -> int:
        """Mentors, and the mentoring sessions of accepted, active and completed matches (COPY)."""
        plan = self.plan
        first = bulk.next_id(Mentor)
        self.mentor_ids = [first + m.idx for m in plan.mentors]
        bulk.copy_rows(
            Mentor,
            ("id", "partner_id", "name", "expertise", "is_active", "created_at"),
            (
                (
                    self.mentor_ids[m.idx],
                    self.orgs[f"partner:{m.partner}"].pk,
                    m.name,
                    m.expertise,
                    m.is_active,
                    m.created_at,
                )
                for m in plan.mentors
            ),
        )
        recorder = [
            self.partner_user_ids[plan.partners[plan.agreements[m.agreement].partner].user]
            for m in plan.matches
        ]
        match_ids, mentor_ids = self.match_ids, self.mentor_ids
        return bulk.copy_rows(
            MentoringActivity,
            ("match_id", "mentor_id", "kind", "date", "hours", "notes", "created_by_id", "created_at"),
            (
                (match_ids[match], mentor_ids[mentor], kind, day, hours, notes, recorder[match], at)
                for match, mentor, kind, day, hours, notes, at in mentoring_activities(
                    plan.seed, plan.matches, plan.mentors
                )
            ),
        )

    def ties(self) -> int:
        """Supply-chain ties by business registration number (COPY)."""
        return bulk.copy_rows(
            SupplyChainTie,
            ("partner_id", "brn", "name", "created_at"),
            ((self.orgs[f"partner:{t.partner}"].pk, t.brn, t.name, t.created_at) for t in self.plan.ties),
        )

    # Applications -----------------------------------------------------------------------------------------
