"""Korean vocabulary and program facts the generator draws from (domain brief §1–§6).

Weights are relative, not percentages. Where the brief gives a share it is quoted beside the weight.
"""

from __future__ import annotations

from typing import NamedTuple

# --- People -------------------------------------------------------------------------------------------

# Surnames with their approximate shares of the population (김 21 %, 이 14.7 %, 박 8.4 % …).
SURNAMES: list[tuple[str, float]] = [
    ("김", 21.5),
    ("이", 14.7),
    ("박", 8.4),
    ("최", 4.7),
    ("정", 4.3),
    ("강", 2.4),
    ("조", 2.1),
    ("윤", 2.1),
    ("장", 2.0),
    ("임", 1.7),
    ("한", 1.5),
    ("오", 1.5),
    ("서", 1.5),
    ("신", 1.4),
    ("권", 1.4),
    ("황", 1.4),
    ("안", 1.4),
    ("송", 1.3),
    ("류", 1.2),
    ("전", 1.1),
    ("홍", 1.1),
    ("고", 0.9),
    ("문", 0.9),
    ("양", 0.9),
    ("손", 0.9),
    ("배", 0.8),
    ("백", 0.8),
    ("허", 0.7),
    ("유", 0.6),
    ("남", 0.6),
    ("노", 0.6),
    ("하", 0.5),
    ("곽", 0.4),
    ("성", 0.4),
    ("차", 0.4),
    ("주", 0.4),
    ("우", 0.4),
    ("구", 0.4),
    ("민", 0.3),
    ("진", 0.3),
]

# Given names typical of business owners and staff now in their forties to sixties.
GIVEN_NAMES: list[str] = [
    "영수",
    "영호",
    "영철",
    "영식",
    "성수",
    "성호",
    "성진",
    "성민",
    "정호",
    "정훈",
    "정수",
    "상철",
    "상훈",
    "상우",
    "병국",
    "병철",
    "재훈",
    "재현",
    "재석",
    "기현",
    "기철",
    "동수",
    "동현",
    "동욱",
    "진호",
    "진우",
    "광호",
    "광수",
    "명수",
    "명호",
    "종현",
    "종민",
    "태식",
    "태호",
    "준호",
    "준영",
    "형석",
    "승철",
    "승현",
    "용준",
    "용호",
    "대현",
    "대성",
    "석진",
    "현우",
    "현수",
    "민수",
    "민철",
    "지훈",
    "경수",
    "경호",
    "창호",
    "창민",
    "희철",
    "인수",
    "인호",
    "순호",
    "미숙",
    "정숙",
    "은숙",
    "현숙",
    "경자",
    "영희",
    "순자",
    "미경",
    "은정",
    "지영",
    "수진",
    "혜진",
    "정희",
    "경희",
    "명숙",
    "윤희",
    "소영",
    "현정",
    "미란",
    "선영",
    "은주",
    "수경",
    "혜숙",
    "금순",
    "옥자",
    "정미",
    "지연",
    "은영",
    "미영",
]

# --- Companies ----------------------------------------------------------------------------------------

# First and second syllables of company-name stems, with romanizations (Revised Romanization).
STEM_FIRST: dict[str, str] = {
    "대": "Dae",
    "한": "Han",
    "동": "Dong",
    "삼": "Sam",
    "세": "Se",
    "신": "Shin",
    "우": "Woo",
    "태": "Tae",
    "금": "Geum",
    "성": "Seong",
    "영": "Young",
    "제": "Je",
    "서": "Seo",
    "화": "Hwa",
    "진": "Jin",
    "일": "Il",
    "중": "Jung",
    "경": "Gyeong",
    "광": "Gwang",
    "남": "Nam",
    "명": "Myeong",
    "부": "Bu",
    "상": "Sang",
    "수": "Su",
    "용": "Yong",
    "원": "Won",
    "유": "Yu",
    "은": "Eun",
    "장": "Jang",
    "정": "Jeong",
    "창": "Chang",
    "천": "Cheon",
    "청": "Cheong",
    "해": "Hae",
    "현": "Hyeon",
    "효": "Hyo",
    "흥": "Heung",
    "국": "Guk",
    "보": "Bo",
    "덕": "Deok",
}
STEM_SECOND: dict[str, str] = {
    "한": "han",
    "성": "seong",
    "진": "jin",
    "원": "won",
    "일": "il",
    "신": "shin",
    "영": "young",
    "우": "woo",
    "창": "chang",
    "광": "gwang",
    "화": "hwa",
    "명": "myeong",
    "아": "a",
    "양": "yang",
    "흥": "heung",
    "림": "rim",
    "보": "bo",
    "산": "san",
    "전": "jeon",
    "호": "ho",
    "도": "do",
    "인": "in",
    "주": "ju",
    "건": "geon",
    "국": "guk",
    "빛": "bit",
    "솔": "sol",
    "경": "gyeong",
}
# Brand-like stems that SMEs also use.
STEM_BRANDS: dict[str, str] = {
    "에이스": "Ace",
    "유니": "Uni",
    "코리아": "Korea",
    "글로벌": "Global",
    "테크노": "Techno",
    "나노": "Nano",
    "씨엔": "CN",
    "에스엠": "SM",
    "케이": "K",
    "제이": "J",
    "뉴": "New",
    "티에스": "TS",
    "디에이치": "DH",
    "에이치엔": "HN",
    "미래": "Mirae",
    "한국": "Hankook",
    "동양": "Dongyang",
    "대한": "Daehan",
    "세계": "Segye",
    "신성": "Shinsung",
}

