"""Reference data: regions with validity-dated MOIS codes, KSIC manufacturing divisions, levels,
target-level categories and firm-size classes (domain brief §2, §6.3–6.5).

Start dates before the program began (2014) are not used by any rule; they record when the region got
its current code where known, otherwise 1988-01-01, the start of the MOIS administrative code list.
"""

import datetime as dt

from django.db import migrations

D = dt.date

# slug, name_ko (current), name_en, kostat, iso, [(mois code, name_ko then, name_en then, from, to)]
REGIONS = [
    ("seoul", "서울특별시", "Seoul", "11", "KR-11", [("11", "서울특별시", "Seoul", D(1988, 1, 1), None)]),
    ("busan", "부산광역시", "Busan", "21", "KR-26", [("26", "부산광역시", "Busan", D(1988, 1, 1), None)]),
    ("daegu", "대구광역시", "Daegu", "22", "KR-27", [("27", "대구광역시", "Daegu", D(1988, 1, 1), None)]),
    (
        "incheon",
        "인천광역시",
        "Incheon",
        "23",
        "KR-28",
        [("28", "인천광역시", "Incheon", D(1988, 1, 1), None)],
    ),
    (
        "gwangju",
        "광주광역시",
        "Gwangju",
        "24",
        "KR-29",
        [("29", "광주광역시", "Gwangju", D(1988, 1, 1), None)],
    ),
    (
        "daejeon",
        "대전광역시",
        "Daejeon",
        "25",
        "KR-30",
        [("30", "대전광역시", "Daejeon", D(1988, 1, 1), None)],
    ),
    ("ulsan", "울산광역시", "Ulsan", "26", "KR-31", [("31", "울산광역시", "Ulsan", D(1997, 7, 15), None)]),
    (
        "sejong",
        "세종특별자치시",
        "Sejong",
        "29",
        "KR-50",
        [("36", "세종특별자치시", "Sejong", D(2012, 7, 1), None)],
    ),
    ("gyeonggi", "경기도", "Gyeonggi", "31", "KR-41", [("41", "경기도", "Gyeonggi", D(1988, 1, 1), None)]),
    (
        "gangwon",
        "강원특별자치도",
        "Gangwon",
        "32",
        "KR-42",
        [
            ("42", "강원도", "Gangwon Province", D(1988, 1, 1), D(2023, 6, 10)),
            ("51", "강원특별자치도", "Gangwon State", D(2023, 6, 11), None),
        ],
    ),
    (
        "chungbuk",
        "충청북도",
        "Chungbuk",
        "33",
        "KR-43",
        [("43", "충청북도", "Chungbuk", D(1988, 1, 1), None)],
    ),
    (
        "chungnam",
        "충청남도",
        "Chungnam",
        "34",
        "KR-44",
        [("44", "충청남도", "Chungnam", D(1988, 1, 1), None)],
    ),
    (
        "jeonbuk",
        "전북특별자치도",
        "Jeonbuk",
        "35",
        "KR-45",
        [
            ("45", "전라북도", "Jeollabuk-do", D(1988, 1, 1), D(2024, 1, 17)),
            ("52", "전북특별자치도", "Jeonbuk State", D(2024, 1, 18), None),
        ],
    ),
    ("jeonnam", "전라남도", "Jeonnam", "36", "KR-46", [("46", "전라남도", "Jeonnam", D(1988, 1, 1), None)]),
    (
        "gyeongbuk",
        "경상북도",
        "Gyeongbuk",
        "37",
        "KR-47",
        [("47", "경상북도", "Gyeongbuk", D(1988, 1, 1), None)],
    ),
    (
        "gyeongnam",
        "경상남도",
        "Gyeongnam",
        "38",
        "KR-48",
        [("48", "경상남도", "Gyeongnam", D(1988, 1, 1), None)],
    ),
    (
        "jeju",
        "제주특별자치도",
        "Jeju",
        "39",
        "KR-49",
        [("50", "제주특별자치도", "Jeju", D(2006, 7, 1), None)],
    ),
]

KSIC_DIVISIONS = [
    ("10", "식료품 제조업", "Manufacture of food products"),
    ("11", "음료 제조업", "Manufacture of beverages"),
    ("12", "담배 제조업", "Manufacture of tobacco products"),
    ("13", "섬유제품 제조업; 의복 제외", "Manufacture of textiles, except apparel"),
    (
        "14",
        "의복, 의복 액세서리 및 모피제품 제조업",
        "Manufacture of wearing apparel, clothing accessories and fur articles",
    ),
    ("15", "가죽, 가방 및 신발 제조업", "Manufacture of leather, luggage and footwear"),
    (
        "16",
        "목재 및 나무제품 제조업; 가구 제외",
        "Manufacture of wood and products of wood and cork, except furniture",
    ),
    ("17", "펄프, 종이 및 종이제품 제조업", "Manufacture of pulp, paper and paper products"),
    ("18", "인쇄 및 기록매체 복제업", "Printing and reproduction of recorded media"),
    (
        "19",
        "코크스, 연탄 및 석유정제품 제조업",
        "Manufacture of coke, briquettes and refined petroleum products",
    ),
    (
        "20",
        "화학 물질 및 화학제품 제조업; 의약품 제외",
        "Manufacture of chemicals and chemical products, except pharmaceuticals",
    ),
    (
        "21",
        "의료용 물질 및 의약품 제조업",
        "Manufacture of pharmaceuticals, medicinal chemicals and botanical products",
    ),
    ("22", "고무 및 플라스틱제품 제조업", "Manufacture of rubber and plastics products"),
    ("23", "비금속 광물제품 제조업", "Manufacture of other non-metallic mineral products"),
    ("24", "1차 금속 제조업", "Manufacture of basic metals"),
    (
        "25",
        "금속 가공제품 제조업; 기계 및 가구 제외",
        "Manufacture of fabricated metal products, except machinery and furniture",
    ),
    (
        "26",
        "전자 부품, 컴퓨터, 영상, 음향 및 통신장비 제조업",
        "Manufacture of electronic components, computers, video, audio and communication equipment",
    ),
    (
        "27",
        "의료, 정밀, 광학 기기 및 시계 제조업",
        "Manufacture of medical, precision and optical instruments, watches and clocks",
    ),
    ("28", "전기장비 제조업", "Manufacture of electrical equipment"),
    ("29", "기타 기계 및 장비 제조업", "Manufacture of other machinery and equipment"),
    ("30", "자동차 및 트레일러 제조업", "Manufacture of motor vehicles, trailers and semitrailers"),
    ("31", "기타 운송장비 제조업", "Manufacture of other transport equipment"),
    ("32", "가구 제조업", "Manufacture of furniture"),
    ("33", "기타 제품 제조업", "Other manufacturing"),
    ("34", "산업용 기계 및 장비 수리업", "Repair of industrial machinery and equipment"),
]

