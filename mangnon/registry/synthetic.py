"""Synthetic people: plausible Vietnamese children and parents for the demo and the benchmarks.

Everything here is deterministic: pass a `random.Random` seeded by the caller (or a seed), and the same
seed gives the same people on every machine and Python version (string seeds go through SHA-512, not
the per-process `hash`). Nobody generated here is real.

Names follow how names are given in Quảng Ninh: Kinh names (northern by default: Hoàng and Vũ rather
than the southern Huỳnh and Võ; tên đệm Văn / Thị common), and the province's minorities — Dao, Tày,
Sán Dìu, Sán Chay, Hoa, Nùng — with their own common family names. A child takes the father's họ.

Name parts and search keys are computed exactly as the registry computes them
(`mangnon.core.names.split_name`, `name_sort_key`, `mangnon.core.text.normalize_name`): see
`name_fields`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

from mangnon.core.names import name_sort_key, split_name
from mangnon.core.text import normalize_name

from .codes import ETHNICITIES

ETHNICITY_NAMES = dict(ETHNICITIES)
KINH, TAY, HOA, NUNG, DAO, SAN_CHAY, SAN_DIU = "01", "02", "04", "07", "09", "15", "18"

# Weighted pools: (value, weight). Weights are rough shares, not statistics.
W = Sequence[tuple[str, float]]

_KINH_HO_NORTH: W = (
    ("Nguyễn", 31), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 4.5), ("Vũ", 4), ("Phan", 3),
    ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.8), ("Ngô", 1.3), ("Hồ", 1), ("Dương", 1), ("Lý", 0.5),
    ("Trương", 0.8), ("Đinh", 1), ("Đoàn", 0.8), ("Lương", 0.7), ("Trịnh", 0.8), ("Mai", 0.5),
    ("Cao", 0.5), ("Tạ", 0.4), ("Đào", 0.7), ("Hà", 0.6), ("Phùng", 0.3), ("Tô", 0.3), ("Chu", 0.3),
    ("Lưu", 0.3), ("Vương", 0.2), ("Lâm", 0.3), ("Nghiêm", 0.1), ("Quách", 0.1), ("Khúc", 0.1),
)  # fmt: skip
# Further south the same lineages are mostly written Huỳnh and Võ.
_KINH_HO_SOUTH: W = tuple(
    (("Huỳnh" if h == "Hoàng" else "Võ" if h == "Vũ" else h), w) for h, w in _KINH_HO_NORTH
)

_DEM_MALE: W = (
    ("Văn", 30), ("Đức", 8), ("Minh", 10), ("Quang", 5), ("Hoàng", 4), ("Anh", 3), ("Hữu", 3),
    ("Thành", 3), ("Gia", 5), ("Bảo", 4), ("Trung", 2), ("Tuấn", 2), ("Xuân", 2), ("Công", 2),
    ("Duy", 3), ("Ngọc", 2), ("Thanh", 2), ("Đăng", 2), ("Nhật", 2), ("Quốc", 2), ("Tiến", 1),
)  # fmt: skip
_DEM_FEMALE: W = (
    ("Thị", 30), ("Ngọc", 8), ("Thu", 5), ("Minh", 5), ("Thanh", 4), ("Phương", 4), ("Bảo", 4),
    ("Khánh", 4), ("Hải", 2), ("Gia", 3), ("Hoài", 2), ("Mai", 2), ("Thùy", 3), ("Diệu", 2),
    ("Kim", 2), ("Tuệ", 1), ("Quỳnh", 2), ("Hà", 2), ("Lan", 1), ("Thị Thu", 2), ("Thị Ngọc", 1),
    ("Thị Minh", 1), ("Thị Huyền", 1),
)  # fmt: skip
_TEN_MALE: W = (
    ("Anh", 5), ("Minh", 5), ("Khôi", 3), ("Nam", 4), ("Phúc", 3), ("Huy", 4), ("Hùng", 2),
    ("Dũng", 2), ("Long", 3), ("Quân", 3), ("Đạt", 3), ("Hiếu", 2), ("Khang", 3), ("Bảo", 2),
    ("Lâm", 2), ("Kiên", 2), ("Tùng", 2), ("Sơn", 2), ("Hải", 2), ("Thắng", 1), ("Đức", 2),
    ("Vinh", 1), ("Phong", 2), ("Khánh", 2), ("Duy", 2), ("Tuấn", 2), ("Hoàng", 1), ("An", 3),
    ("Nguyên", 2), ("Thịnh", 1), ("Trí", 1), ("Hưng", 2), ("Việt", 1), ("Tài", 1), ("Thành", 1),
    ("Lộc", 1), ("Khoa", 2), ("Quang", 1), ("Nhật", 1), ("Đăng", 1), ("Bách", 1), ("Kiệt", 1),
)  # fmt: skip
_TEN_FEMALE: W = (
    ("Anh", 5), ("Linh", 5), ("Trang", 4), ("Huyền", 3), ("Hương", 2), ("Hà", 3), ("Lan", 2),
    ("Mai", 2), ("Ngọc", 2), ("Nhi", 4), ("Vy", 3), ("Thảo", 3), ("Trâm", 2), ("My", 3), ("Chi", 3),
    ("Hân", 3), ("An", 3), ("Ngân", 2), ("Yến", 2), ("Nhung", 1), ("Phương", 2), ("Thư", 3),
    ("Giang", 2), ("Hoa", 1), ("Uyên", 2), ("Quyên", 1), ("Hằng", 1), ("Duyên", 1), ("Châu", 1),
    ("Diệp", 1), ("Nga", 1), ("Tâm", 1), ("Thủy", 1), ("Loan", 1), ("Khuê", 1), ("Trà", 1),
)  # fmt: skip
# Parents were born 1975-2000: the given names of that generation.
_PARENT_TEN_MALE: W = (
    ("Hùng", 4), ("Dũng", 4), ("Tuấn", 4), ("Hải", 3), ("Thắng", 3), ("Cường", 3), ("Sơn", 3),
    ("Long", 3), ("Nam", 3), ("Hưng", 2), ("Thành", 3), ("Trung", 2), ("Quang", 2), ("Bình", 2),
    ("Mạnh", 2), ("Tiến", 2), ("Toàn", 2), ("Đông", 1), ("Hòa", 2), ("Lâm", 1), ("Tú", 1),
    ("Khánh", 1), ("Phong", 1), ("Vinh", 1), ("Huy", 2), ("Đức", 2), ("Minh", 2), ("Quyết", 1),
)  # fmt: skip
_PARENT_TEN_FEMALE: W = (
    ("Hương", 4), ("Lan", 3), ("Hoa", 3), ("Hằng", 3), ("Thủy", 3), ("Nga", 2), ("Hạnh", 2),
    ("Huyền", 3), ("Trang", 3), ("Mai", 3), ("Liên", 2), ("Nhung", 2), ("Thảo", 2), ("Dung", 2),
    ("Loan", 2), ("Phượng", 1), ("Yến", 2), ("Hiền", 2), ("Thanh", 1), ("Oanh", 1), ("Thu", 2),
    ("Hà", 2), ("Ngọc", 1), ("Vân", 1),
)  # fmt: skip
_PARENT_DEM_MALE: W = (
    ("Văn", 60),
    ("Đức", 8),
    ("Minh", 6),
    ("Quang", 5),
    ("Hữu", 5),
    ("Xuân", 4),
    ("Công", 4),
)
_PARENT_DEM_FEMALE: W = (("Thị", 80), ("Thu", 5), ("Ngọc", 4), ("Thanh", 4), ("Minh", 2), ("Kim", 2))


@dataclass(frozen=True)
class EthnicPool:
    ho: W
    dem_male: W
    dem_female: W
    ten_male: W
    ten_female: W


# Minorities of Quảng Ninh. Their given names today are mostly Vietnamese ones; the Dao keep some of
# their own (Quý, Sinh, Tòn, Mùi, Sểnh, Chài…), the Hoa some Sino-Vietnamese middle names.
_MINORITY_POOLS: dict[str, EthnicPool] = {
    DAO: EthnicPool(
        ho=(("Bàn", 20), ("Triệu", 25), ("Đặng", 15), ("Lý", 15), ("Chìu", 8), ("Chíu", 4), ("Phùng", 5),
            ("Tằng", 3), ("Chảo", 3), ("Dương", 2)),
        dem_male=(("Văn", 45), ("Tài", 15), ("Quý", 6), ("Seo", 6), ("Sinh", 4), ("Minh", 5), ("Đức", 4)),
        dem_female=(("Thị", 75), ("Mùi", 3), ("Ngọc", 4), ("Thu", 3), ("Minh", 3)),
        ten_male=(("Quý", 4), ("Sinh", 4), ("Tài", 3), ("Phúc", 3), ("Lợi", 2), ("Hồng", 2), ("Sáng", 2),
                  ("Tòn", 2), ("Kiều", 2), ("Vàng", 2), ("Phin", 2), ("Thanh", 2), ("Sơn", 2),
                  ("Hải", 2), ("Dũng", 2), ("Minh", 2), ("Khang", 1), ("Nam", 2), ("An", 1)),
        ten_female=(("Mùi", 3), ("Sểnh", 2), ("Chài", 2), ("Lìu", 2), ("Mai", 3), ("Thu", 2), ("Hoa", 2),
                    ("Duyên", 2), ("Phương", 2), ("Nhàn", 2), ("Nga", 2), ("Liên", 2), ("Hà", 2),
                    ("Ngân", 2), ("Linh", 3), ("Vy", 1), ("Nhi", 1)),
    ),
    TAY: EthnicPool(
        ho=(("Hoàng", 25), ("Nông", 20), ("Lường", 8), ("Vi", 12), ("Lương", 8), ("Hà", 6), ("Lộc", 5),
            ("Đàm", 4), ("Lục", 4), ("Ma", 3), ("Bế", 3), ("Mông", 2)),
        dem_male=(*_PARENT_DEM_MALE, ("Minh", 6), ("Gia", 3)),
        dem_female=(*_PARENT_DEM_FEMALE, ("Bảo", 3), ("Khánh", 2)),
        ten_male=_TEN_MALE,
        ten_female=_TEN_FEMALE,
    ),
    SAN_DIU: EthnicPool(
        ho=(("Diệp", 18), ("Tằng", 15), ("Lỷ", 12), ("Trương", 8), ("Lục", 8), ("Lam", 6), ("Đặng", 6),
            ("Dương", 6), ("Ninh", 5), ("Quan", 4), ("Tô", 3), ("Vòng", 3)),
        dem_male=(*_PARENT_DEM_MALE, ("Minh", 6)),
        dem_female=_PARENT_DEM_FEMALE,
        ten_male=_TEN_MALE,
        ten_female=_TEN_FEMALE,
    ),
    SAN_CHAY: EthnicPool(
        ho=(("La", 20), ("Lý", 15), ("Hoàng", 12), ("Trần", 10), ("Lâm", 8), ("Vi", 6), ("Nịnh", 6),
            ("Lục", 5), ("Sằm", 4), ("Đỗ", 3)),
        dem_male=_PARENT_DEM_MALE,
        dem_female=_PARENT_DEM_FEMALE,
        ten_male=_TEN_MALE,
        ten_female=_TEN_FEMALE,
    ),
    HOA: EthnicPool(
        ho=(("Trương", 15), ("Lưu", 15), ("Hoàng", 12), ("Lý", 10), ("Trần", 8), ("Lâm", 8), ("Quách", 5),
            ("Thẩm", 4), ("Mạc", 3), ("Tăng", 3), ("Chung", 3), ("Phùng", 3)),
        dem_male=(("Văn", 30), ("Quốc", 10), ("Gia", 8), ("Vĩnh", 6), ("Thế", 6), ("Kiến", 4), ("Minh", 6)),
        dem_female=(("Thị", 40), ("Mỹ", 10), ("Kim", 8), ("Ngọc", 8), ("Tú", 5), ("Gia", 4)),
        ten_male=_TEN_MALE,
        ten_female=_TEN_FEMALE,
    ),
    NUNG: EthnicPool(
        ho=(("Hoàng", 22), ("Nông", 18), ("Lý", 10), ("Vi", 10), ("Lương", 8), ("Chu", 6), ("Mã", 5),
            ("Lăng", 4), ("Sầm", 3), ("Triệu", 3)),
        dem_male=_PARENT_DEM_MALE,
        dem_female=_PARENT_DEM_FEMALE,
        ten_male=_TEN_MALE,
        ten_female=_TEN_FEMALE,
    ),
}  # fmt: skip
MINORITIES = tuple(_MINORITY_POOLS)

_VILLAGES: Sequence[str] = (
    "Đồng Mộc", "Khe Tiền", "Nà Phặc", "Bản Mới", "Pắc Cáy", "Khe Lặc", "Đồng Tâm", "Tân Lập",
    "Hợp Thành", "Khe Mạ", "Nà Làng", "Đồng Và", "Bắc Cáp", "Khe Lò", "Nam Hả", "Làng Cổng",
    "Phai Lầu", "Sông Moóc", "Đồng Quặng", "Khe Sâu", "Tài Chi", "Lục Ngù", "Pò Mang", "Tầm Chi",
)  # fmt: skip
_STREETS: Sequence[str] = (
    "Trần Hưng Đạo", "Lê Thánh Tông", "Nguyễn Văn Cừ", "Cao Thắng", "Hạ Long", "Lê Lợi",
    "Quang Trung", "Bạch Đằng", "Trần Phú", "Nguyễn Du", "Hoàng Quốc Việt", "Lý Thường Kiệt",
)  # fmt: skip


_PREPARED: dict[int, tuple[W, Sequence[str], list[float]]] = {}


def pick(rng: random.Random, pool: W) -> str:
    """One value of a weighted pool (cumulative weights computed once per pool)."""
    prepared = _PREPARED.get(id(pool))
    if prepared is None or prepared[0] is not pool:
        values, weights = zip(*pool, strict=True)
        prepared = _PREPARED[id(pool)] = (pool, values, list(accumulate(weights)))
    return rng.choices(prepared[1], cum_weights=prepared[2])[0]


@dataclass(frozen=True)
class NameFields:
    full_name: str
    ho: str
    ten_dem: str
    ten: str
    name_key: str
    ho_key: str
    ten_key: str
    sort_key: str


def name_fields(full_name: str) -> NameFields:
    """The stored name fields of a Person, computed as the registry services compute them."""
    parts = split_name(full_name)
    return NameFields(
        full_name=parts.full,
        ho=parts.ho,
        ten_dem=parts.ten_dem,
        ten=parts.ten,
        name_key=normalize_name(parts.full),
        ho_key=normalize_name(parts.ho),
        ten_key=normalize_name(parts.ten),
        sort_key=name_sort_key(parts.full),
    )


def kinh_ho(rng: random.Random, region: str = "north") -> str:
    return pick(rng, _KINH_HO_SOUTH if region == "south" else _KINH_HO_NORTH)


def child_name(
    rng: random.Random, *, sex: str, ethnicity: str = KINH, ho: str = "", region: str = "north"
) -> str:
    """A child's full name. `ho` (the father's) is used when given."""
    male = sex == "M"
    pool = _MINORITY_POOLS.get(ethnicity)
    if pool is None:
        ho = ho or kinh_ho(rng, region)
        dem = pick(rng, _DEM_MALE if male else _DEM_FEMALE)
        ten = pick(rng, _TEN_MALE if male else _TEN_FEMALE)
    else:
        ho = ho or pick(rng, pool.ho)
        dem = pick(rng, pool.dem_male if male else pool.dem_female)
        ten = pick(rng, pool.ten_male if male else pool.ten_female)
    if dem == ten:  # "Minh Minh" is not given
        ten = pick(rng, _TEN_MALE if male else _TEN_FEMALE)
        if dem == ten:
            dem = "Văn" if male else "Thị"
    return f"{ho} {dem} {ten}"


def parent_name(
    rng: random.Random, *, sex: str, ethnicity: str = KINH, ho: str = "", region: str = "north"
) -> str:
    male = sex == "M"
    pool = _MINORITY_POOLS.get(ethnicity)
    if not ho:
        ho = kinh_ho(rng, region) if pool is None else pick(rng, pool.ho)
    dem = pick(rng, _PARENT_DEM_MALE if male else _PARENT_DEM_FEMALE)
    if pool is not None and ethnicity == DAO and male and rng.random() < 0.3:
        dem = pick(rng, pool.dem_male)
    ten = pick(rng, _PARENT_TEN_MALE if male else _PARENT_TEN_FEMALE)
    if dem == ten:
        dem = "Văn" if male else "Thị"
    return f"{ho} {dem} {ten}"


def birth(rng: random.Random, *, today: date, min_age: int = 0, max_age: int = 15) -> tuple[date, int]:
    """A date of birth giving an age between min_age and max_age (inclusive) on `today`."""
    latest = today - timedelta(days=365 * min_age)
    earliest = today - timedelta(days=365 * (max_age + 1) - 2)
    dob = earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))
    return dob, dob.year


def id_number(*, sex: str, birth_year: int, serial: int, province: str = "022") -> str:
    """A 12-digit personal ID (CCCD) shaped as the law defines it: birth province (3 digits), century
    and sex (0/1 for 1900s male/female, 2/3 for 2000s), the year's last two digits, a 6-digit serial.
    Synthetic serials come from a counter, so they never collide within one generated set."""
    century = (birth_year // 100) - 19
    sex_digit = century * 2 + (1 if sex == "F" else 0)
    return f"{province}{sex_digit}{birth_year % 100:02d}{serial % 1_000_000:06d}"


def address(rng: random.Random, *, ward: bool) -> str:
    if ward:
        number, street = rng.randint(1, 250), rng.choice(_STREETS)
        return f"Số {number} đường {street}, tổ {rng.randint(1, 12)}, khu {rng.randint(1, 9)}"
    return f"Thôn {rng.choice(_VILLAGES)}"


# Ethnic mix of the commune where the household lives (code → weights over ethnicity codes). Communes
# not listed are ~97% Kinh with a few Tày, Hoa and Sán Dìu. Rough shares from the 2019 census by
# district, spread over the communes that replaced those districts in 2025.
_MIXES: dict[str, W] = {
    # Bình Liêu: Tày, Dao and Sán Chay (Sán Chỉ) make up almost all of it.
    "bình liêu": ((TAY, 50), (DAO, 28), (SAN_CHAY, 12), (KINH, 10)),
    # Ba Chẽ: mostly Dao, then Tày and Sán Chay.
    "ba chẽ": ((DAO, 45), (TAY, 15), (SAN_CHAY, 10), (KINH, 30)),
    # Tiên Yên: Kinh and Tày, Dao, Sán Chay, some Hoa.
    "tiên yên": ((KINH, 50), (TAY, 18), (DAO, 18), (SAN_CHAY, 9), (HOA, 5)),
    # Đầm Hà and Hải Hà: Dao, Sán Chay, Tày, Hoa.
    "đầm hà": ((KINH, 70), (DAO, 15), (SAN_CHAY, 7), (TAY, 6), (HOA, 2)),
    "hải hà": ((KINH, 70), (DAO, 14), (SAN_CHAY, 8), (TAY, 5), (HOA, 3)),
    # Hoành Bồ (now in Hạ Long): Dao, Tày, Sán Dìu.
    "hoành bồ": ((KINH, 65), (DAO, 18), (TAY, 9), (SAN_DIU, 8)),
    # Đông Triều, Uông Bí and Quảng Yên: Sán Dìu villages.
    "đông triều": ((KINH, 90), (SAN_DIU, 8), (TAY, 2)),
    # Móng Cái: Dao in Hải Sơn, Hoa and Nùng along the border.
    "móng cái": ((KINH, 85), (DAO, 7), (HOA, 4), (NUNG, 2), (TAY, 2)),
    "city": ((KINH, 96), (TAY, 2), (HOA, 1), (SAN_DIU, 1)),
}

# The 54 current units of Quảng Ninh: code → (relative population of children, former district).
# Hạ Long's and Cẩm Phả's wards are the largest; the island special zones and upland communes smallest.
QUANG_NINH_COMMUNES: dict[str, tuple[float, str]] = {
    "06652": (1.6, "city"), "06658": (1.5, "city"), "06661": (1.4, "city"), "06673": (1.7, "city"),
    "06676": (1.5, "city"), "06685": (1.8, "city"), "06688": (2.0, "city"), "06706": (1.2, "city"),
    "06709": (1.1, "móng cái"), "06712": (1.3, "móng cái"), "06724": (0.4, "móng cái"),
    "06733": (0.6, "móng cái"), "06736": (0.9, "móng cái"), "06757": (0.4, "móng cái"),
    "06760": (1.0, "city"), "06778": (1.5, "city"), "06781": (1.5, "city"), "06793": (2.0, "city"),
    "06799": (0.5, "móng cái"), "06811": (1.5, "city"), "06820": (0.9, "city"), "06832": (1.0, "city"),
    "06838": (0.6, "bình liêu"), "06841": (0.4, "bình liêu"), "06856": (0.4, "bình liêu"),
    "06862": (0.8, "tiên yên"), "06874": (0.4, "tiên yên"), "06877": (0.5, "tiên yên"),
    "06886": (0.5, "tiên yên"), "06895": (0.7, "đầm hà"), "06913": (0.5, "đầm hà"),
    "06922": (0.7, "hải hà"), "06931": (0.5, "hải hà"), "06946": (0.4, "hải hà"),
    "06967": (0.3, "hải hà"), "06970": (0.5, "ba chẽ"), "06979": (0.3, "ba chẽ"),
    "06985": (0.3, "ba chẽ"), "06994": (0.9, "city"), "07030": (0.9, "hoành bồ"),
    "07054": (0.4, "hoành bồ"), "07060": (0.4, "hoành bồ"), "07069": (1.5, "đông triều"),
    "07081": (0.7, "đông triều"), "07090": (0.6, "đông triều"), "07093": (1.2, "đông triều"),
    "07114": (0.8, "đông triều"), "07132": (1.3, "đông triều"), "07135": (1.0, "đông triều"),
    "07147": (1.0, "đông triều"), "07168": (0.8, "đông triều"), "07180": (0.8, "đông triều"),
    "07183": (0.8, "đông triều"), "07192": (0.2, "city"),
}  # fmt: skip
# Island special zones and xã have villages; phường have streets.
_RURAL = frozenset(
    code
    for code, (_, district) in QUANG_NINH_COMMUNES.items()
    if district in {"bình liêu", "ba chẽ", "tiên yên", "đầm hà", "hải hà"}
) | frozenset({"06724", "06733", "06757", "06799", "06994", "07054", "07060", "07192"})


def ethnicity_for(rng: random.Random, commune_code: str) -> str:
    district = QUANG_NINH_COMMUNES.get(commune_code, (1.0, "city"))[1]
    return pick(rng, _MIXES[district])


def is_rural(commune_code: str) -> bool:
    return commune_code in _RURAL


def child_row(
    rng: random.Random,
    *,
    commune: str,
    today: date,
    serial: int = 0,
    sex: str = "",
    ethnicity: str = "",
    region: str = "north",
    father: str = "",
    mother: str = "",
    home: str = "",
    min_age: int = 0,
    max_age: int = 15,
) -> dict[str, Any]:
    """One synthetic child as a plain row (what an import file or the API would carry).

    About 7% have no exact date of birth: a year only, half of them estimated. About 85% have a
    personal ID number (serial makes it unique within a set; pass distinct serials).
    """
    sex = sex or ("M" if rng.random() < 0.512 else "F")  # sex ratio at birth ~ 112:100 in Viet Nam
    ethnicity = ethnicity or ethnicity_for(rng, commune)
    father = father or parent_name(rng, sex="M", ethnicity=ethnicity, region=region)
    mother = mother or parent_name(
        rng, sex="F", ethnicity=ethnicity if rng.random() < 0.85 else KINH, region=region
    )
    ho = split_name(father).ho
    full_name = child_name(rng, sex=sex, ethnicity=ethnicity, ho=ho, region=region)
    dob: date | None
    dob, year = birth(rng, today=today, min_age=min_age, max_age=max_age)
    estimated = False
    r = rng.random()
    if r < 0.07:
        dob = None
        estimated = r < 0.035
    ident = ""
    if dob is not None and rng.random() < 0.85:
        ident = id_number(sex=sex, birth_year=year, serial=serial)
    return {
        "full_name": full_name,
        "sex": sex,
        "date_of_birth": dob,
        "birth_year": year,
        "birth_year_estimated": estimated,
        "ethnicity": ethnicity,
        "commune": commune,
        "father_name": father,
        "mother_name": mother,
        "address": home or address(rng, ward=not is_rural(commune)),
        "id_number": ident,
    }


def weighted_communes(codes: Iterable[str] | None = None) -> tuple[list[str], list[float]]:
    chosen = list(codes) if codes is not None else list(QUANG_NINH_COMMUNES)
    return chosen, [QUANG_NINH_COMMUNES.get(c, (1.0, "city"))[0] for c in chosen]


def child_rows(
    n: int,
    *,
    seed: int | str,
    today: date,
    communes: Iterable[str] | None = None,
    region: str = "north",
    serial_start: int = 0,
) -> Iterator[dict[str, Any]]:
    """n independent synthetic children spread over communes by population (Quảng Ninh's by default).

    Deterministic for a given seed and `today`. Serials (for ID numbers) are serial_start + the row
    index: the demo uses 0-365,999, so a set that may share a database with it starts at 500,000.
    """
    rng = random.Random(f"mangnon-synthetic:{seed}")  # noqa: S311 - synthetic data, not secrets
    codes, weights = weighted_communes(communes)
    cum = list(accumulate(weights))
    for i in range(n):
        commune = rng.choices(codes, cum_weights=cum)[0]
        yield child_row(rng, commune=commune, today=today, serial=serial_start + i, region=region)


def person_instance(row: Mapping[str, Any], *, unit: Any, province: Any, name_key: str = "full_name") -> Any:
    """An unsaved Person from a row. `unit`/`province` are AdminUnit instances (or None)."""
    from .models import Person

    f = name_fields(row[name_key])
    return Person(
        ho=f.ho,
        ten_dem=f.ten_dem,
        ten=f.ten,
        full_name=f.full_name,
        name_key=f.name_key,
        ten_key=f.ten_key,
        ho_key=f.ho_key,
        sort_key=f.sort_key,
        sex=row.get("sex", ""),
        date_of_birth=row.get("date_of_birth"),
        birth_year=row.get("birth_year"),
        birth_year_estimated=bool(row.get("birth_year_estimated")),
        ethnicity=row.get("ethnicity", ""),
        id_number=row.get("id_number", ""),
        admin_unit=unit,
        province=province,
        address=row.get("address", ""),
    )


def build_children(
    rows: Iterable[Mapping[str, Any]], *, units: Mapping[str, Any], province: Any
) -> list[tuple[Any, Any]]:
    """Unsaved (Person, Child) pairs from rows; `units` maps commune codes to AdminUnit instances."""
    from .models import Child

    pairs = []
    for row in rows:
        unit = units[row["commune"]]
        person = person_instance(row, unit=unit, province=province)
        pairs.append((person, Child(person=person, admin_unit=unit, province=province).copy_birth()))
    return pairs


def bulk_save_children(pairs: Sequence[tuple[Any, Any]], *, batch_size: int = 2000) -> None:
    """Insert (Person, Child) pairs with two bulk_creates per batch (no signals, no audit: callers
    that write real records go through the services; this is for demo and benchmark sets)."""
    from .models import Child, Person

    for start in range(0, len(pairs), batch_size):
        chunk = pairs[start : start + batch_size]
        Person.objects.bulk_create([p for p, _ in chunk], batch_size=batch_size)
        for person, child in chunk:
            child.person = person  # copies the primary key bulk_create just set
        Child.objects.bulk_create([c for _, c in chunk], batch_size=batch_size)