# Industry words by KSIC division: (Korean, English).
INDUSTRY_WORDS: dict[str, list[tuple[str, str]]] = {
    "10": [("식품", "Foods"), ("푸드", "Food"), ("제과", "Confectionery"), ("농산", "Agro"), ("F&B", "F&B")],
    "11": [("음료", "Beverage"), ("양조", "Brewery")],
    "12": [("엽초", "Leaf Tobacco")],
    "13": [("섬유", "Textile"), ("방직", "Spinning"), ("텍스타일", "Textile")],
    "14": [("어패럴", "Apparel"), ("패션", "Fashion")],
    "15": [("피혁", "Leather"), ("슈즈", "Shoes")],
    "16": [("목재", "Wood"), ("우드", "Wood")],
    "17": [("제지", "Paper"), ("포장", "Packaging")],
    "18": [("인쇄", "Printing"), ("프린팅", "Printing")],
    "19": [("에너지", "Energy"), ("유화", "Petrochemical")],
    "20": [("화학", "Chemical"), ("케미칼", "Chemical"), ("소재", "Materials")],
    "21": [("제약", "Pharmaceutical"), ("바이오", "Bio"), ("팜", "Pharm")],
    "22": [("플라스틱", "Plastics"), ("화성", "Plastics"), ("폴리머", "Polymer"), ("고무", "Rubber")],
    "23": [("세라믹", "Ceramics"), ("요업", "Ceramics"), ("글라스", "Glass")],
    "24": [("제강", "Steel"), ("주조", "Casting"), ("금속", "Metal"), ("스틸", "Steel")],
    "25": [
        ("금속", "Metal"),
        ("메탈", "Metal"),
        ("정공", "Precision Works"),
        ("금형", "Mold"),
        ("단조", "Forging"),
    ],
    "26": [
        ("전자", "Electronics"),
        ("일렉트로닉스", "Electronics"),
        ("반도체", "Semiconductor"),
        ("디스플레이", "Display"),
    ],
    "27": [("광학", "Optics"), ("메디칼", "Medical"), ("계측", "Instruments")],
    "28": [("전기", "Electric"), ("전력", "Power"), ("일렉트릭", "Electric")],
    "29": [
        ("정밀", "Precision"),
        ("기계", "Machinery"),
        ("엔지니어링", "Engineering"),
        ("산업", "Industrial"),
        ("테크", "Tech"),
    ],
    "30": [
        ("오토텍", "Autotech"),
        ("모터스", "Motors"),
        ("오토", "Auto"),
        ("부품", "Parts"),
        ("모빌리티", "Mobility"),
    ],
    "31": [("조선", "Shipbuilding"), ("마린", "Marine"), ("에어로", "Aero")],
    "32": [("가구", "Furniture"), ("퍼니처", "Furniture")],
    "33": [("산업", "Industry"), ("완구", "Toys")],
    "34": [("정비", "Maintenance"), ("엔지니어링", "Engineering")],
}

# KSIC divisions with weights (2020 deployments: machinery 18.0 %, metal 13.8 %, auto parts 10.1 %,
# electronic components 6.1 %; domain brief §3.5).
KSIC_WEIGHTS: list[tuple[str, float]] = [
    ("29", 18.0),
    ("25", 13.8),
    ("30", 10.1),
    ("22", 8.0),
    ("26", 6.1),
    ("10", 6.0),
    ("28", 6.0),
    ("20", 5.0),
    ("24", 4.0),
    ("27", 4.0),
    ("23", 3.0),
    ("33", 2.0),
    ("17", 2.0),
    ("13", 2.0),
    ("21", 1.5),
    ("31", 1.5),
    ("32", 1.5),
    ("11", 1.0),
    ("14", 1.0),
    ("34", 1.0),
    ("16", 0.8),
    ("18", 0.8),
    ("15", 0.5),
    ("19", 0.2),
    ("12", 0.05),
]

