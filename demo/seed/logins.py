"""The demo logins: one per role, all with the same published password."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import (
    User,
)
from core.roles import Role

DEMO_PASSWORD = "demo-pass-2026!"  # noqa: S105 - the published password of the demo logins


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    role_ko: str
    role_en: str
    try_ko: str
    try_en: str


DEMO_LOGINS = [
    DemoLogin(
        "sme",
        Role.SME,
        "도입기업 ((주)한빛정밀)",
        "SME applicant (Hanbit Precision)",
        "신청 현황 확인, 정부 단독지원형 신청서 제출, 삼성전자 부담금 확인 후 상생형 신청서(화성공장) 제출, "
        "삼성전자 매칭·멘토링 내역, 본사공장 스마트공장의 기한 지난 성과 보고 제출",
        "track applications; submit the government-only draft; submit the win-win draft (화성공장) once "
        "Samsung confirmed its share; the Samsung match and its mentoring; file the overdue outcome report "
        "of the main plant's smart factory",
    ),
    DemoLogin(
        "sme2",
        Role.SME,
        "도입기업 (대성금속(주))",
        "SME applicant (Daeseong Metal)",
        "삼성전자의 매칭 제안 수락·거절, 다른 기업의 신청서가 보이지 않는지 확인",
        "accept or decline Samsung's match proposal; check that other companies' applications stay hidden",
    ),
    DemoLogin(
        "supplier",
        Role.SUPPLIER,
        "공급기업 ((주)한결스마트솔루션)",
        "Supplier (Hangyeol Smart Solutions)",
        "구축을 맡은 과제 목록",
        "projects this supplier builds",
    ),
    DemoLogin(
        "partner",
        Role.PARTNER,
        "주관기관 (삼성전자)",
        "Partner firm (Samsung Electronics)",
        "2026 상생협약 포트폴리오, 매칭 제안·진행, 한빛정밀 화성공장 신청서 부담금 확인, 멘토링 일지",
        "the 2026 agreement's portfolio; propose and run matches; confirm the share of Hanbit's "
        "화성공장 draft; log mentoring",
    ),
    DemoLogin(
        "institution",
        Role.INSTITUTION,
        "협력기관 (중소기업중앙회)",
        "Cooperating institution (KBIZ)",
        "삼성전자·포스코 컨소시엄의 상생협약(출연·확정액·멘티 정원) 관리",
        "administer the Samsung and POSCO consortia's agreements (pledges, commitments, mentee quotas)",
    ),
    DemoLogin(
        "officer",
        Role.REGIONAL_OFFICER,
        "지역센터 담당자 (경기)",
        "Regional center officer (Gyeonggi)",
        "경기 지역 신청서 요건검토 (협약·점검은 자금 관리 기능에서 제공 예정)",
        "screen Gyeonggi applications (agreements and inspections arrive with the money work)",
    ),
    DemoLogin(
        "evaluator",
        Role.EVALUATOR,
        "평가위원 (한국공학대학교)",
        "Evaluator (Tech University of Korea)",
        "이해충돌 신고 후 배정된 신청서 2건 평가",
        "declare no conflict and score the 2 pending assignments",
    ),
    DemoLogin(
        "official",
        Role.OFFICIAL,
        "추진단 담당자 (KOSMO, 관리자)",
        "Ministry / KOSMO official (admin)",
        "정부 단독지원형 추가 공고 상위 N건 선정, 주관기관별 출연·매칭·멘토링 비교, 성과 보고 검토, "
        "스마트공장·수준확인·선도 스마트산단·과거 집계 조회, /admin/",
        "select the top N in the open government-only call; compare partner firms' pledges, matches "
        "and mentoring; review outcome reports; factories, level history, leading complexes and the "
        "historical aggregates; /admin/",
    ),
    DemoLogin(
        "finance",
        Role.FINANCE,
        "재무 담당자 (KOSMO)",
        "Finance officer (KOSMO)",
        "지원 확정 과제 조회 (지급 승인은 자금 관리 기능에서 제공 예정)",
        "supported projects (payment approval arrives with the money work)",
    ),
    DemoLogin(
        "trainer",
        Role.TRAINING_PROVIDER,
        "교육기관 (스마트공장 배움터 안산)",
        "Training provider (Smart Factory Learning Center Ansan)",
        "진행 중인 기수의 수료 인원 입력, 과정별 교육 실적",
        "enter the completions of the cohorts running now; the provider's courses and cohorts",
    ),
    DemoLogin(
        "auditor",
        Role.AUDITOR,
        "감사 담당자 (KOSMO, 읽기 전용)",
        "Auditor (KOSMO, read-only)",
        "모든 이력의 읽기 전용 조회",
        "read-only view of every record and its history",
    ),
]


def demo_users() -> list[tuple[DemoLogin, User | None]]:
    users = {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_LOGINS])}
    return [(d, users.get(d.username)) for d in DEMO_LOGINS]
