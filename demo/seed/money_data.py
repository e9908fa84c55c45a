"""Korean vocabulary of the money layer the generator draws from: banks and their account formats, the
scope of work of an agreement, notes and reasons of disbursements, reversals, recoveries (환수) and change
requests (사업변경). Korean first, English in parentheses, like the rest of the seed's notes.
"""

from __future__ import annotations

# Banks of project accounts (협약 계좌): name, digit groups of the account number (10–14 digits in all) and a
# nationwide weight. IBK, the SME policy bank, holds most project accounts.
BANKS: list[tuple[str, tuple[int, ...], float]] = [
    ("IBK기업은행", (3, 6, 2, 3), 30.0),
    ("KB국민은행", (6, 2, 6), 14.0),
    ("신한은행", (3, 3, 6), 12.0),
    ("우리은행", (4, 3, 6), 10.0),
    ("하나은행", (3, 6, 5), 9.0),
    ("NH농협은행", (3, 4, 4, 2), 9.0),
    ("KDB산업은행", (3, 4, 4, 3), 2.0),
    ("수협은행", (3, 2, 6, 1), 1.0),
]
# Regional banks, chosen by a third of the firms of their regions.
REGIONAL_BANKS: dict[str, tuple[str, tuple[int, ...]]] = {
    "busan": ("BNK부산은행", (3, 4, 4, 2)),
    "gyeongnam": ("BNK경남은행", (3, 2, 7, 1)),
    "daegu": ("iM뱅크", (3, 2, 6, 1)),
    "gyeongbuk": ("iM뱅크", (3, 2, 6, 1)),
    "gwangju": ("광주은행", (3, 3, 6)),
    "jeonnam": ("광주은행", (3, 3, 6)),
    "jeonbuk": ("전북은행", (3, 2, 7)),
    "jeju": ("제주은행", (2, 2, 6)),
}

# What an agreement builds, by target level (three or four of them per agreement).
SCOPE_ITEMS: dict[str, list[str]] = {
    "basic": [
        "POP 단말 {n}대 설치 및 작업실적 수집",
        "MES 기본 모듈(작업지시·생산실적·재고) 구축",
        "바코드 기반 자재 입출고 관리",
        "생산현황 모니터링 대시보드 구축",
        "불량 유형별 실적 집계 및 보고서 자동화",
        "기존 ERP와 생산실적 연계",
    ],
    "advanced1": [
        "주요 설비 {n}대 PLC·센서 연동 데이터 수집",
        "설비종합효율(OEE) 실시간 모니터링",
        "MES 품질관리·공정관리 모듈 구축",
        "SPC 기반 공정 품질 관리",
        "설비 예방보전 관리 시스템 구축",
        "LOT 추적 및 품질이력 관리",
    ],
    "advanced2": [
        "AI 기반 불량 예측 모델 구축",
        "비전 검사 장비 {n}식 및 자동 판정 시스템",
        "공정 디지털 트윈 구축",
        "설비 데이터 기반 자동제어 적용",
        "에너지 사용량 실시간 분석·최적화",
        "생산계획 최적화(APS) 구축",
    ],
}
SCOPE_CHANGES: list[str] = [
    "도입 설비 모델 단종으로 동급 후속 모델로 변경",
    "MES 모듈 구성 조정: 재고관리 모듈을 품질이력 관리로 대체",
    "데이터 수집 대상 설비를 신규 라인으로 변경",
    "대시보드 구축 범위를 사무동에서 현장 모니터로 변경",
]

# Notes of disbursement requests, by source and tranche; interim notes take the installment number.
REQUEST_NOTES: dict[tuple[str, str], str] = {
    ("government", "advance"): "정부지원금 선급금 청구",
    ("government", "interim"): "정부지원금 중도금 {n}회차 청구 (기성 확인)",
    ("government", "final"): "정부지원금 잔금 청구 (최종점검 완료)",
    ("local", "advance"): "지방비 선급금 청구",
    ("local", "interim"): "지방비 중도금 {n}회차 청구",
    ("local", "final"): "지방비 잔금 청구",
    ("partner", "advance"): "주관기관 부담금 선급분 입금 확인",
    ("partner", "interim"): "주관기관 부담금 {n}회차 입금 확인",
    ("partner", "final"): "주관기관 부담금 잔여분 입금 확인",
    ("sme", "advance"): "기업부담금 선급분 입금 확인",
    ("sme", "interim"): "기업부담금 {n}회차 입금 확인",
    ("sme", "final"): "기업부담금 잔여분 입금 확인",
}
REJECT_REASONS: list[str] = [
    "증빙서류 미비: 세금계산서 누락 (Supporting documents missing: tax invoice)",
    "기성 확인서 미제출 (Progress certificate not submitted)",
    "청구 금액과 검수 금액 불일치 (Amount differs from the inspected amount)",
    "협약 계좌 정보 불일치 (Account details differ from the agreement)",
    "동일 회차 중복 청구 (The same installment was requested twice)",
]
TERMINATION_REJECT = "협약 해지로 지급 중지 (Stopped: the agreement is being terminated)"
REVERSAL_NOTES: list[str] = [
    "수취 계좌 오류로 반송되어 지급 취소 (Returned: wrong receiving account)",
    "예금주 불일치로 반송되어 지급 취소 (Returned: account holder mismatch)",
]
REPAY_NOTE = "반송 지급분 재청구 (Paid again after the returned payment)"
RECOVERY_REASONS: list[str] = [
    "정산 검토 결과 목적 외 사용분 환수 (Settlement review: spent outside the agreed purpose)",
    "정산 검토 결과 불인정 금액 환수 (Settlement review: expenses not accepted)",
    "사업비 계좌 발생 이자 환수 (Interest earned on the project account)",
]

# Change requests (사업변경): reasons by kind, and the officials' notes.
PERIOD_REASONS: list[str] = [
    "공급기업 설비 납품 지연으로 사업기간 연장 (Equipment delivery delayed: period extended)",
    "현장 공사 일정 변경으로 사업기간 연장 (Site work rescheduled: period extended)",
    "성수기 생산 일정과 겹쳐 구축 일정 조정 (Build-out moved around the peak season)",
]
SCOPE_REASONS: list[str] = [
    "도입 예정 설비 단종에 따른 구축 범위 변경 (Planned equipment discontinued: scope changed)",
    "공정 재배치로 데이터 수집 대상 변경 (Process layout changed: data collection moved)",
]
CHANGE_APPROVE_NOTES: list[str] = ["", "변경 승인 (Approved)", "증빙 확인 후 승인 (Approved on the evidence)"]
CHANGE_REJECT_NOTES: list[str] = [
    "변경 사유에 대한 증빙 부족 (Not enough evidence for the change)",
    "사업 목적과 무관한 범위 변경 (Scope change unrelated to the project's purpose)",
    "기간 연장 사유가 도입기업 귀책으로 판단됨 (Delay caused by the company itself)",
]