# Typical production process by division, used in project titles.
PROCESS_BY_KSIC: dict[str, str] = {
    "10": "식품 가공·포장",
    "11": "음료 충전",
    "12": "원료 가공",
    "13": "방적·제직",
    "14": "재단·봉제",
    "15": "재단·성형",
    "16": "목재 가공",
    "17": "지류 가공",
    "18": "인쇄",
    "19": "정제",
    "20": "배합·반응",
    "21": "원료 칭량·충전",
    "22": "사출성형",
    "23": "소성",
    "24": "주조·압연",
    "25": "프레스·용접",
    "26": "SMT 실장",
    "27": "정밀 조립",
    "28": "권선·조립",
    "29": "기계가공",
    "30": "자동차 부품 사출·조립",
    "31": "선박 블록 용접",
    "32": "목공·도장",
    "33": "조립",
    "34": "설비 정비",
}

# Firm-size classes (codes of core.FirmSizeClass): mostly 소기업 and 중기업, some 소상공인, few 중견.
SIZE_WEIGHTS: list[tuple[str, float]] = [
    ("small", 55.0),
    ("medium", 28.0),
    ("micro", 14.0),
    ("mid_sized", 3.0),
]
# Regular employees and annual revenue (KRW) ranges by size class.
SIZE_PROFILES: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "micro": ((3, 9), (300_000_000, 3_000_000_000)),
    "small": ((10, 49), (1_500_000_000, 12_000_000_000)),
    "medium": ((50, 299), (12_000_000_000, 150_000_000_000)),
    "mid_sized": ((300, 1_200), (150_000_000_000, 800_000_000_000)),
}

# --- Regions and addresses ---------------------------------------------------------------------------

# Company regions (capital region + Yeongnam ≈ 72 %, domain brief §3.4).
REGION_WEIGHTS: list[tuple[str, float]] = [
    ("gyeonggi", 27.0),
    ("gyeongnam", 10.5),
    ("gyeongbuk", 8.0),
    ("daegu", 7.0),
    ("busan", 7.0),
    ("incheon", 6.0),
    ("chungnam", 7.0),
    ("seoul", 4.0),
    ("ulsan", 2.5),
    ("chungbuk", 5.5),
    ("jeonbuk", 3.3),
    ("jeonnam", 2.9),
    ("gwangju", 2.6),
    ("daejeon", 2.0),
    ("gangwon", 2.5),
    ("sejong", 0.7),
    ("jeju", 0.5),
]
# Supplier regions (2022: Seoul 31.8 %, Gyeonggi 21.9 %, Gyeongnam 8.8 %, Busan 7.7 %, Daegu 6.1 %).
SUPPLIER_REGION_WEIGHTS: list[tuple[str, float]] = [
    ("seoul", 31.8),
    ("gyeonggi", 21.9),
    ("gyeongnam", 8.8),
    ("busan", 7.7),
    ("daegu", 6.1),
    ("incheon", 4.0),
    ("daejeon", 4.0),
    ("gyeongbuk", 3.5),
    ("chungnam", 3.0),
    ("chungbuk", 2.5),
    ("gwangju", 2.2),
    ("ulsan", 1.8),
    ("jeonbuk", 1.2),
    ("jeonnam", 0.7),
    ("gangwon", 0.5),
    ("sejong", 0.2),
    ("jeju", 0.1),
]

