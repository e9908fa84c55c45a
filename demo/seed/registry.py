"""Companies with their workplaces, suppliers, and the officials, officers and evaluators."""

from __future__ import annotations

import datetime as dt

from demo.seed import data
from demo.seed.records import (
    PCompany,
    Picker,
    PStaff,
    PSupplier,
    PWorkplace,
    fixed_brn,
    fixed_crn,
    make_brn,
    make_crn,
)
from demo.seed.state import GeneratorState


class RegistryGenerator(GeneratorState):
    """Makes the registry: firms, workplaces, suppliers and the people who act on applications."""

    def stem(self) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.25:
            ko = rng.choice(list(data.STEM_BRANDS))
            return ko, data.STEM_BRANDS[ko]
        first = rng.choice(list(data.STEM_FIRST))
        second = rng.choice(list(data.STEM_SECOND))
        while second == first:
            second = rng.choice(list(data.STEM_SECOND))
        return first + second, data.STEM_FIRST[first] + data.STEM_SECOND[second]

    def company_name(self, ksic: str, corporate: bool) -> tuple[str, str]:
        rng = self.rng
        for attempt in range(20):
            stem_ko, stem_en = self.stem()
            word_ko, word_en = rng.choice(data.INDUSTRY_WORDS[ksic])
            base = stem_ko + word_ko
            if base in self.names and attempt < 19:
                continue
            self.names.add(base)
            break
        if not corporate:
            return base, f"{stem_en} {word_en}"
        form = rng.random()
        ko = f"(주){base}" if form < 0.55 else f"{base}(주)" if form < 0.85 else f"주식회사 {base}"
        return ko, f"{stem_en} {word_en} Co., Ltd."

    def address(self, region: str) -> tuple[str, str, str]:
        """(postal code, address, 시군구 label) in the region."""
        sido, districts = data.ADDRESSES[region]
        district, prefix, roads = self.rng.choice(districts)
        number = self.rng.randint(1, 420)
        sub = f"-{self.rng.randint(1, 30)}" if self.rng.random() < 0.3 else ""
        postal = f"{prefix}{self.rng.randint(0, 99):02d}"
        return postal, f"{sido} {district} {self.rng.choice(roads)} {number}{sub}", district

    # Registry ---------------------------------------------------------------------------------------------

    def demo_companies(self) -> None:
        """The two demo SMEs, with fixed identities so the demo script can name them."""
        hanbit = PCompany(
            idx=0,
            name_ko="(주)한빛정밀",
            name_en="Hanbit Precision Co., Ltd.",
            brn=fixed_brn("134810257"),
            crn=fixed_crn("134511025703"),
            representative="박성호",
            size="small",
            ksic="29",
            region="gyeonggi",
            founded_on=dt.date(2003, 4, 15),
            employees=38,
            revenue_krw=9_200_000_000,
            demo="sme",
            user_name="김민준 (한빛정밀 생산관리팀)",
        )
        daesung = PCompany(
            idx=1,
            name_ko="대성금속(주)",
            name_en="Daeseong Metal Co., Ltd.",
            brn=fixed_brn("621813318"),
            crn=fixed_crn("180511033186"),
            representative="이정훈",
            size="medium",
            ksic="25",
            region="busan",
            founded_on=dt.date(1996, 9, 2),
            employees=85,
            revenue_krw=21_400_000_000,
            demo="sme2",
            user_name="최은정 (대성금속 경영지원팀)",
        )
        for company in (hanbit, daesung):
            self.brns.add(company.brn)
            self.crns.add(company.crn)
            self.names.add(company.name_ko)
            self.companies.append(company)
        self._add_workplace(hanbit, "본사공장", "15599", "경기도 안산시 단원구 산단로 163", "gyeonggi", "29")
        self._add_workplace(hanbit, "화성공장", "18343", "경기도 화성시 팔탄면 시청로 275", "gyeonggi", "29")
        self._add_workplace(daesung, "녹산공장", "46744", "부산광역시 강서구 녹산산단321로 45", "busan", "25")

    def _add_workplace(
        self, company: PCompany, name: str, postal: str, address: str, region: str, ksic: str
    ) -> PWorkplace:
        workplace = PWorkplace(len(self.workplaces), company.idx, name, postal, address, region, ksic)
        self.workplaces.append(workplace)
        company.workplaces.append(workplace.idx)
        return workplace

    def registry(self) -> None:
        rng = self.rng
        self.demo_companies()
        for idx in range(len(self.companies), self.scale.companies):
            region = self.regions.pick(rng)
            ksic = self.ksic.pick(rng)
            size = self.sizes.pick(rng)
            corporate = size in ("medium", "mid_sized") or rng.random() < 0.78
            name_ko, name_en = self.company_name(ksic, corporate)
            (lo_emp, hi_emp), (lo_rev, hi_rev) = data.SIZE_PROFILES[size]
            founded_year = min(2018, max(1975, int(rng.triangular(1975, 2018, 2004))))
            company = PCompany(
                idx=idx,
                name_ko=name_ko,
                name_en=name_en,
                brn=make_brn(rng, self.brns, corporate=corporate),
                crn=make_crn(rng, self.crns, region) if corporate else "",
                representative=self.person(),
                size=size,
                ksic=ksic,
                region=region,
                founded_on=dt.date(founded_year, rng.randint(1, 12), rng.randint(1, 28)),
                employees=rng.randint(lo_emp, hi_emp),
                revenue_krw=rng.randint(lo_rev // 1_000_000, hi_rev // 1_000_000) * 1_000_000,
                user_name=self.person(),
            )
            roll = rng.random()
            if roll < 0.015:
                company.has_tax_arrears = True
            elif roll < 0.02:
                company.in_insolvency = True
            elif roll < 0.03:
                company.has_financial_delinquency = True
            elif roll < 0.045:
                company.business_status = "closed"
            elif roll < 0.05:
                company.business_status = "suspended"
            self.companies.append(company)
            postal, address, _district = self.address(region)
            self._add_workplace(company, "본사공장", postal, address, region, ksic)
        # Spread the remaining workplaces, more of them to larger firms.
        size_weight = {"micro": 0.3, "small": 1.0, "medium": 2.5, "mid_sized": 5.0}
        background = [c for c in self.companies if not c.demo]
        picker = Picker(background, [size_weight[c.size] for c in background])
        second_names = ["제2공장", "제3공장", "제4공장", "제5공장", "제6공장", "제7공장", "제8공장"]
        while len(self.workplaces) < self.scale.workplaces:
            company = picker.pick(rng)
            n = len(company.workplaces)
            if n > len(second_names):
                continue
            region = company.region if rng.random() < 0.8 else self.regions.pick(rng)
            postal, address, district = self.address(region)
            name = second_names[n - 1]
            if rng.random() < 0.5:
                name = f"{district.split()[0]}공장"
                if any(self.workplaces[w].name == name for w in company.workplaces):
                    name = second_names[n - 1]
            ksic = company.ksic if rng.random() < 0.85 else self.ksic.pick(rng)
            self._add_workplace(company, name, postal, address, region, ksic)
        for company in self.companies:
            if company.business_status == "closed":
                for w in company.workplaces:
                    self.workplaces[w].is_active = False

    def supplier_registry(self) -> None:
        rng = self.rng
        regions = Picker(
            [r for r, _ in data.SUPPLIER_REGION_WEIGHTS], [w for _, w in data.SUPPLIER_REGION_WEIGHTS]
        )
        demo = PSupplier(
            idx=0,
            name_ko="(주)한결스마트솔루션",
            name_en="Hangyeol Smart Solutions Co., Ltd.",
            brn=fixed_brn("119863207"),
            representative="정현우",
            region="seoul",
            domains=["connectivity", "information"],
            employees=46,
            weight=12.0,
            demo=True,
        )
        self.brns.add(demo.brn)
        self.suppliers.append(demo)
        domains = ["automation", "connectivity", "information", "intelligence"]
        for idx in range(1, self.scale.suppliers):
            stem_ko, stem_en = self.stem()
            word_ko, word_en = rng.choice(data.SUPPLIER_WORDS)
            name = f"(주){stem_ko}{word_ko}" if rng.random() < 0.7 else f"{stem_ko}{word_ko}(주)"
            # About half of suppliers have fewer than 10 employees (domain brief §1.5).
            employees = rng.randint(3, 9) if rng.random() < 0.5 else int(rng.paretovariate(1.3) * 10)
            self.suppliers.append(
                PSupplier(
                    idx=idx,
                    name_ko=name,
                    name_en=f"{stem_en} {word_en} Co., Ltd.",
                    brn=make_brn(rng, self.brns, corporate=True),
                    representative=self.person(),
                    region=regions.pick(rng),
                    domains=sorted(set(rng.sample(domains, rng.randint(1, 2)))),
                    employees=min(employees, 900),
                    weight=rng.paretovariate(1.2),
                )
            )

    def people(self) -> None:
        """Officials, regional officers and evaluators (the demo ones first)."""
        rng = self.rng

        def add(kind: str, username: str, display: str, region: str = "", org: int = 0) -> int:
            self.staff.append(PStaff(kind, username, display, region, org))
            return len(self.staff) - 1

        self.officials.append(add("official", "official", "이서준 사무관 (KOSMO)"))
        for n in range(1, self.scale.officials):
            self.officials.append(add("official", f"kosmo-{n:02d}", f"{self.person()} (KOSMO)"))
        for region in data.REGION_SHORT:
            short = data.REGION_SHORT[region][0]
            if region == "gyeonggi":
                self.officers_by_region[region].append(
                    add("officer", "officer", "정다은 책임 (경기센터)", region)
                )
            for n in range(self.scale.officers_per_center):
                self.officers_by_region[region].append(
                    add("officer", f"center-{region}-{n + 1}", f"{self.person()} ({short}센터)", region)
                )
        self.evaluators.append(add("evaluator", "evaluator", "한지훈 교수 (한국공학대학교)", org=0))
        for n in range(1, self.scale.evaluators):
            org = rng.randrange(len(data.EVALUATOR_ORGS))
            title = "교수" if "대학교" in data.EVALUATOR_ORGS[org][0] else "박사"
            self.evaluators.append(add("evaluator", f"eval-{n:03d}", f"{self.person()} {title}", org=org))

    # Calls -----------------------------------------------------------------------------------------------
