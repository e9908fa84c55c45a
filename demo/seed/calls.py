"""The calls' rules, rubrics and titles by program type and year (domain brief §1.2–§1.3, §4)."""

from __future__ import annotations

from demo.seed import data
from demo.seed.records import (
    P,
    PRule,
)


def rules_for(program: str, year: int) -> list[PRule]:
    """Caps and shares by program type and year (domain brief §1.2); amounts in KRW, shares in bp."""
    m = 1_000_000
    if program == P.GOVERNMENT_ONLY:
        if year == 2014:  # the first ICT-convergence call: government 25 : private 75
            return [PRule("basic", "", 50 * m, 2500)]
        if year <= 2017:
            return [PRule("basic", "", 50 * m, 5000), PRule("advanced2", "", 200 * m, 4000)]
        if year == 2018:
            return [PRule("basic", "", 50 * m, 5000), PRule("advanced1", "", 100 * m, 5000)]
        if year <= 2020:
            return [
                PRule("basic", "", 100 * m, 5000, local_max_bp=1000),
                PRule("advanced1", "", 150 * m, 5000, local_max_bp=1000),
            ]
        if year == 2021:
            return [
                PRule("basic", "", 100 * m, 5000, local_max_bp=1000),
                PRule("advanced1", "", 200 * m, 5000, local_max_bp=1000),
                PRule("advanced2", "", 400 * m, 5000),
            ]
        return [
            PRule("basic", "", 50 * m, 5000, partner_max_bp=0),
            PRule("advanced1", "", 200 * m, 5000, partner_max_bp=0),
            PRule("advanced2", "", 400 * m, 5000, partner_max_bp=0),
        ]
    if program == P.WINWIN_TYPE1:
        shares = {"gov_max_bp": 3000, "partner_min_bp": 3000, "sme_max_bp": 4000}
        caps = {"basic": 50, "advanced1": 100} if year <= 2019 else {"basic": 90, "advanced1": 180}
        if year >= 2022:
            caps = {"basic": 42, "advanced1": 120, "advanced2": 240}
        return [
            PRule(level, "", cap * m, shares["gov_max_bp"], partner_min_bp=3000, sme_max_bp=4000)
            for level, cap in caps.items()
        ]
    if program == P.WINWIN_TYPE2:
        return [
            PRule(
                "basic",
                "",
                10 * m,
                5000,
                total_cap_krw=20 * m,
                gov_min_bp=5000,
                partner_min_bp=5000,
                partner_max_bp=5000,
                sme_max_bp=0,
            )
        ]
    rules = [
        PRule("basic", "", 30 * m, 3000, combined_max_bp=6000),
        PRule("advanced1", "", 50 * m, 3000, combined_max_bp=6000),
        # Micro-businesses get the basic level fully funded up to 20 million won (the Samsung track's
        # small-firm rule); a size-specific rule wins over the general one.
        PRule("basic", "micro", 10 * m, 5000, total_cap_krw=20 * m, combined_max_bp=10000),
    ]
    if year >= 2023:
        rules.append(PRule("advanced2", "", 100 * m, 3000, combined_max_bp=6000))
    return rules


def rubric_for(program: str, year: int) -> list[tuple[str, str, str, int, int]]:
    if program == P.WINWIN_TYPE2:
        return [
            ("necessity", "도입 필요성", "Need for adoption", 40, 10),
            ("feasibility", "추진 계획의 타당성", "Feasibility of the plan", 30, 10),
            ("effect", "기대 효과", "Expected effect", 30, 10),
        ]
    if program in (P.WINWIN_TYPE1, P.PARTNER_TRACK):
        return [
            ("necessity", "도입 필요성 및 준비도", "Need and readiness", 25, 10),
            ("feasibility", "추진 계획의 구체성·타당성", "Concreteness and feasibility of the plan", 30, 10),
            ("partnership", "상생협력 연계성", "Fit with the win-win partnership", 20, 10),
            ("effect", "기대 효과 및 성과 지표", "Expected effect and indicators", 25, 10),
        ]
    if year < 2019:
        return [
            ("necessity", "도입 필요성", "Need for adoption", 30, 10),
            ("feasibility", "추진 계획의 타당성", "Feasibility of the plan", 40, 10),
            ("effect", "기대 효과", "Expected effect", 30, 10),
        ]
    return [
        ("necessity", "도입 필요성 및 준비도", "Need and readiness", 25, 10),
        ("feasibility", "추진 계획의 구체성·타당성", "Concreteness and feasibility of the plan", 35, 10),
        ("capability", "기업 역량 및 추진 의지", "Company capability and commitment", 20, 10),
        ("effect", "기대 효과 및 성과 지표", "Expected effect and indicators", 20, 10),
    ]


def call_titles(program: str, year: int, rnd: int, lead: str, is_open: bool) -> tuple[str, str, str]:
    extra_ko = " 추가" if is_open else ""
    extra_en = " (additional call)" if is_open else ""
    if program == P.GOVERNMENT_ONLY:
        if year <= 2017:
            ko, en = "ICT융합 스마트공장 보급·확산 사업", "ICT-convergence smart factory deployment"
        elif year <= 2022:
            ko, en = "스마트공장 구축 및 고도화 지원사업", "smart factory build-out and upgrade support"
        else:
            ko, en = "선도형 스마트공장 구축 지원사업", "leading-type smart factory build-out support"
        desc = (
            "정부 단독지원형: 정부지원금은 총사업비의 50% 이내에서 목표 수준별 상한까지 지원합니다. "
            "Government-only: the grant covers up to 50 % of the project cost, capped by target level."
        )
    elif program == P.WINWIN_TYPE1:
        ko, en = (
            "대·중소 상생형 스마트공장 구축 지원사업 (유형1)",
            "large-SME win-win smart factory support (type 1)",
        )
        desc = (
            "상생형 유형1: 정부 30% 이내, 주관기관 30% 이상, 도입기업 40% 이내. "
            "Win-win type 1: government ≤ 30 %, partner firm ≥ 30 %, SME ≤ 40 %."
        )
    elif program == P.WINWIN_TYPE2:
        ko, en = (
            "대·중소 상생형 스마트공장 (유형2, 소기업 기초)",
            "large-SME win-win smart factory (type 2, small firms)",
        )
        desc = (
            "상생형 유형2: 소기업 기초 수준, 총사업비 2,000만 원 이내를 정부와 주관기관이 50%씩 지원합니다. "
            "Win-win type 2: small firms, basic level, up to 20 million won split 50/50 "
            "by government and partner."
        )
    else:
        lead_en = data.PARTNER_EN.get(lead, lead)
        ko, en = (
            f"{lead} 상생형 스마트공장 지원사업 (주관기관 트랙)",
            f"{lead_en} win-win smart factory track",
        )
        desc = (
            f"{lead} 주관 상생형 트랙: 정부와 주관기관 지원 합계는 총사업비의 60% 이내입니다. "
            f"{lead_en} partner track: government and partner support together at most 60 % of the cost."
        )
    return (
        f"{year}년 {ko}{extra_ko} {rnd}차 공고",
        f"{year} {en}{extra_en}, call {rnd}",
        desc,
    )