# Per region: (시도 as written in addresses, [(시군구 and 읍면, postal prefix of 3 digits, [roads])]).
ADDRESSES: dict[str, tuple[str, list[tuple[str, str, list[str]]]]] = {
    "seoul": (
        "서울특별시",
        [
            ("금천구", "085", ["가산디지털1로", "가산디지털2로", "벚꽃로"]),
            ("구로구", "083", ["디지털로", "경인로"]),
            ("성동구", "047", ["성수이로", "아차산로"]),
            ("영등포구", "072", ["문래로", "도림로"]),
        ],
    ),
    "busan": (
        "부산광역시",
        [
            ("강서구", "467", ["녹산산단321로", "녹산산단335로", "과학산단1로"]),
            ("사상구", "469", ["학장로", "새벽로"]),
            ("사하구", "494", ["신산로", "장평로"]),
            ("기장군 장안읍", "460", ["장안산단로", "반룡로"]),
        ],
    ),
    "daegu": (
        "대구광역시",
        [
            ("달서구", "427", ["성서공단로", "성서동로", "호산동로"]),
            ("북구", "415", ["검단로", "유통단지로"]),
            ("달성군 논공읍", "429", ["논공로", "논공중앙로"]),
            ("서구", "417", ["염색공단로", "국채보상로"]),
        ],
    ),
    "incheon": (
        "인천광역시",
        [
            ("남동구", "215", ["남동대로", "앵고개로", "남동서로"]),
            ("서구", "224", ["가좌로", "봉수대로"]),
            ("부평구", "213", ["부평대로", "청천로"]),
        ],
    ),
    "gwangju": (
        "광주광역시",
        [
            ("광산구", "622", ["하남산단6번로", "하남산단8번로", "평동산단로"]),
            ("북구", "610", ["첨단과기로", "첨단연신로"]),
        ],
    ),
    "daejeon": (
        "대전광역시",
        [
            ("대덕구", "344", ["대화로", "문평동로", "신일동로"]),
            ("유성구", "340", ["테크노2로", "테크노4로"]),
        ],
    ),
    "ulsan": (
        "울산광역시",
        [
            ("북구", "442", ["효자로", "모듈화산업로"]),
            ("울주군 온산읍", "449", ["온산로", "덕신로"]),
            ("남구", "447", ["여천로", "장생포고래로"]),
        ],
    ),
    "sejong": (
        "세종특별자치시",
        [("전의면", "300", ["산단길", "덕고개길"]), ("부강면", "300", ["부강외천로"])],
    ),
    "gyeonggi": (
        "경기도",
        [
            ("안산시 단원구", "154", ["산단로", "강촌로", "해봉로", "엠티브이26로"]),
            ("시흥시", "150", ["공단1대로", "옥구천동로", "정왕천로"]),
            ("화성시 향남읍", "185", ["발안공단로", "제약공단1길"]),
            ("화성시 팔탄면", "183", ["시청로", "주석로"]),
            ("평택시 포승읍", "179", ["평택항로", "포승공단순환로"]),
            ("김포시 양촌읍", "100", ["황금로", "학운산단로"]),
            ("부천시 오정구", "144", ["오정로", "삼작로"]),
            ("용인시 처인구 백암면", "170", ["백암로", "근창로"]),
            ("파주시 월롱면", "108", ["엘지로", "덕은리길"]),
            ("안성시 미양면", "175", ["안성맞춤대로", "제2공단1길"]),
            ("포천시 가산면", "111", ["포천로", "가산로"]),
            ("남양주시 진건읍", "121", ["진관로", "사릉로"]),
        ],
    ),
    "gangwon": (
        "강원특별자치도",
        [
            ("원주시 문막읍", "264", ["동화공단로", "문막공단길"]),
            ("춘천시", "243", ["퇴계공단1길", "신북로"]),
            ("강릉시", "255", ["과학단지로", "남부로"]),
        ],
    ),
    "chungbuk": (
        "충청북도",
        [
            ("청주시 흥덕구", "286", ["직지대로", "옥산산단로"]),
            ("충주시", "274", ["기업도시1로", "첨단산업1로"]),
            ("음성군 대소면", "277", ["대풍산단로", "삼양로"]),
            ("진천군 덕산읍", "278", ["한삼로", "초평로"]),
        ],
    ),
    "chungnam": (
        "충청남도",
        [
            ("천안시 서북구 직산읍", "310", ["4산단로", "수헐로"]),
            ("아산시 음봉면", "314", ["산동로", "음봉로"]),
            ("당진시 송악읍", "317", ["부곡공단4길", "한진1길"]),
            ("서산시 대산읍", "319", ["대죽1로", "대산로"]),
            ("예산군 고덕면", "324", ["예당산단로", "상몽로"]),
        ],
    ),
    "jeonbuk": (
        "전북특별자치도",
        [
            ("군산시", "541", ["자유로", "외항로"]),
            ("전주시 덕진구", "548", ["팔복로", "기린대로"]),
            ("익산시", "545", ["석암로", "함열로"]),
            ("완주군 봉동읍", "553", ["완주산단로", "테크노밸리로"]),
        ],
    ),
    "jeonnam": (
        "전라남도",
        [
            ("여수시", "596", ["여수산단로", "망양로"]),
            ("광양시", "577", ["제철로", "항만대로"]),
            ("영암군 삼호읍", "584", ["대불로", "대불산단로"]),
            ("순천시 해룡면", "579", ["율촌산단1로", "해룡산단로"]),
        ],
    ),
    "gyeongbuk": (
        "경상북도",
        [
            ("구미시", "393", ["3공단1로", "1공단로", "산호대로"]),
            ("포항시 남구", "377", ["철강로", "괴동로"]),
            ("경산시 진량읍", "385", ["공단로", "일연로"]),
            ("칠곡군 왜관읍", "398", ["공단로", "석전로"]),
            ("영천시 금호읍", "388", ["금호로", "오계로"]),
        ],
    ),
    "gyeongnam": (
        "경상남도",
        [
            ("창원시 성산구", "515", ["공단로", "웅남로", "완암로"]),
            ("창원시 의창구", "514", ["팔용로", "차룡로"]),
            ("김해시 주촌면", "508", ["골든루트로", "서부로"]),
            ("양산시", "505", ["산막공단북로", "유산공단길"]),
            ("함안군 칠원읍", "520", ["칠원로", "용정로"]),
            ("진주시 사봉면", "528", ["사봉로", "사봉공단로"]),
        ],
    ),
    "jeju": ("제주특별자치도", [("제주시", "631", ["첨단로", "아봉로"]), ("서귀포시", "635", ["일주동로"])]),
}

