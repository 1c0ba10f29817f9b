"""Demo directory: Quảng Ninh's provincial bodies, hospitals, police, commune People's Committees and its
lower-secondary schools. Synthetic but plausible: the names follow how such bodies are named, the places
are the real units, and no phone number or e-mail address is invented.

Schools follow the seed figures: the Đội tuyên truyền măng non model ran in 198 lower-secondary schools
of the 13 pre-reform district-level units, and the 2020 survey sampled 26 boarding and semi-boarding
schools in 8 of them. A school is named after the pre-reform commune it served ("Trường THCS Hà Khánh",
"Trường PTDTBT THCS Đồng Văn") and placed at the current commune that commune went into; its old address
is kept as its address.

Idempotent: an organisation whose kind and name exist already is skipped. The rows are checked by the
same `services.clean` as any organisation, written in one transaction, and described by ONE audit
event naming how many of each kind were added (a few hundred "create" events would describe no one's
work; see registry.demo_data).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit, Level, UnitType
from mangnon.geo.selectors import path_prefix_q, successors, unit_on

from .codes import Boarding, OrgKind, SchoolLevel
from .codes import ServiceType as S
from .models import Organisation
from .services import OrganisationData, clean

if TYPE_CHECKING:
    from mangnon.demo.loader import DemoContext

PROVINCE = "province"  # the place of a provincial body (else a current commune's code)


@dataclass(frozen=True)
class Body:
    name: str
    kind: str
    place: str = PROVINCE
    short_name: str = ""
    services: tuple[str, ...] = ()
    notes: str = ""


# Provincial bodies; "{p}" is the province's name ("Quảng Ninh").
PROVINCIAL: tuple[Body, ...] = (
    Body(
        "Ủy ban nhân dân tỉnh {p}", OrgKind.PEOPLES_COMMITTEE, short_name="UBND tỉnh",
    ),
    Body(
        "Sở Y tế tỉnh {p}", OrgKind.DEPARTMENT, short_name="Sở Y tế",
        notes="Cơ quan chuyên môn của UBND tỉnh về bảo vệ, chăm sóc trẻ em từ ngày 01/3/2025 "
        "(nhận chức năng này từ Sở Lao động - Thương binh và Xã hội).",
    ),
    Body("Sở Giáo dục và Đào tạo tỉnh {p}", OrgKind.DEPARTMENT, short_name="Sở GD&ĐT"),
    Body("Sở Tư pháp tỉnh {p}", OrgKind.DEPARTMENT, short_name="Sở Tư pháp"),
    Body(
        "Trung tâm Công tác xã hội tỉnh {p}", OrgKind.SOCIAL_WORK_CENTRE, short_name="TT CTXH tỉnh",
        services=(S.PSYCHOLOGICAL, S.SAFE_SHELTER, S.ALTERNATIVE_CARE, S.VOCATIONAL, S.OTHER),
        notes="Nhận trẻ em được chuyển từ Tổng đài 111, đường dây nóng của tỉnh và các xã, phường; "
        "tư vấn, trị liệu tâm lý, chăm sóc khẩn cấp và chăm sóc thay thế tạm thời.",
    ),
    Body(
        "Trung tâm Bảo trợ trẻ em có hoàn cảnh đặc biệt tỉnh {p}", OrgKind.PROTECTION_FACILITY,
        short_name="TT Bảo trợ trẻ em",
        services=(S.SAFE_SHELTER, S.ALTERNATIVE_CARE, S.MEDICAL, S.PSYCHOLOGICAL, S.EDUCATION),
        notes="Cơ sở trợ giúp xã hội nuôi dưỡng, chăm sóc trẻ em có hoàn cảnh đặc biệt.",
    ),
    Body(
        "Nhà tạm lánh - Trung tâm Công tác xã hội tỉnh {p}", OrgKind.SHELTER,
        services=(S.SAFE_SHELTER, S.PSYCHOLOGICAL),
    ),
    Body(
        "Trung tâm Trợ giúp pháp lý nhà nước tỉnh {p}", OrgKind.LEGAL_AID, short_name="TT TGPL",
        services=(S.LEGAL_AID,),
    ),
    Body("Công an tỉnh {p}", OrgKind.POLICE),
    Body("Tòa án nhân dân tỉnh {p}", OrgKind.COURT, short_name="TAND tỉnh"),
    Body("Viện kiểm sát nhân dân tỉnh {p}", OrgKind.COURT, short_name="VKSND tỉnh"),
    Body(
        "Bệnh viện Đa khoa tỉnh {p}", OrgKind.HOSPITAL, short_name="BVĐK tỉnh",
        services=(S.MEDICAL, S.PSYCHOLOGICAL),
    ),
    Body("Bệnh viện Sản Nhi {p}", OrgKind.HOSPITAL, services=(S.MEDICAL, S.PSYCHOLOGICAL)),
    Body("Bệnh viện Bãi Cháy", OrgKind.HOSPITAL, services=(S.MEDICAL,)),
    Body(
        "Hội Liên hiệp Phụ nữ tỉnh {p}", OrgKind.MASS_ORGANISATION, short_name="Hội LHPN tỉnh",
        services=(S.SAFE_SHELTER,), notes="Mô hình địa chỉ tin cậy ở cộng đồng.",
    ),
    Body(
        "Đoàn Thanh niên Cộng sản Hồ Chí Minh tỉnh {p}", OrgKind.MASS_ORGANISATION,
        short_name="Tỉnh đoàn",
    ),
)  # fmt: skip

# District-level hospitals and health centres, at the current commune of the former district seat.
AREA_HOSPITALS: tuple[Body, ...] = (
    Body("Bệnh viện Đa khoa Cẩm Phả", OrgKind.HOSPITAL, "06793", services=(S.MEDICAL,)),
    Body("Bệnh viện Việt Nam - Thụy Điển Uông Bí", OrgKind.HOSPITAL, "06811", services=(S.MEDICAL,)),
    Body("Trung tâm Y tế thành phố Móng Cái", OrgKind.HOSPITAL, "06712", services=(S.MEDICAL,)),
    Body("Trung tâm Y tế thành phố Đông Triều", OrgKind.HOSPITAL, "07093", services=(S.MEDICAL,)),
    Body("Trung tâm Y tế thị xã Quảng Yên", OrgKind.HOSPITAL, "07132", services=(S.MEDICAL,)),
    Body("Trung tâm Y tế huyện Bình Liêu", OrgKind.HOSPITAL, "06838", services=(S.MEDICAL,)),
    Body("Trung tâm Y tế huyện Tiên Yên", OrgKind.HOSPITAL, "06862", services=(S.MEDICAL,)),
    Body("Trung tâm Y tế huyện Đầm Hà", OrgKind.HOSPITAL, "06895", services=(S.MEDICAL,)),
    Body("Trung tâm Y tế huyện Hải Hà", OrgKind.HOSPITAL, "06922", services=(S.MEDICAL,)),
    Body("Trung tâm Y tế huyện Ba Chẽ", OrgKind.HOSPITAL, "06970", services=(S.MEDICAL,)),
    Body("Trung tâm Y tế huyện Vân Đồn", OrgKind.HOSPITAL, "06994", services=(S.MEDICAL,)),
    Body("Trung tâm Y tế huyện Cô Tô", OrgKind.HOSPITAL, "07192", services=(S.MEDICAL,)),
)

# Communes with a police post and a health station in the demo (the two demo communes among them).
COMMUNES_WITH_POSTS = (
    "06688", "06862", "06685", "06673", "06793", "06811", "06712", "06838", "06970", "06895", "06922",
    "06994", "07093", "07132", "07192",
)  # fmt: skip

# Semi-boarding schools for ethnic-minority pupils (PTDTBT), by pre-reform district and commune, and the
# boarding schools (PTDTNT) at a district seat: 26 schools in 8 district-level units (seed 004).
SEMI_BOARDING: dict[str, tuple[str, ...]] = {
    "Bình Liêu": ("Húc Động", "Đồng Văn", "Đồng Tâm", "Lục Hồn", "Vô Ngại"),
    "Ba Chẽ": ("Đạp Thanh", "Thanh Lâm", "Nam Sơn", "Lương Minh", "Đồn Đạc"),
    "Tiên Yên": ("Đại Dực", "Hà Lâu", "Phong Dụ", "Điền Xá"),
    "Đầm Hà": ("Quảng Lâm",),
    "Hải Hà": ("Quảng Sơn", "Quảng Đức"),
    "Hạ Long": ("Kỳ Thượng",),
    "Móng Cái": ("Hải Sơn",),
    "Vân Đồn": ("Bản Sen",),
}
# Schools teaching primary and lower-secondary classes together (TH&THCS).
PRIMARY_AND_LOWER = frozenset({"Húc Động", "Đồn Đạc"})
BOARDING: dict[str, tuple[str, str]] = {  # district: (seat commune, the name the school goes by)
    "Bình Liêu": ("Bình Liêu", "Bình Liêu"),
    "Ba Chẽ": ("Ba Chẽ", "Ba Chẽ"),
    "Tiên Yên": ("Tiên Yên", "Tiên Yên"),
    "Đầm Hà": ("Đầm Hà (Thị trấn)", "Đầm Hà"),
    "Hải Hà": ("Quảng Hà", "Hải Hà"),
    "Hạ Long": ("Hoành Bồ", "Hoành Bồ"),
}
# Lower-secondary schools of the towns named after people rather than a ward, by pre-reform district.
NAMED_SCHOOLS: dict[str, tuple[str, ...]] = {
    "Hạ Long": ("Trọng Điểm", "Lê Văn Tám", "Nguyễn Văn Cừ", "Chu Văn An", "Lê Quý Đôn", "Ngô Quyền",
                "Văn Lang"),
    "Cẩm Phả": ("Lê Hồng Phong", "Lý Tự Trọng", "Trần Quốc Toản", "Kim Đồng", "Phan Bội Châu"),
    "Uông Bí": ("Nguyễn Trãi", "Võ Thị Sáu", "Nguyễn Du"),
    "Móng Cái": ("Hùng Vương", "Lý Thường Kiệt"),
    "Đông Triều": ("Nguyễn Đức Cảnh", "Trần Nhân Tông"),
    "Quảng Yên": ("Trần Khánh Dư", "Nguyễn Bỉnh Khiêm"),
}  # fmt: skip


@dataclass
class Planned:
    data: OrganisationData
    district: str = ""  # the pre-reform district a school served (for the load's summary)


@dataclass
class Geography:
    province: AdminUnit
    communes: dict[str, AdminUnit]  # current communes by code
    districts: dict[str, AdminUnit]  # pre-reform district-level units by short name
    old_communes: dict[str, list[AdminUnit]] = field(default_factory=dict)  # by district short name


def _geography() -> Geography:
    code = settings.MANGNON_DEMO_PROVINCE
    province = unit_on(code)
    if province is None or province.level != Level.PROVINCE:
        raise ImproperlyConfigured(f"Load the geography first: mangnon geo load --province {code}")
    today = timezone.localdate()
    below = AdminUnit.objects.filter(path_prefix_q("path", province.path)).exclude(pk=province.pk)
    communes = {
        u.code: u for u in below.valid_on(today).filter(level__in=(Level.COMMUNE, Level.SPECIAL_ZONE))
    }
    districts = {
        u.short_name: u for u in below.filter(level=Level.DISTRICT, valid_to__isnull=False).order_by("code")
    }
    geo = Geography(province, communes, districts)
    for name, district in districts.items():
        geo.old_communes[name] = list(AdminUnit.objects.filter(parent=district).order_by("code"))
    return geo


def _bodies(geo: Geography) -> Iterator[Planned]:
    p = geo.province.short_name
    for body in (*PROVINCIAL, *AREA_HOSPITALS):
        unit = geo.province if body.place == PROVINCE else geo.communes.get(body.place)
        if unit is not None:
            yield Planned(
                OrganisationData(
                    name=body.name.format(p=p), kind=body.kind, admin_unit=unit, short_name=body.short_name,
                    services=body.services, notes=body.notes,
                )
            )  # fmt: skip
    for commune in sorted(geo.communes.values(), key=lambda u: u.code):
        place = f"{commune.get_unit_type_display()} {commune.short_name}"
        yield Planned(OrganisationData(f"Ủy ban nhân dân {place}", OrgKind.PEOPLES_COMMITTEE, commune))
        if commune.code in COMMUNES_WITH_POSTS:
            yield Planned(OrganisationData(f"Công an {place}", OrgKind.POLICE, commune))
            yield Planned(
                OrganisationData(f"Trạm Y tế {place}", OrgKind.HEALTH_STATION, commune, services=(S.MEDICAL,))
            )


def _place_name(old: AdminUnit) -> str:
    """How a school names its old commune: 'Hà Khánh', 'thị trấn Ba Chẽ', 'xã Đầm Hà'."""
    name = old.short_name.replace(" (Thị trấn)", "").replace(" (Xã)", "")
    if old.unit_type == UnitType.THI_TRAN:
        return f"thị trấn {name}"
    if old.short_name.endswith(" (Xã)"):
        return f"xã {name}"
    return name


def _address(old: AdminUnit, district: AdminUnit) -> str:
    """The school's pre-reform address: 'xã Húc Động, huyện Bình Liêu'."""
    name = old.short_name.replace(" (Thị trấn)", "").replace(" (Xã)", "")
    return f"{old.get_unit_type_display()} {name}, {district.get_unit_type_display()} {district.short_name}"


