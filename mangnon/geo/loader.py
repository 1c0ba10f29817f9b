"""Load administrative units from the `vietnamadminunits` package (both geographies and the crosswalk).

Source: the package's `data/dataset.db` (tables `admin_units_legacy`: 63 provinces, 696 district-level
units and 10,035 communes before 1/7/2025; `admin_units`: 34 provinces and 3,321 communes after) and
`data/converter_2025.json` (which pre-reform commune went into which current one). A province whose
territory did not change is one row valid across the reform; merged provinces end on 30/6/2025 and
the province that replaces them begins on 1/7/2025. Loading is idempotent (rows are matched by code and
start date), so a second run changes nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from django.db import transaction

from mangnon.core.text import normalize_name

from .models import LAST_PRE_REFORM_DAY, REFORM_DATE, AdminUnit, Level, UnitCrosswalk, UnitType

_TYPE_BY_PREFIX = {
    "tỉnh": UnitType.TINH,
    "thành phố": UnitType.THANH_PHO,
    "quận": UnitType.QUAN,
    "huyện": UnitType.HUYEN,
    "thị xã": UnitType.THI_XA,
    "xã": UnitType.XA,
    "phường": UnitType.PHUONG,
    "thị trấn": UnitType.THI_TRAN,
    "đặc khu": UnitType.DAC_KHU,
}


@dataclass
class LoadStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    crosswalk_created: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} units created, {self.updated} updated, {self.unchanged} unchanged; "
            f"{self.crosswalk_created} crosswalk links created"
        )


def _data_file(name: str) -> Any:
    return resources.files("vietnamadminunits").joinpath("data", name)


def _unit_type(full_name: str) -> UnitType:
    lowered = full_name.lower()
    for prefix in sorted(_TYPE_BY_PREFIX, key=len, reverse=True):
        if lowered.startswith(prefix + " "):
            return _TYPE_BY_PREFIX[prefix]
    raise ValueError(f"Unknown unit type in {full_name!r}")


@dataclass(frozen=True)
class _Row:
    """A unit as read from the package, before it becomes (or matches) an AdminUnit."""

    key: tuple[str, date | None]  # (code, valid_from): the identity of a unit
    name: str
    short_name: str
    level: str
    parent: tuple[str, date | None] | None
    valid_to: date | None


class _Source:
    def __init__(self) -> None:
        with resources.as_file(_data_file("dataset.db")) as path:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            conn.row_factory = sqlite3.Row
            self.legacy = conn.execute("SELECT * FROM admin_units_legacy").fetchall()
            self.current = conn.execute("SELECT * FROM admin_units").fetchall()
            conn.close()
        converter = json.loads(_data_file("converter_2025.json").read_text(encoding="utf-8"))
        self.province_merges: dict[str, list[str]] = converter["DICT_PROVINCE"]
        self.undivided: dict[str, dict[str, list[str]]] = converter["DICT_PROVINCE_WARD_NO_DIVIDED"]
        self.divided: dict[str, dict[str, list[dict]]] = converter["DICT_PROVINCE_WARD_DIVIDED"]
        self.legacy_province_code = {r["provinceKey"]: r["provinceCode"] for r in self.legacy}
        self.current_province_code = {r["provinceKey"]: r["provinceCode"] for r in self.current}

    def unchanged_province_keys(self) -> set[str]:
        return {new for new, olds in self.province_merges.items() if olds == [new]}

    def current_provinces_for(self, codes: Iterable[str] | None) -> set[str]:
        """Current province keys to load for the given codes (pre-reform or current); None: all."""
        if codes is None:
            return set(self.province_merges)
        wanted = set(codes)
        keys = set()
        for new, olds in self.province_merges.items():
            if self.current_province_code[new] in wanted or any(
                self.legacy_province_code[o] in wanted for o in olds
            ):
                keys.add(new)
        return keys


def _rows(src: _Source, new_keys: set[str]) -> list[_Row]:
    unchanged = src.unchanged_province_keys()
    old_keys = {o for n in new_keys for o in src.province_merges[n]}
    rows: dict[tuple[str, date | None], _Row] = {}

    def pre(code: str) -> tuple[str, date | None]:
        return (code, None)

    # Provinces.
    for r in src.current:
        if r["provinceKey"] not in new_keys:
            continue
        spans = r["provinceKey"] in unchanged
        key = (r["provinceCode"], None if spans else REFORM_DATE)
        rows[key] = _Row(key, r["province"], r["provinceShort"], Level.PROVINCE, None, None)
    for r in src.legacy:
        if r["provinceKey"] not in old_keys or r["provinceKey"] in unchanged:
            continue
        key = pre(r["provinceCode"])
        rows[key] = _Row(key, r["province"], r["provinceShort"], Level.PROVINCE, None, LAST_PRE_REFORM_DAY)
    # Pre-reform districts and communes.
    for r in src.legacy:
        if r["provinceKey"] not in old_keys:
            continue
        province = pre(r["provinceCode"])
        district = pre(r["districtCode"])
        rows[district] = _Row(
            district, r["district"], r["districtShort"], Level.DISTRICT, province, LAST_PRE_REFORM_DAY
        )
        if r["wardCode"]:
            ward = pre(r["wardCode"])
            rows[ward] = _Row(ward, r["ward"], r["wardShort"], Level.COMMUNE, district, LAST_PRE_REFORM_DAY)
    # Current communes and special zones, directly under their province.
    for r in src.current:
        if r["provinceKey"] not in new_keys:
            continue
        province = (r["provinceCode"], None if r["provinceKey"] in unchanged else REFORM_DATE)
        key = (r["wardCode"], REFORM_DATE)
        level = Level.SPECIAL_ZONE if _unit_type(r["ward"]) == UnitType.DAC_KHU else Level.COMMUNE
        rows[key] = _Row(key, r["ward"], r["wardShort"], level, province, None)
    return list(rows.values())


def _crosswalk_pairs(src: _Source, new_keys: set[str]) -> list[tuple[str, str, bool]]:
    """(old code, new code, is_default) for every pre-reform commune (or commune-less district)."""
    legacy_by_key: dict[str, str] = {}
    for r in src.legacy:
        base = f"{r['provinceKey']}_{r['districtKey']}_"
        if r["wardCode"]:
            legacy_by_key[base + r["wardKey"]] = r["wardCode"]
        else:
            legacy_by_key[base] = r["districtCode"]  # island districts with no communes
    current_by_key = {(r["provinceKey"], r["wardKey"]): r["wardCode"] for r in src.current}
    pairs: dict[tuple[str, str], bool] = {}
    for new_province in new_keys:
        for new_ward, olds in src.undivided.get(new_province, {}).items():
            for old in olds:
                pairs[(legacy_by_key[old], current_by_key[(new_province, new_ward)])] = True
        for old, targets in src.divided.get(new_province, {}).items():
            for t in targets:
                new_code = current_by_key[(new_province, t["newWardKey"])]
                pairs[(legacy_by_key[old], new_code)] = bool(t["isDefaultNewWard"])
    return [(o, n, d) for (o, n), d in pairs.items()]


def _save(rows: list[_Row], stats: LoadStats) -> dict[tuple[str, date | None], AdminUnit]:
    existing = {
        (u.code, u.valid_from): u for u in AdminUnit.objects.filter(code__in={r.key[0] for r in rows})
    }
    by_key: dict[tuple[str, date | None], AdminUnit] = {}
    depth = {Level.PROVINCE: 0, Level.DISTRICT: 1, Level.COMMUNE: 2, Level.SPECIAL_ZONE: 2}
    for level_rank in (0, 1, 2):
        batch = [r for r in rows if depth[Level(r.level)] == level_rank]
        to_create, to_update = [], []
        for r in batch:
            parent = by_key.get(r.parent) if r.parent else None
            if r.parent and parent is None:
                parent = existing.get(r.parent) or AdminUnit.objects.get(
                    code=r.parent[0], valid_from=r.parent[1]
                )
            fields = {
                "name": r.name,
                "short_name": r.short_name,
                "name_key": normalize_name(r.short_name),
                "level": r.level,
                "unit_type": _unit_type(r.name),
                "parent": parent,
                "valid_to": r.valid_to,
            }
            unit = existing.get(r.key)
            if unit is None:
                unit = AdminUnit(code=r.key[0], valid_from=r.key[1], path="", **fields)
                to_create.append(unit)
            else:
                changed = [f for f, v in fields.items() if getattr(unit, f) != v]
                for f in changed:
                    setattr(unit, f, fields[f])
                if changed:
                    to_update.append(unit)
                    stats.updated += 1
                else:
                    stats.unchanged += 1
            by_key[r.key] = unit
        AdminUnit.objects.bulk_create(to_create, batch_size=2000)
        stats.created += len(to_create)
        # Paths need the ids, which exist only now.
        for unit in to_create:
            unit.path = (unit.parent.path if unit.parent else "/") + f"{unit.pk}/"
        AdminUnit.objects.bulk_update(to_create, ["path"], batch_size=2000)
        if to_update:
            for unit in to_update:
                unit.path = (unit.parent.path if unit.parent else "/") + f"{unit.pk}/"
            AdminUnit.objects.bulk_update(
                to_update,
                ["name", "short_name", "name_key", "level", "unit_type", "parent", "valid_to", "path"],
                batch_size=2000,
            )
    return by_key


def load(province_codes: Iterable[str] | None = None) -> LoadStats:
    """Load the given provinces (pre-reform or current codes), or every province when None."""
    src = _Source()
    if province_codes is not None:
        province_codes = list(province_codes)
        # One unknown code among known ones must not be dropped silently.
        known = set(src.legacy_province_code.values()) | set(src.current_province_code.values())
        unknown = sorted(set(province_codes) - known)
        if unknown:
            raise ValueError(f"No province with code(s) {unknown} in vietnamadminunits")
    new_keys = src.current_provinces_for(province_codes)
    if not new_keys:
        raise ValueError(f"No province with code(s) {sorted(province_codes or [])} in vietnamadminunits")
    stats = LoadStats()
    with transaction.atomic():
        units = _save(_rows(src, new_keys), stats)
        pre = {code: u for (code, start), u in units.items() if start is None and u.valid_to is not None}
        post = {code: u for (code, start), u in units.items() if start == REFORM_DATE}
        existing = set(
            UnitCrosswalk.objects.filter(new_unit__in=post.values()).values_list("old_unit_id", "new_unit_id")
        )
        links = []
        for old_code, new_code, is_default in _crosswalk_pairs(src, new_keys):
            old, new = pre[old_code], post[new_code]
            if (old.pk, new.pk) not in existing:
                links.append(UnitCrosswalk(old_unit=old, new_unit=new, is_default=is_default))
        UnitCrosswalk.objects.bulk_create(links, batch_size=5000)
        stats.crosswalk_created = len(links)
    return stats