# Short region names used in center names (경기스마트제조혁신센터), with English.
REGION_SHORT: dict[str, tuple[str, str]] = {
    "seoul": ("서울", "Seoul"),
    "busan": ("부산", "Busan"),
    "daegu": ("대구", "Daegu"),
    "incheon": ("인천", "Incheon"),
    "gwangju": ("광주", "Gwangju"),
    "daejeon": ("대전", "Daejeon"),
    "ulsan": ("울산", "Ulsan"),
    "sejong": ("세종", "Sejong"),
    "gyeonggi": ("경기", "Gyeonggi"),
    "gangwon": ("강원", "Gangwon"),
    "chungbuk": ("충북", "Chungbuk"),
    "chungnam": ("충남", "Chungnam"),
    "jeonbuk": ("전북", "Jeonbuk"),
    "jeonnam": ("전남", "Jeonnam"),
    "gyeongbuk": ("경북", "Gyeongbuk"),
    "gyeongnam": ("경남", "Gyeongnam"),
    "jeju": ("제주", "Jeju"),
}
# Provinces that have paid a local top-up on top of the national grant (domain brief §1.2).
LOCAL_TOP_UP_REGIONS = frozenset({"chungnam", "incheon", "gangwon", "jeonnam", "gyeongbuk"})

# Corporate-registry office codes (first four digits of a 법인등록번호) by region.
REGISTRY_OFFICES: dict[str, list[str]] = {
    "seoul": ["1101", "1144", "1155"],
    "gyeonggi": ["1311", "1345", "1358", "1341"],
    "incheon": ["1201", "1243"],
    "busan": ["1801", "1805"],
    "daegu": ["1701", "1711"],
    "ulsan": ["2301"],
    "gyeongnam": ["1941", "1946", "1949"],
    "gyeongbuk": ["1701", "1750", "1760"],
}

# --- Suppliers -----------------------------------------------------------------------------------------

SUPPLIER_WORDS: list[tuple[str, str]] = [
    ("솔루션", "Solutions"),
    ("시스템", "Systems"),
    ("인포텍", "Infotech"),
    ("아이티", "IT"),
    ("소프트", "Soft"),
    ("오토메이션", "Automation"),
    ("로보틱스", "Robotics"),
    ("데이터", "Data"),
    ("테크", "Tech"),
    ("이노베이션", "Innovation"),
    ("컨설팅", "Consulting"),
    ("스마트팩토리", "Smart Factory"),
]

# --- Projects ----------------------------------------------------------------------------------------