# code, rank, stage, name_ko, name_en (KS X 9001 level names; L1–L2 basic, L3 int. 1, L4 int. 2, L5 advanced)
LEVELS = [
    ("L1", 1, "basic", "레벨1 (점검)", "Level 1 (Checking)"),
    ("L2", 2, "basic", "레벨2 (모니터링)", "Level 2 (Monitoring)"),
    ("L3", 3, "intermediate1", "레벨3 (제어)", "Level 3 (Control)"),
    ("L4", 4, "intermediate2", "레벨4 (최적화)", "Level 4 (Optimisation)"),
    ("L5", 5, "advanced", "레벨5 (자율운영)", "Level 5 (Autonomous operation)"),
]

# code, order, reference level, name_ko, name_en
TARGET_LEVELS = [
    ("basic", 1, "L1", "기초 (생산정보 디지털화)", "Basic (digitised production data)"),
    ("advanced1", 2, "L3", "고도화1 (실시간 수집·분석)", "Upgrade 1 (real-time collection and analysis)"),
    ("advanced2", 3, "L4", "고도화2 (최적화·자동제어)", "Upgrade 2 (optimisation and automatic control)"),
]

# code, is_sme, order, name_ko, name_en, definition
FIRM_SIZES = [
    (
        "mid_sized",
        False,
        1,
        "중견기업",
        "Mid-sized enterprise",
        "중소기업 규모기준 초과(또는 자산 5,000억 원 이상) 기업 중 상호출자제한기업집단(자산 10조 원 이상)에 속하지 않는 기업. "
        "Above SME size but not in a cross-shareholding-restricted group.",
    ),
    (
        "medium",
        True,
        2,
        "중기업",
        "Medium enterprise",
        "소기업이 아닌 중소기업 (중소기업기본법 제2조). An SME that is not a small enterprise.",
    ),
    (
        "small",
        True,
        3,
        "소기업",
        "Small enterprise",
        "업종별 3년 평균매출액 기준(제조업 대부분 120억 원, 일부 80억 원) 이하 중소기업. "
        "An SME under its industry's small-enterprise sales band (120 or 80 billion KRW in manufacturing).",
    ),
    (
        "micro",
        True,
        4,
        "소상공인",
        "Micro-business",
        "제조업의 경우 상시근로자 10명 미만인 소기업. A small enterprise with fewer than 10 regular workers "
        "in manufacturing.",
    ),
]
FIRM_SIZE_VALID_FROM = D(2015, 1, 1)  # the sales-band criteria in force since 2015


def load(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    RegionCode = apps.get_model("core", "RegionCode")
    for order, (slug, name_ko, name_en, kostat, iso, codes) in enumerate(REGIONS, start=1):
        region = Region.objects.create(
            slug=slug, name_ko=name_ko, name_en=name_en, kostat_code=kostat, iso_code=iso, sort_order=order
        )
        for code, code_ko, code_en, valid_from, valid_to in codes:
            RegionCode.objects.create(
                region=region,
                mois_code=code,
                name_ko=code_ko,
                name_en=code_en,
                valid_from=valid_from,
                valid_to=valid_to,
            )
    KsicDivision = apps.get_model("core", "KsicDivision")
    KsicDivision.objects.bulk_create(
        [KsicDivision(code=c, name_ko=ko, name_en=en) for c, ko, en in KSIC_DIVISIONS]
    )
    Level = apps.get_model("core", "Level")
    levels = {
        code: Level.objects.create(code=code, rank=rank, stage=stage, name_ko=ko, name_en=en)
        for code, rank, stage, ko, en in LEVELS
    }
    TargetLevel = apps.get_model("core", "TargetLevel")
    for code, order, ref, ko, en in TARGET_LEVELS:
        TargetLevel.objects.create(
            code=code, sort_order=order, reference_level=levels[ref], name_ko=ko, name_en=en
        )
    FirmSizeClass = apps.get_model("core", "FirmSizeClass")
    for code, is_sme, order, ko, en, definition in FIRM_SIZES:
        FirmSizeClass.objects.create(
            code=code,
            is_sme=is_sme,
            sort_order=order,
            name_ko=ko,
            name_en=en,
            definition=definition,
            valid_from=FIRM_SIZE_VALID_FROM,
        )


def unload(apps, schema_editor):
    for model in ("FirmSizeClass", "TargetLevel", "Level", "KsicDivision", "RegionCode", "Region"):
        apps.get_model("core", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