def _current(old: AdminUnit, geo: Geography) -> AdminUnit | None:
    link = successors(old).first()
    return geo.communes.get(link.new_unit.code) if link is not None else None


def _school(
    name: str, unit: AdminUnit, district: AdminUnit, *, address: str, level: str, boarding: str = ""
) -> Planned:
    data = OrganisationData(
        name=name, kind=OrgKind.SCHOOL, admin_unit=unit, address=address, services=(S.EDUCATION,),
        school_level=level, boarding=boarding,
    )  # fmt: skip
    return Planned(data, district=district.short_name)


def _schools(geo: Geography) -> Iterator[Planned]:
    """The lower-secondary schools of each pre-reform district: one per old commune (its semi-boarding
    school where it has one), the district's boarding school, and the towns' schools named after people."""
    seen = Counter(_place_name(c) for olds in geo.old_communes.values() for c in olds)
    for short, district in geo.districts.items():
        semi = set(SEMI_BOARDING.get(short, ()))
        olds = geo.old_communes[short]
        for old in olds:
            unit = _current(old, geo)
            if unit is None:
                continue
            place = _place_name(old)
            address = _address(old, district)
            if old.short_name in semi:
                both = old.short_name in PRIMARY_AND_LOWER
                yield _school(
                    f"Trường PTDTBT {'TH&THCS' if both else 'THCS'} {place}", unit, district, address=address,
                    level=SchoolLevel.MULTI_LEVEL if both else SchoolLevel.LOWER_SECONDARY,
                    boarding=Boarding.SEMI_BOARDING,
                )  # fmt: skip
                continue
            # Two old communes of the same name in different districts: the district tells them apart.
            suffix = f" ({short})" if seen[place] > 1 else ""
            yield _school(
                f"Trường THCS {place}{suffix}", unit, district, address=address,
                level=SchoolLevel.LOWER_SECONDARY,
            )  # fmt: skip
        if short in BOARDING:
            seat_name, called = BOARDING[short]
            seat = next((o for o in olds if o.short_name == seat_name), None)
            unit = _current(seat, geo) if seat is not None else None
            if seat is not None and unit is not None:
                yield _school(
                    f"Trường PTDTNT THCS {called}", unit, district, address=_address(seat, district),
                    level=SchoolLevel.LOWER_SECONDARY, boarding=Boarding.BOARDING,
                )  # fmt: skip
        wards = [o for o in olds if o.unit_type == UnitType.PHUONG] or olds
        for n, person in enumerate(NAMED_SCHOOLS.get(short, ())):
            old = wards[n % len(wards)]
            unit = _current(old, geo)
            if unit is not None:
                yield _school(
                    f"Trường THCS {person}", unit, district, address=_address(old, district),
                    level=SchoolLevel.LOWER_SECONDARY,
                )  # fmt: skip


def plan(geo: Geography | None = None) -> list[Planned]:
    """Every demo organisation, in a stable order (depends only on the geography)."""
    geo = geo or _geography()
    return [*_bodies(geo), *_schools(geo)]


def load(ctx: DemoContext | Any) -> dict[str, int]:
    geo = _geography()
    planned = plan(geo)
    existing = set(Organisation.objects.filter(province=geo.province).values_list("kind", "name"))
    todo = [p for p in planned if (p.data.kind, p.data.name) not in existing]
    rows = [Organisation(**clean(p.data)) for p in todo]
    by_kind = Counter(row.kind for row in rows)
    if rows:
        with transaction.atomic():
            Organisation.objects.bulk_create(rows, batch_size=500)
            audit.record(
                actor=None,
                action=AuditAction.CREATE,
                object_type="orgs.organisation",
                unit=geo.province,
                changes={"demo": True, "organisations": len(rows), "by_kind": dict(sorted(by_kind.items()))},
            )
    ctx.say(f"  {len(rows)} demo organisations created, {len(planned) - len(todo)} already there")
    return {"created": len(rows), "existing": len(planned) - len(todo)}