PROJECT_TITLES: dict[str, list[str]] = {
    "basic": [
        "{process} 공정 MES 구축을 통한 생산정보 디지털화",
        "{process} 작업일보 전산화 및 POP 도입",
        "바코드 기반 자재·재고 관리 시스템 구축 ({process})",
        "ERP-MES 연계를 통한 {process} 생산실적 관리",
        "{process} 공정 품질이력 관리 시스템 구축",
    ],
    "advanced1": [
        "{process} 설비 데이터 실시간 수집·분석 시스템 구축",
        "IoT 센서 기반 {process} 설비 모니터링 고도화",
        "{process} 공정 실시간 품질 모니터링 및 SPC 구축",
        "에너지 사용량 실시간 모니터링 및 {process} 공정 분석",
    ],
    "advanced2": [
        "AI 비전 검사 기반 {process} 불량 자동 판정",
        "디지털 트윈 기반 {process} 공정 최적화",
        "협동로봇 연계 {process} 자동화 라인 구축",
        "APS 기반 {process} 생산계획 최적화 및 자동제어",
    ],
}
PROJECT_SUMMARIES: dict[str, str] = {
    "basic": (
        "수기로 관리하던 작업지시·생산실적·불량 정보를 시스템으로 전환하여 생산정보를 디지털화합니다. "
        "목표: 생산성 {prod}% 향상, 불량률 {defect}% 감소."
    ),
    "advanced1": (
        "주요 설비에 센서와 PLC 연동을 구축하여 가동·품질 데이터를 실시간으로 수집·분석합니다. "
        "목표: 설비종합효율 {prod}% 향상, 불량률 {defect}% 감소."
    ),
    "advanced2": (
        "수집된 공정 데이터를 기반으로 AI 분석과 자동제어를 적용하여 공정을 최적화합니다. "
        "목표: 생산성 {prod}% 향상, 불량률 {defect}% 감소, 납기준수율 개선."
    ),
}

# --- Win-win partnerships (domain brief §4) -------------------------------------------------------------

# Cooperating institutions (협력기관): (Korean, English).
INSTITUTIONS: list[tuple[str, str]] = [
    ("중소기업중앙회", "Korea Federation of SMEs (KBIZ)"),
    ("대한상공회의소", "Korea Chamber of Commerce and Industry (KCCI)"),
    ("한국표준협회", "Korean Standards Association (KSA)"),
    ("대중소기업·농어업협력재단", "Large-Small Business Cooperation Foundation"),
]
KBIZ, KCCI, KSA, FOUNDATION = (ko for ko, _en in INSTITUTIONS)

WINWIN_FROM = 2018  # the win-win program was budgeted from 2018
TRACKS_FROM = 2022  # type 2 and the partner tracks exist from 2022 in the seed (calls.py)


class PartnerProfile(NamedTuple):
    """A partner firm (주관기관) and its consortium: whom it serves and what it pledges each year.

    Empty regions or industries mean all of them. `tracks` are the call tracks funded from 2022
    (win-win type 1 is funded every year); `pledge_eok` is the yearly pledge in 억 (100 million won)
    before the seed sizes it to what the applications commit; `quota` the yearly mentee quota.
    """

    name_ko: str
    name_en: str
    institution: str  # Korean name of the cooperating institution
    pledge_eok: int
    quota: int
    tracks: tuple[str, ...]
    regions: tuple[str, ...]
    industries: tuple[str, ...]
    mentors: tuple[int, int]  # mentors at small and at national scale
    national_only: bool = False


