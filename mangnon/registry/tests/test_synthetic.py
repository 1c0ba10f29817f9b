"""Synthetic people: deterministic, plausible, and keyed exactly as the registry keys names."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date
from typing import Any

import pytest

from mangnon.core.names import name_sort_key, split_name
from mangnon.core.text import normalize_name
from mangnon.registry import synthetic
from mangnon.registry.codes import ETHNICITIES
from mangnon.registry.models import Child, Person
from mangnon.registry.tests.birth_copies import children_out_of_step

TODAY = date(2025, 9, 1)


def test_same_seed_same_people_other_seed_other_people() -> None:
    first = list(synthetic.child_rows(300, seed=7, today=TODAY))
    again = list(synthetic.child_rows(300, seed=7, today=TODAY))
    other = list(synthetic.child_rows(300, seed=8, today=TODAY))
    assert first == again
    assert [r["full_name"] for r in first] != [r["full_name"] for r in other]


def test_rows_are_plausible_children() -> None:
    rows = list(synthetic.child_rows(2000, seed=1, today=TODAY))
    codes = {code for code, _ in ETHNICITIES}
    for row in rows:
        assert row["sex"] in {"M", "F"}
        assert row["ethnicity"] in codes
        assert row["commune"] in synthetic.QUANG_NINH_COMMUNES
        assert TODAY.year - 16 <= row["birth_year"] <= TODAY.year
        dob = row["date_of_birth"]
        if dob is not None:
            age = TODAY.year - dob.year - ((TODAY.month, TODAY.day) < (dob.month, dob.day))
            assert 0 <= age <= 15 and dob <= TODAY
            assert dob.year == row["birth_year"]
        else:
            assert row["id_number"] == ""
        assert len(row["full_name"].split()) >= 3
        # the child carries the father's family name
        assert split_name(row["full_name"]).ho == split_name(row["father_name"]).ho
        assert row["address"]
    estimated = sum(r["birth_year_estimated"] for r in rows)
    year_only = sum(r["date_of_birth"] is None for r in rows)
    assert 0 < estimated < year_only < len(rows) * 0.15
    sexes = Counter(r["sex"] for r in rows)
    assert 0.45 < sexes["M"] / len(rows) < 0.58


def test_id_numbers_follow_the_cccd_layout_and_are_unique() -> None:
    rows = list(synthetic.child_rows(3000, seed=3, today=TODAY))
    ids = [r for r in rows if r["id_number"]]
    assert 0.75 < len(ids) / len(rows) < 0.95
    assert len({r["id_number"] for r in ids}) == len(ids)
    for row in ids:
        ident = row["id_number"]
        assert re.fullmatch(r"022[23]\d{8}", ident)
        assert ident[3] == ("2" if row["sex"] == "M" else "3")
        assert ident[4:6] == f"{row['birth_year'] % 100:02d}"
    assert synthetic.id_number(sex="F", birth_year=1988, serial=42) == "022188000042"


def test_name_fields_equal_the_registry_keys() -> None:
    f = synthetic.name_fields("  Đặng   Thị Ánh  Tuyết ")
    assert (f.full_name, f.ho, f.ten_dem, f.ten) == ("Đặng Thị Ánh Tuyết", "Đặng", "Thị Ánh", "Tuyết")
    assert f.name_key == "dang thi anh tuyet" == normalize_name("Đặng Thị Ánh Tuyết")
    assert (f.ho_key, f.ten_key) == ("dang", "tuyet")
    assert f.sort_key == name_sort_key("Đặng Thị Ánh Tuyết")


@pytest.mark.parametrize(
    ("ethnicity", "surnames"),
    [
        (synthetic.DAO, {"Bàn", "Triệu", "Đặng", "Lý", "Chìu", "Chíu"}),
        (synthetic.TAY, {"Hoàng", "Nông", "Lường", "Vi"}),
        (synthetic.SAN_DIU, {"Diệp", "Tằng", "Lỷ"}),
        (synthetic.HOA, {"Trương", "Lưu", "Hoàng"}),
    ],
)
def test_minority_names_use_their_common_surnames(ethnicity: str, surnames: set[str]) -> None:
    rng = random.Random(5)
    seen = Counter(
        split_name(synthetic.child_name(rng, sex=rng.choice("MF"), ethnicity=ethnicity)).ho
        for _ in range(800)
    )
    assert surnames <= set(seen)
    assert "Nguyễn" not in seen


def test_kinh_names_by_region_and_sex() -> None:
    rng = random.Random(9)
    north = Counter(split_name(synthetic.child_name(rng, sex="M")).ho for _ in range(3000))
    south = Counter(split_name(synthetic.child_name(rng, sex="M", region="south")).ho for _ in range(3000))
    assert north.most_common(1)[0][0] == "Nguyễn"
    assert "Hoàng" in north and "Huỳnh" not in north and "Vũ" in north
    assert "Huỳnh" in south and "Hoàng" not in south and "Võ" in south
    girls = Counter(split_name(synthetic.child_name(rng, sex="F")).ten_dem for _ in range(2000))
    boys = Counter(split_name(synthetic.child_name(rng, sex="M")).ten_dem for _ in range(2000))
    assert girls.most_common(1)[0][0] == "Thị" and "Văn" not in girls
    assert boys.most_common(1)[0][0] == "Văn" and "Thị" not in boys


def test_upland_communes_are_mostly_minorities() -> None:
    rng = random.Random(2)
    binh_lieu = Counter(synthetic.ethnicity_for(rng, "06838") for _ in range(1000))
    ha_long = Counter(synthetic.ethnicity_for(rng, "06688") for _ in range(1000))
    assert binh_lieu[synthetic.KINH] < 200
    assert ha_long[synthetic.KINH] > 900


def test_the_province_has_its_54_communes_with_ha_long_and_cam_pha_largest() -> None:
    assert len(synthetic.QUANG_NINH_COMMUNES) == 54
    largest = max(w for w, _ in synthetic.QUANG_NINH_COMMUNES.values())
    assert synthetic.QUANG_NINH_COMMUNES["06688"][0] == largest == synthetic.QUANG_NINH_COMMUNES["06793"][0]


@pytest.mark.django_db
def test_bulk_instances_save_persons_and_children(units: Any) -> None:
    rows = list(synthetic.child_rows(50, seed=4, today=TODAY, communes=["06688", "06862"]))
    pairs = synthetic.build_children(
        rows, units={"06688": units.commune_a, "06862": units.commune_b}, province=units.province
    )
    synthetic.bulk_save_children(pairs, batch_size=20)
    assert Child.objects.count() == 50
    stored = Person.objects.get(
        full_name=rows[0]["full_name"], birth_year=rows[0]["birth_year"], sex=rows[0]["sex"]
    )
    assert stored.sort_key == name_sort_key(rows[0]["full_name"])
    assert stored.child.admin_unit.code == rows[0]["commune"]
    assert children_out_of_step() == []
