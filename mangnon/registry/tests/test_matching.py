"""Duplicate matching: each kind of variant found at its level, unrelated and out-of-scope children not."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

import pytest
from django.db.models import Q

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.registry.codes import ChildStatus
from mangnon.registry.matching import LIKELY, POSSIBLE, REASONS, Candidate, find_candidates
from mangnon.registry.models import Child
from mangnon.registry.tests.factories import CaregiverFactory, ChildFactory

pytestmark = pytest.mark.django_db

EVERYWHERE = ~Q(pk__in=[])


def child(name: str, sex: str = "F", dob: date | None = date(2013, 4, 9), **kw: Any) -> Child:
    person = {"person__full_name": name, "person__sex": sex, "person__date_of_birth": dob}
    for key in ("birth_year", "birth_year_estimated", "address"):
        if key in kw:
            person[f"person__{key}"] = kw.pop(key)
    made = cast(Child, ChildFactory(**person, **kw))
    return made


def match(
    name: str,
    sex: str = "F",
    dob: date | None = date(2013, 4, 9),
    year: int | None = None,
    commune: Any = None,
    within: Q = EVERYWHERE,
    **kw: Any,
) -> list[Candidate]:
    return find_candidates(
        full_name=name,
        sex=sex,
        date_of_birth=dob,
        birth_year=year if year is not None else (dob.year if dob else None),
        commune=commune,
        within=within,
        **kw,
    )


def level_of(found: list[Candidate], target: Child) -> str | None:
    return next((c.level for c in found if c.child_id == target.pk), None)


def test_contract_no_diacritics_and_day_month_swap_is_likely(units: Any) -> None:
    existing = child("Lò Thị Huyền Trang", dob=date(2013, 4, 9), admin_unit=units.commune_a)
    found = match("Lo Thi Huyen Trang", dob=date(2013, 9, 4), commune=units.commune_a)
    assert [c.child_id for c in found] == [existing.pk]
    assert found[0].level == LIKELY
    assert found[0].reasons == ["name_exact", "dob_day_month_swapped", "sex_match", "same_commune"]
    assert set(found[0].reasons) <= set(REASONS)


@pytest.mark.parametrize(
    ("entered", "dob", "year", "expected", "reason"),
    [
        ("Lò Thị Huyền Trang", date(2013, 4, 9), None, LIKELY, "dob_exact"),
        ("Lò Huyền Thị Trang", date(2013, 4, 9), None, LIKELY, "name_parts_swapped"),
        ("Lò Thị Huyền Tranh", date(2013, 4, 9), None, LIKELY, "name_similar"),
        ("Lò Thi Huyen Trang", date(2013, 4, 9), None, LIKELY, "name_exact"),
        ("Lù Thị Huyền Trang", date(2013, 4, 9), None, LIKELY, "name_similar"),
        ("Lò Thị Huyền Trang", None, 2013, POSSIBLE, "birth_year_same"),
        ("Lò Thị Huyền Trang", None, 2012, POSSIBLE, "birth_year_close"),
        ("Lò Thị Huyền Trang", None, 2015, POSSIBLE, "birth_year_close"),
        ("Lò Thị Huyền Trang", date(2013, 6, 1), None, POSSIBLE, "birth_year_same"),
    ],
)
def test_variants_found_at_their_level(
    units: Any, entered: str, dob: date | None, year: int | None, expected: str, reason: str
) -> None:
    existing = child("Lò Thị Huyền Trang", admin_unit=units.commune_a)
    found = match(entered, dob=dob, year=year, commune=units.commune_a)
    assert level_of(found, existing) == expected, found
    assert reason in found[0].reasons


def test_child_who_moved_commune_is_found_within_scope(units: Any) -> None:
    existing = child("Hoàng Văn Nam", sex="M", admin_unit=units.commune_b)
    found = match("Hoang Van Nam", sex="M", commune=units.commune_a, within=Q(province=units.province))
    # Name and date agree but nothing local does: a namesake born the same day elsewhere in the
    # province is too common for `likely`.
    assert level_of(found, existing) == POSSIBLE
    assert found[0].reasons == ["name_exact", "dob_exact", "sex_match"]


def test_moved_child_is_likely_when_a_parent_agrees(units: Any) -> None:
    existing = child("Hoàng Văn Nam", sex="M", admin_unit=units.commune_b)
    CaregiverFactory(child=existing, relationship="father", person__full_name="Hoàng Văn Bình")
    found = match(
        "Hoang Van Nam", sex="M", commune=units.commune_a, within=Q(province=units.province),
        parents=["Hoàng Văn Bình"],
    )  # fmt: skip
    assert level_of(found, existing) == LIKELY
    assert "parent_name" in found[0].reasons


def test_a_different_middle_name_is_never_likely(units: Any) -> None:
    existing = child("Nguyễn Duy Khôi", sex="M", admin_unit=units.commune_a)
    found = match("Nguyễn Anh Khôi", sex="M", commune=units.commune_a)
    assert level_of(found, existing) in (POSSIBLE, None)


def test_reordered_name_found_whatever_the_split(units: Any) -> None:
    # "Nguyễn Phúc" is also a compound họ: the entered name splits differently from the stored one.
    existing = child("Nguyễn Đức Phúc", sex="M", admin_unit=units.commune_a)
    found = match("Nguyễn Phúc Đức", sex="M", commune=units.commune_a)
    assert level_of(found, existing) == LIKELY
    assert "name_parts_swapped" in found[0].reasons


def test_with_an_estimated_age_the_commune_ranks_namesakes(units: Any) -> None:
    elsewhere = child("Trần Thị An", dob=date(2014, 3, 1), admin_unit=units.commune_b)
    here = child("Trần Thị An", dob=date(2013, 2, 23), admin_unit=units.commune_a)
    found = match("Trần Thị An", dob=None, year=2014, commune=units.commune_a)
    assert [c.child_id for c in found][:2] == [here.pk, elsewhere.pk]
    assert {c.level for c in found} == {POSSIBLE}


def test_unrelated_children_are_not_candidates(units: Any) -> None:
    child("Lò Thị Huyền Trang", admin_unit=units.commune_a)
    child("Nguyễn Văn An", sex="M", admin_unit=units.commune_a)
    child("Lò Thị Huyền Trang", dob=date(2005, 1, 1), admin_unit=units.commune_a)  # years apart: found?
    found = match("Lò Văn Minh", sex="M", dob=date(2013, 4, 9), commune=units.commune_a)
    assert found == []


def test_sibling_with_another_name_is_not_likely(units: Any) -> None:
    sister = child("Lò Thị Huyền Trang", admin_unit=units.commune_a)
    found = match("Lò Thị Huyền My", dob=date(2013, 4, 9), commune=units.commune_a)
    assert level_of(found, sister) is None


def test_same_name_without_any_date_is_possible_only(units: Any) -> None:
    existing = child("Lò Thị Huyền Trang", admin_unit=units.commune_a)
    found = match("Lò Thị Huyền Trang", dob=None, year=None, commune=units.commune_a)
    assert level_of(found, existing) == POSSIBLE


def test_other_sex_lowers_the_level(units: Any) -> None:
    existing = child("Lò Thị Huyền Trang", admin_unit=units.commune_a)
    found = match("Lò Thị Huyền Trang", sex="M", commune=units.commune_a)
    assert level_of(found, existing) == POSSIBLE
    assert "sex_match" not in found[0].reasons


def test_out_of_scope_children_are_never_returned(units: Any, personas: Any) -> None:
    child("Lò Thị Huyền Trang", admin_unit=units.commune_b)
    within_a = scope_for(personas.officer_a, Action.CHILD_VIEW).q("admin_unit")
    assert match("Lò Thị Huyền Trang", commune=units.commune_a, within=within_a) == []
    assert match("Lò Thị Huyền Trang", commune=units.commune_b, within=within_a) == []


def test_merged_and_excluded_records_are_never_returned(units: Any) -> None:
    kept = child("Lò Thị Huyền Trang", admin_unit=units.commune_a)
    merged = child("Lò Thị Huyền Trang", admin_unit=units.commune_a)
    merged.status, merged.merged_into = ChildStatus.MERGED, kept
    merged.save()
    aged_out = child("Lò Thị Huyền Trang", admin_unit=units.commune_a, status=ChildStatus.AGED_OUT)
    found = match("Lò Thị Huyền Trang", commune=units.commune_a)
    assert {c.child_id for c in found} == {kept.pk, aged_out.pk}
    found = match("Lò Thị Huyền Trang", commune=units.commune_a, exclude_ids=[kept.pk])
    assert {c.child_id for c in found} == {aged_out.pk}


def test_parent_name_and_address_add_reasons_and_score(units: Any) -> None:
    existing = child("Lò Thị Huyền Trang", admin_unit=units.commune_a, address="Tổ 3, khu 5")
    other = child("Lò Thị Huyền Trang", admin_unit=units.commune_a, address="Bản Khe")
    CaregiverFactory(child=existing, person__full_name="Lò Văn Páo", relationship="father")
    CaregiverFactory(child=other, person__full_name="Lò Văn Sinh", relationship="father")
    found = match(
        "Lo Thi Huyen Trang", dob=None, year=2013, commune=units.commune_a,
        parents=["Lo Van Pao"], address="to 3 khu 5",
    )  # fmt: skip
    assert found[0].child_id == existing.pk
    assert {"parent_name", "address"} <= set(found[0].reasons)
    assert found[0].score > found[1].score
    assert "parent_name" not in found[1].reasons


def test_limit_and_order(units: Any) -> None:
    for _ in range(4):
        child("Lò Thị Huyền Trang", admin_unit=units.commune_a)
    found = match("Lò Thị Huyền Trang", commune=units.commune_a, limit=3)
    assert len(found) == 3
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)


def test_query_count_is_bounded(units: Any, django_assert_max_num_queries: Any) -> None:
    for i in range(12):
        existing = child("Lò Thị Huyền Trang", admin_unit=units.commune_a, dob=date(2013, 1 + i % 12, 9))
        CaregiverFactory(child=existing, person__full_name="Lò Văn Páo")
    with django_assert_max_num_queries(3):
        found = match("Lò Thị Huyền Trang", commune=units.commune_a, parents=["Lò Văn Páo"], limit=20)
    assert len(found) == 12