T1, T2, PT = "winwin_type1", "winwin_type2", "partner_track"
# The eight lead organisations of the 2019-07-02 agreement come first; the KCCI consortium's other members
# (Kia, Hyundai Mobis, Korea Western Power, KOGAS) and other public bodies and large firms join at
# national scale. Samsung: 100억 a year (MSS matches it), about 200 factories a year, ~160 advisers; it serves
# electronics and electrical firms (KSIC 26–28) nationwide with their plastics, metal and machinery suppliers.
PARTNER_PROFILES: list[PartnerProfile] = [
    PartnerProfile(
        "삼성전자",
        "Samsung Electronics",
        KBIZ,
        100,
        300,
        (T1, T2, PT),
        (),
        ("22", "25", "26", "27", "28", "29"),
        (6, 160),
    ),
    PartnerProfile("현대자동차", "Hyundai Motor Company", KCCI, 30, 120, (T1, PT), (), ("29", "30"), (4, 40)),
    PartnerProfile(
        "LG전자", "LG Electronics", KCCI, 25, 100, (T1, PT), (), ("22", "26", "27", "28"), (4, 40)
    ),
    PartnerProfile(
        "포스코", "POSCO", KBIZ, 40, 110, (T1, T2), ("gyeongbuk", "jeonnam"), ("24", "25"), (4, 45)
    ),
    PartnerProfile("두산", "Doosan", KCCI, 15, 60, (T1,), (), ("24", "25", "29"), (3, 25)),
    PartnerProfile(
        "한국수력원자력",
        "Korea Hydro & Nuclear Power (KHNP)",
        FOUNDATION,
        30,
        120,
        (T1, T2),
        (),
        (),
        (4, 40),
    ),
    PartnerProfile(
        "한국남동발전",
        "Korea South-East Power (KOEN)",
        FOUNDATION,
        10,
        50,
        (T1, T2),
        ("gyeongnam", "jeonnam", "incheon", "gyeonggi", "gangwon"),
        (),
        (3, 20),
    ),
    PartnerProfile("한국중부발전", "Korea Midland Power (KOMIPO)", KCCI, 10, 50, (T1, T2), (), (), (3, 20)),
    PartnerProfile("기아", "Kia", KCCI, 20, 80, (T1,), (), ("29", "30"), (0, 30), True),
    PartnerProfile("현대모비스", "Hyundai Mobis", KCCI, 15, 60, (T1,), (), ("26", "29", "30"), (0, 25), True),
    PartnerProfile(
        "한국서부발전",
        "Korea Western Power (KOWEPO)",
        KCCI,
        8,
        40,
        (T1, T2),
        ("chungnam", "gyeonggi", "incheon"),
        (),
        (0, 15),
        True,
    ),
    PartnerProfile(
        "한국가스공사",
        "Korea Gas Corporation (KOGAS)",
        KCCI,
        8,
        40,
        (T1, T2),
        ("daegu", "gyeongbuk"),
        (),
        (0, 15),
        True,
    ),
    PartnerProfile(
        "한국남부발전",
        "Korea Southern Power (KOSPO)",
        FOUNDATION,
        8,
        40,
        (T1, T2),
        ("busan", "gyeongnam", "gangwon"),
        (),
        (0, 15),
        True,
    ),
    PartnerProfile(
        "한전KDN", "KEPCO KDN", FOUNDATION, 5, 25, (T1,), ("jeonnam", "gwangju"), ("26", "28"), (0, 10), True
    ),
    PartnerProfile(
        "SK하이닉스",
        "SK hynix",
        KSA,
        30,
        100,
        (T1, T2),
        ("gyeonggi", "chungbuk"),
        ("20", "26", "27", "29"),
        (0, 40),
        True,
    ),
    PartnerProfile(
        "한화에어로스페이스",
        "Hanwha Aerospace",
        KSA,
        10,
        40,
        (T1,),
        ("gyeongnam", "busan", "daejeon"),
        ("25", "29", "30", "31"),
        (0, 20),
        True,
    ),
    PartnerProfile(
        "HD현대",
        "HD Hyundai",
        KSA,
        15,
        60,
        (T1,),
        ("ulsan", "busan", "gyeongnam", "jeonnam"),
        ("24", "25", "29", "31"),
        (0, 25),
        True,
    ),
    PartnerProfile(
        "한국수자원공사",
        "Korea Water Resources Corporation (K-water)",
        FOUNDATION,
        5,
        30,
        (T1, T2),
        (),
        (),
        (0, 10),
        True,
    ),
    PartnerProfile(
        "한국공항공사", "Korea Airports Corporation", FOUNDATION, 3, 20, (T1,), (), (), (0, 8), True
    ),
    PartnerProfile(
        "LS일렉트릭",
        "LS Electric",
        KSA,
        10,
        40,
        (T1,),
        ("gyeonggi", "chungbuk"),
        ("27", "28", "29"),
        (0, 20),
        True,
    ),
]
# The demo partner login's firm.
DEMO_PARTNER = "삼성전자"
# Partner tracks (주관기관 트랙) are run by these firms; the open call of the year is Samsung's.
PARTNER_TRACK_LEADS = ["삼성전자", "현대자동차", "LG전자"]
PARTNER_EN = {p.name_ko: p.name_en for p in PARTNER_PROFILES}
PARTNERS: list[tuple[str, str]] = [(p.name_ko, p.name_en) for p in PARTNER_PROFILES if not p.national_only]

# Mentors' fields of expertise (멘토 전문분야).
MENTOR_EXPERTISE: list[str] = [
    "MES 구축",
    "품질관리",
    "설비 자동화",
    "생산관리",
    "공정 개선",
    "설비 보전",
    "스마트 물류",
    "에너지 관리",
    "데이터 분석",
    "금형·사출",
    "안전·환경",
    "원가 절감",
    "제조 혁신 (TPS)",
    "ERP 연계",
]

# Mentoring notes by kind; {expertise} is the mentor's field.
ACTIVITY_NOTES: dict[str, list[str]] = {
    "visit": [
        "현장 방문: {expertise} 관점에서 공정 흐름 진단 및 개선 과제 도출",
        "생산라인 현장 점검, {expertise} 개선안 협의",
        "현장 방문: 병목 공정 작업 분석 및 레이아웃 개선 제안",
        "공장 순회 점검, 3정 5S 개선 결과 확인",
    ],
    "consulting": [
        "{expertise} 컨설팅: 현행 업무 분석 및 목표 지표 설정",
        "구축 범위 검토 및 공급기업 제안서 비교 자문",
        "{expertise} 개선 계획 수립 컨설팅",
        "성과지표(KPI) 측정 방식 및 기준값 확정 자문",
    ],
    "training": [
        "현장 작업자 대상 {expertise} 교육",
        "관리자 대상 데이터 기반 생산관리 교육",
        "신규 시스템 사용자 교육 및 운영 매뉴얼 정리",
    ],
    "remote": [
        "원격 회의: 구축 진행 상황 점검",
        "원격 지원: 시스템 데이터 수집 오류 점검",
        "화상 회의로 {expertise} 후속 조치 확인",
    ],
}
# Why a partner firm proposed a match: reason codes and points as the matching score stores them on a match
# ({code, label, points}; the score is their sum, at most 100).
MATCH_REASONS: dict[str, tuple[str, int]] = {
    "supply_chain_tie": ("주관기관 협력사 (In the partner firm's supply chain)", 30),
    "no_supply_chain_tie": ("협력사 아님 (Not in the partner firm's supply chain)", 0),
    "industry_match": ("지원 업종 해당 (Industry served by the partner firm)", 20),
    "industry_all": ("전 업종 지원 (The partner firm serves every industry)", 10),
    "region_match": ("지원 지역 해당 (Region served by the partner firm)", 15),
    "region_all": ("전 지역 지원 (The partner firm serves every region)", 8),
    "size_eligible": ("지원 대상 기업 규모 (Firm size eligible for the call's track)", 10),
    "level_below_target": ("현재 수준이 목표 수준 미만 (Current level below the target level)", 10),
    "level_unknown": ("수준확인 이력 없음 (Current level not yet assessed)", 5),
    "staffed": ("운영 인력 충분 (Enough staff to run the system)", 5),
    "small_staff": ("상시근로자 10인 미만 (Fewer than 10 regular employees)", 0),
    "active_workplace": ("가동 중인 사업장 보유 (Has an operating workplace)", 5),
    "no_prior_support": ("중복 지원 이력 없음 (No conflicting prior support)", 5),
}
MATCH_END_NOTES = [
    "도입기업 사정으로 멘토링 중단 (Mentoring stopped at the company's request)",
    "도입기업 경영 악화로 매칭 종료 (Ended: the company's business deteriorated)",
    "사업 계획 변경으로 매칭 종료 (Ended: the company changed its plans)",
]
MATCH_DECLINE_NOTES = [
    "자체 추진 예정 (We will go ahead on our own)",
    "올해는 투자 여력이 부족함 (No budget for it this year)",
    "",
]
MATCH_PROPOSE_NOTES = [
    "협력사 스마트공장 구축 지원 제안 (Support offered to a supplier of ours)",
    "업종·지역 적합 기업으로 추천 (Recommended for industry and region fit)",
    "",
]

# --- Calls ---------------------------------------------------------------------------------------------

# Employers of evaluators (평가위원): universities, research institutes, consultancies.
EVALUATOR_ORGS: list[tuple[str, str]] = [
    ("한국공학대학교", "Tech University of Korea"),
    ("한국생산기술연구원", "Korea Institute of Industrial Technology (KITECH)"),
    ("한국전자통신연구원", "Electronics and Telecommunications Research Institute (ETRI)"),
    ("부산대학교", "Pusan National University"),
    ("경북대학교", "Kyungpook National University"),
    ("창원대학교", "Changwon National University"),
    ("충남대학교", "Chungnam National University"),
    ("한국기계연구원", "Korea Institute of Machinery and Materials (KIMM)"),
    ("한국생산성본부", "Korea Productivity Center (KPC)"),
    ("인하대학교", "Inha University"),
]

# Annual application volume by fiscal year (relative): the program grew to a peak in 2019–2022.
YEAR_WEIGHTS: dict[int, float] = {
    2014: 0.3,
    2015: 1.2,
    2016: 1.6,
    2017: 2.0,
    2018: 2.8,
    2019: 5.0,
    2020: 6.0,
    2021: 5.5,
    2022: 5.0,
    2023: 2.5,
    2024: 2.5,
    2025: 2.6,
    2026: 2.8,
}
# Relative volume by program type within a year.
PROGRAM_WEIGHTS: dict[str, float] = {
    "government_only": 1.0,
    "winwin_type1": 0.6,
    "winwin_type2": 0.25,
    "partner_track": 0.35,
}
