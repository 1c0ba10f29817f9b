"""Demo lines and contacts: Quảng Ninh's hotlines, and the contacts of 2020 (the pre-reform communes) and
of the current geography (from 1/7/2025 until the moment the demo is loaded).

Lines: the national 111 (which every database has, from migration 0002) and the province's own, as the
seeds name them: 18001769, the free counselling line linked to 111, and 18001776, a provincial
child-protection hotline (the current period only). A real deployment configures its own with
`mangnon intake line-add`; `line_configure` leaves a line that is already as described untouched.

Contacts: every channel, every line, data and non-data contacts (silent, hang-up, abusive, wrong number,
thanks, testing the line, other), every reason of the taxonomy, anonymous and named callers, a few
regular callers whose number comes back, children linked to the registry (current period) or recorded
as the caller described them, and the outcomes a contact can have (the outcome "case opened" is written
by `cases.demo_data`, which opens its cases from contacts). A contact referred to a commune is passed on
there as a referral, on the word of a caller who is the child or a parent, otherwise as an emergency with
its reason; `cases.demo_data` has the communes answer all but the latest. Volumes follow hotline.md: 111
took about 500,000 calls a year for the whole country, one in fifteen a counselling contact; Quảng Ninh
has a little over 1 % of the country's children. `--scale full` records a few thousand contacts per
period (the calls that reached a counsellor), the default sample a few hundred, with the same mix.

Every contact goes through `contact_create`, with the time it was received, taken by someone whose
membership was active then: the hotline counsellors and officers of 2020 are demo staff whose
memberships ended with the districts on 30/6/2025 (no password: they are not logins). The services read
the clock (a contact may not be in the future, a commune must exist on the day, a membership must be
active today), so each one runs on `clock`, set to the moment it describes; see `clock` for what that
changes and what it does not.

Idempotent: each contact has a stable key ("demo-contact-2020-000123") passed as its idempotency key;
contacts whose key exists are skipped, so a second run adds nothing and `--scale full` after the sample
adds only the rest.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from unittest import mock

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from mangnon.accounts.access import forget_cached_scope
from mangnon.accounts.models import Membership, User
from mangnon.accounts.roles import Role
from mangnon.accounts.services import membership_add, user_create
from mangnon.core.calendar import VN_TZ
from mangnon.core.models import IdempotencyKey
from mangnon.geo.models import LAST_PRE_REFORM_DAY, REFORM_DATE, AdminUnit, Level, UnitCrosswalk
from mangnon.registry import synthetic
from mangnon.registry.models import Child

from . import taxonomy
from .codes import CallerRelationship, Channel, ContactKind, NonDataType, Outcome, Urgency
from .models import Line
from .services import IDEMPOTENCY_SCOPE, ChildEntry, ContactData, contact_create, line_configure

if TYPE_CHECKING:
    from mangnon.demo.loader import DemoContext

LINES = (
    ("18001769", "Đường dây tư vấn miễn phí tỉnh {p} (kết nối Tổng đài 111)"),
    ("18001776", "Đường dây nóng bảo vệ trẻ em tỉnh {p}"),
)
LINES_2020 = ("111", "18001769")  # seed 004: the lines Quảng Ninh named in 2020
KEY_PREFIX = "demo-contact-"
CONTACTS = {"sample": {"2020": 120, "current": 180}, "full": {"2020": 3000, "current": 4500}}
QUANG_NINH_CHILDREN = 366_000  # registry.demo_data.FULL_CHILDREN
STAFF_FROM_2020 = date(2019, 1, 1)  # the 2020 staff's memberships, until the districts ended
COMMUNE_A, COMMUNE_B = "06688", "06862"  # accounts.demo_data: the communes of demo-commune-a and -b

DEFAULT_SEED = 20200601  # the loader's (demo.loader.DemoContext.seed)
_REAL_NOW = timezone.now  # kept before any `clock` replaces it


def real_now() -> datetime:
    return _REAL_NOW()


# --- the clock and the staff (cases.demo_data uses both) --------------------------------------------


@contextmanager
def clock(moment: datetime, users: Iterable[Any] = ()) -> Iterator[None]:
    """Run the services as at `moment`, so that what they stamp and check with the clock is the story's
    time: received and step times, deadlines met, audit events, "not in the future", units valid today,
    memberships active today. The rows' `created_at` still says when the demo was loaded (that field's
    default holds the real clock).

    A user object keeps its scope for "today" once worked out, whatever the clock says: a caller that
    uses one object on both sides of a change of membership passes it in `users`, whose cached scope is
    dropped before and after. (Working the scope out again at every step cost a quarter of the demo's
    load time; the demo's staff keep one membership through each period.)"""
    if moment > _REAL_NOW():
        raise ValueError(f"The demo never writes the future ({moment.isoformat()}).")
    people = list(users)
    for user in people:
        forget_cached_scope(user)
    try:
        with mock.patch.object(timezone, "now", lambda: moment):
            yield
    finally:
        for user in people:
            forget_cached_scope(user)


def staff(
    username: str, role: Role, unit: AdminUnit, *, valid_from: date, valid_to: date | None = None
) -> User:
    """A demo staff member (no password: not a login) holding `role` at `unit` between the dates; made
    once through the accounts services, found on later runs. The name is synthetic."""
    user = User.objects.filter(username=username).first()
    if user is None:
        rng = random.Random(f"mangnon-demo-staff:{username}")  # noqa: S311 - synthetic data
        name = synthetic.parent_name(rng, sex=rng.choice("MF"))
        user = user_create(actor=None, username=username, password=None, full_name=f"{name} (demo)")
    if not Membership.objects.filter(user=user, role=role, admin_unit=unit).exists():
        membership_add(
            actor=None, user=user, role=role, admin_unit=unit, valid_from=valid_from, valid_to=valid_to
        )
    return user


def province() -> AdminUnit:
    code = settings.MANGNON_DEMO_PROVINCE
    found = AdminUnit.objects.valid_on(timezone.localdate()).filter(code=code, level=Level.PROVINCE).first()
    if found is None:
        raise ImproperlyConfigured(f"Load the geography first: mangnon geo load --province {code}")
    return found


def province_share() -> float:
    """The demo province's size against Quảng Ninh's: MANGNON_DEMO_CHILDREN lays out a smaller province
    (the test settings use it; see registry.demo_data), and it has fewer contacts and cases."""
    children = getattr(settings, "MANGNON_DEMO_CHILDREN", None) or QUANG_NINH_CHILDREN
    return min(1.0, children / QUANG_NINH_CHILDREN)


def demo_user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ImproperlyConfigured(f"Load the demo users first ({username} is missing).")
    return user


@dataclass
class Team:
    """Who takes contacts in each period."""

    counsellors_2020: list[User]
    province_2020: User  # the province officer of 2020 (letters, police, schools, unstaffed communes)
    counsellors: list[User]
    province_officer: User
    officers: dict[str, User]  # current commune code → its commune officer

    def everyone(self) -> list[User]:
        return [
            *self.counsellors_2020, self.province_2020, *self.counsellors, self.province_officer,
            *self.officers.values(),
        ]  # fmt: skip


def team(prov: AdminUnit) -> Team:
    old = {"valid_from": STAFF_FROM_2020, "valid_to": LAST_PRE_REFORM_DAY}
    return Team(
        counsellors_2020=[
            staff(f"demo-2020-hotline-{n}", Role.HOTLINE_COUNSELLOR, prov, **old) for n in (1, 2)
        ],
        province_2020=staff("demo-2020-province", Role.PROVINCE_OFFICER, prov, **old),
        counsellors=[
            demo_user("demo-hotline"),
            *(
                staff(f"demo-hotline-{n}", Role.HOTLINE_COUNSELLOR, prov, valid_from=REFORM_DATE)
                for n in (2, 3)
            ),
        ],
        province_officer=demo_user("demo-province"),
        officers={COMMUNE_A: demo_user("demo-commune-a"), COMMUNE_B: demo_user("demo-commune-b")},
    )


# --- the geography of each period -------------------------------------------------------------------


def communes_2020(prov: AdminUnit) -> tuple[list[AdminUnit], list[float]]:
    """The province's pre-reform communes, weighted by the children of the current unit each went into
    (shared among the old communes that went into it)."""
    old = list(
        AdminUnit.objects.filter(
            path__startswith=prov.path,
            level__in=[Level.COMMUNE, Level.SPECIAL_ZONE],
            valid_to=LAST_PRE_REFORM_DAY,
        ).order_by("code")
    )
    successor = dict(
        UnitCrosswalk.objects.filter(old_unit__in=old, is_default=True).values_list(
            "old_unit_id", "new_unit__code"
        )
    )
    shares: dict[str, int] = {}
    for code in successor.values():
        shares[code] = shares.get(code, 0) + 1
    weights = [
        synthetic.QUANG_NINH_COMMUNES.get(successor.get(u.pk, ""), (0.5, ""))[0]
        / shares.get(successor.get(u.pk, ""), 1)
        for u in old
    ]
    return old, weights


def communes_current() -> tuple[list[AdminUnit], list[float]]:
    codes, weights = synthetic.weighted_communes()
    units = {
        u.code: u for u in AdminUnit.objects.filter(code__in=codes, valid_from=REFORM_DATE, valid_to=None)
    }
    pairs = [(units[c], w) for c, w in zip(codes, weights, strict=True) if c in units]
    return [u for u, _ in pairs], [w for _, w in pairs]


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=VN_TZ)


# --- what the contacts say --------------------------------------------------------------------------

# How often each reason comes up among data contacts (leaf codes of the taxonomy; weights, not shares).
REASON_WEIGHTS: dict[str, float] = {
    "information": 16, "family.conflict": 7, "family.divorce": 3, "family.custody": 2, "family.other": 2,
    "mental_health.stress": 7, "mental_health.self_harm": 1.5, "mental_health.other": 1.5,
    "violence.physical": 6, "violence.sexual": 3, "violence.emotional": 2, "violence.neglect": 2.5,
    "violence.bullying": 3, "violence.child_labour": 1, "violence.child_marriage": 0.5,
    "violence.online_sexual": 1, "violence.trafficking": 0.3, "violence.commercial_sexual": 0.2,
    "violence.other": 0.5, "peers": 5, "education.dropout": 1.5, "education.other": 4,
    "physical_health.injury": 2, "physical_health.sexual_reproductive": 2, "physical_health.other": 1.5,
    "legal.birth_registration": 2, "legal.nationality": 0.5, "legal.conflict_with_law": 1,
    "legal.other": 1.5, "discrimination": 0.7, "missing": 0.6, "sexuality": 1.5, "other": 3,
}  # fmt: skip

NARRATIVES: dict[str, tuple[str, ...]] = {
    "violence": (
        "Người gọi báo một trẻ trong xóm thường xuyên bị bố đánh, có vết bầm ở tay và lưng.",
        "Cô giáo thấy em học sinh lớp 6 có dấu hiệu bị bạo lực ở nhà, em sợ không dám về.",
        "Hàng xóm nghe tiếng trẻ khóc và tiếng quát mắng nhiều đêm liền.",
        "Em kể bị người quen nhắn tin, đòi gửi ảnh nhạy cảm và dọa tung lên mạng.",
        "Trẻ bị bỏ mặc ở nhà một mình nhiều ngày, ăn uống thất thường.",
    ),
    "mental_health": (
        "Em thấy buồn chán, áp lực thi cử, mất ngủ mấy tuần nay.",
        "Em nói có lúc nghĩ đến việc làm hại bản thân; tư vấn viên trò chuyện và hẹn gọi lại.",
        "Mẹ lo con ít nói, không muốn đi học sau khi bố mẹ chia tay.",
    ),
    "physical_health": (
        "Phụ huynh hỏi nơi khám cho con bị ngã xe đạp, đau tay kéo dài.",
        "Em gái 15 tuổi hỏi về sức khỏe sinh sản, ngại hỏi người lớn trong nhà.",
    ),
    "family": (
        "Bố mẹ em hay cãi nhau, em muốn biết nên nói chuyện với bố mẹ thế nào.",
        "Mẹ hỏi về quyền nuôi con sau ly hôn, bố không cho gặp con.",
        "Em giận bố mẹ vì bị cấm dùng điện thoại, muốn bỏ nhà đi.",
    ),
    "peers": (
        "Em bị bạn cùng lớp trêu chọc, cô lập, không muốn đến trường.",
        "Em mâu thuẫn với nhóm bạn, bị nói xấu trên mạng xã hội.",
    ),
    "education": (
        "Phụ huynh hỏi cách giúp con theo kịp bài ở lớp 9.",
        "Em muốn nghỉ học đi làm phụ gia đình, mẹ nhờ tư vấn.",
    ),
    "legal": (
        "Người gọi hỏi thủ tục đăng ký khai sinh cho con khi bố mẹ chưa đăng ký kết hôn.",
        "Mẹ hỏi con 15 tuổi bị công an mời làm việc thì gia đình cần làm gì.",
    ),
    "discrimination": ("Em bị bạn bè trêu chọc vì là người dân tộc thiểu số, nói giọng khác.",),
    "missing": ("Mẹ báo con gái 14 tuổi bỏ nhà đi hai ngày chưa về, điện thoại không liên lạc được.",),
    "sexuality": ("Em muốn hỏi về những thay đổi của cơ thể tuổi dậy thì.",),
    "information": (
        "Hỏi về chế độ trợ cấp cho trẻ em có hoàn cảnh đặc biệt.",
        "Hỏi địa chỉ Trung tâm Công tác xã hội tỉnh và giờ làm việc.",
        "Hỏi về bảo hiểm y tế cho trẻ dưới 6 tuổi.",
    ),
    "other": ("Người gọi muốn góp ý về hoạt động hè cho trẻ em ở khu dân cư.",),
}

# Who calls about what (weights over CallerRelationship).
CALLERS: dict[str, dict[str, float]] = {
    "violence": {"neighbour": 20, "relative": 15, "teacher": 15, "parent": 15, "child": 15, "official": 5,
                 "friend": 5, "other": 5, "unknown": 5},
    "self": {"child": 60, "parent": 20, "friend": 10, "relative": 5, "unknown": 5},
    "adult": {"parent": 55, "relative": 15, "official": 10, "teacher": 5, "other": 10, "unknown": 5},
}  # fmt: skip
CHANNELS: dict[str, float] = {
    Channel.PHONE: 80, Channel.ONLINE: 6, Channel.WALK_IN: 4, Channel.SCHOOL: 3, Channel.POLICE: 2,
    Channel.LETTER: 2, Channel.COLLABORATOR: 3,
}  # fmt: skip
NON_DATA_WEIGHTS: dict[str, float] = {
    NonDataType.SILENT: 30, NonDataType.HANG_UP: 25, NonDataType.WRONG_NUMBER: 15, NonDataType.THANKS: 12,
    NonDataType.ABUSIVE: 8, NonDataType.TEST: 5, NonDataType.OTHER: 5,
}  # fmt: skip
# Calls by hour of the day (111 answers day and night; evenings are busiest).
HOURS = [1, 1, 1, 1, 1, 1, 2, 3, 5, 5, 5, 5, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 3, 2]
SILENT_SHARE: dict[str, float] = {Channel.PHONE: 0.6, Channel.ONLINE: 0.2}  # non-data contacts
CALLER_OF: dict[str, str] = {Channel.SCHOOL: "teacher", Channel.POLICE: "official"}  # who reports
# Why a contact is passed on without the consent of the child or a parent, by who reported it.
OVERRIDE_REASONS: dict[str, str] = {
    "neighbour": "Hàng xóm báo trẻ bị đánh; Nghị định 56, điều 26: thông báo ngay cho xã nơi xảy ra.",
    "teacher": "Nhà trường báo trẻ có dấu hiệu bị bạo lực; chưa liên lạc được cha mẹ, cần xã can thiệp ngay.",
    "official": "Công an báo vụ việc; Nghị định 56, điều 26: chuyển ngay cho xã nơi trẻ cư trú.",
    "": "Người báo tin không phải cha mẹ của trẻ; trẻ có thể đang gặp nguy hiểm, cần xã xác minh ngay.",
}
OFFICE_CHANNELS = frozenset({Channel.WALK_IN, Channel.SCHOOL, Channel.POLICE, Channel.LETTER})


def reason_family(code: str) -> str:
    top = code.split(".")[0]
    if top in ("violence", "missing"):
        return "violence"
    if top in ("mental_health", "peers", "sexuality", "discrimination", "physical_health"):
        return "self"
    return "adult"


def weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def demo_phone(rng: random.Random) -> str:
    """A number in the 0100 range, which no Vietnamese subscriber holds (mobiles are 03, 05, 07, 08
    and 09; landlines 02)."""
    return f"0100{rng.randrange(1_000_000):06d}"


@dataclass
class Regular:
    """A caller who calls again and again (recognised by their number)."""

    phone: str
    name: str
    relationship: str


@dataclass
class Planned:
    key: str
    received_at: datetime
    channel: str
    kind: str
    non_data_type: str = ""
    reason: str = ""
    line: str = ""
    commune: int | None = None  # an AdminUnit id
    commune_code: str = ""
    taker: str = "counsellor"  # counsellor | officer | province
    pick: float = 0.0  # which of the takers (drawn with the plan, so a resumed run picks the same)
    data: dict[str, Any] = field(default_factory=dict)
    children: list[ChildEntry] = field(default_factory=list)


def _leaves() -> list[str]:
    codes = [r.code for r in taxonomy.selectable()]
    return [c for c in codes if not any(o.startswith(c + ".") for o in codes)]


def _deck(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """(kind, channel, reason or non-data type) for `n` contacts: at least one data contact per channel,
    one of each non-data type and one per reason, the rest drawn with the weights above."""
    deck: list[tuple[str, str, str]] = [
        (ContactKind.DATA, str(ch), weighted(rng, REASON_WEIGHTS)) for ch in Channel
    ]
    deck += [(ContactKind.NON_DATA, Channel.PHONE, str(t)) for t in NonDataType]
    deck += [(ContactKind.DATA, weighted(rng, CHANNELS), code) for code in _leaves()]
    while len(deck) < n:
        channel = weighted(rng, CHANNELS)
        silent_share = SILENT_SHARE.get(channel, 0.0)
        if rng.random() < silent_share:
            deck.append((ContactKind.NON_DATA, channel, weighted(rng, NON_DATA_WEIGHTS)))
        else:
            deck.append((ContactKind.DATA, channel, weighted(rng, REASON_WEIGHTS)))
    rng.shuffle(deck)
    return deck


def _moment(rng: random.Random, start: datetime, end: datetime, channel: str) -> datetime:
    days = max(1, (end.date() - start.date()).days)
    for _ in range(20):
        day = start.date() + timedelta(days=rng.randrange(days))
        if channel in OFFICE_CHANNELS:
            if day.weekday() >= 5:
                continue
            hour = rng.randint(7, 16)
        else:
            hour = rng.choices(range(24), weights=HOURS)[0]
        moment = local(day, hour, rng.randrange(60)) + timedelta(seconds=rng.randrange(60))
        if start <= moment < end:
            return moment
    return start + (end - start) / 2


@dataclass
class Period:
    name: str
    start: datetime
    end: datetime
    lines: Sequence[str]
    communes: list[AdminUnit]
    weights: list[float]
    registered: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)  # unit → children
    officer_units: list[AdminUnit] = field(default_factory=list)  # communes of the demo officers


def _child(
    rng: random.Random, reason: str, when: datetime, unit_id: int | None, period: Period
) -> ChildEntry:
    sexual = reason in ("violence.sexual", "violence.online_sexual", "violence.commercial_sexual")
    sex = "F" if rng.random() < (0.85 if sexual else 0.5) else "M"
    age = rng.choices(range(3, 18), weights=[1, 1, 1, 2, 2, 3, 3, 4, 5, 6, 6, 6, 5, 4, 3])[0]
    known = period.registered.get(unit_id or 0, [])
    if known and rng.random() < 0.35:
        fitting = [c for c in known if 2 <= when.year - c[1] <= 17]
        if fitting:
            child_id, _born, _sex = rng.choice(fitting)
            return ChildEntry(child_id=child_id)
    name = synthetic.child_name(rng, sex=sex) if rng.random() < 0.55 else ""
    return ChildEntry(name=name, sex=sex, age=age if rng.random() < 0.9 else None)


def plan_contacts(seed: int, period: Period, n: int) -> list[Planned]:
    """The contacts of one period, oldest first, each with its stable key: `n`, or the fewest that
    still show every channel, non-data type and reason. Depends only on the seed, `n` and the period's
    bounds."""
    rng = random.Random(f"mangnon-demo-contacts:{seed}:{period.name}:{n}")  # noqa: S311 - synthetic data
    regulars = [
        Regular(demo_phone(rng), synthetic.parent_name(rng, sex=rng.choice("MF")), rel)
        for rel in ("parent", "child", "unknown", "relative", "neighbour", "child", "other", "parent")
    ]
    drafts: list[tuple[datetime, tuple[str, str, str]]] = []
    for kind, channel, what in _deck(rng, n):
        drafts.append((_moment(rng, period.start, period.end, channel), (kind, channel, what)))
    drafts.sort(key=lambda d: d[0])
    out: list[Planned] = []
    for index, (when, (kind, channel, what)) in enumerate(drafts, 1):
        p = Planned(
            key=f"{KEY_PREFIX}{period.name}-{index:06d}",
            received_at=when,
            channel=channel,
            kind=kind,
            pick=rng.random(),
        )
        if channel == Channel.PHONE:
            p.line = rng.choices(list(period.lines), weights=[6, 3, 1][: len(period.lines)])[0]
        if channel in (Channel.WALK_IN, Channel.COLLABORATOR):
            p.taker = "officer"
        elif channel in (Channel.SCHOOL, Channel.POLICE, Channel.LETTER):
            p.taker = "officer" if rng.random() < 0.5 else "province"
        if kind == ContactKind.NON_DATA:
            p.non_data_type = what
            regular = rng.random() < 0.25 and what in (NonDataType.SILENT, NonDataType.ABUSIVE)
            phone = rng.choice(regulars).phone if regular else (demo_phone(rng) if rng.random() < 0.5 else "")
            p.data = {"caller_phone": phone, "duration_seconds": rng.randint(3, 90)}
            out.append(p)
            continue
        p.reason = what
        needs_place = channel != Channel.PHONE and channel != Channel.ONLINE
        if needs_place or rng.random() < 0.8:
            unit = rng.choices(period.communes, weights=period.weights)[0]
            if p.taker == "officer" and period.officer_units and rng.random() < 0.4:
                unit = rng.choice(period.officer_units)  # the demo officers' own walk-ins and collaborators
            p.commune, p.commune_code = unit.pk, unit.code
        _describe(rng, p, period, regulars)
        out.append(p)
    if period.officer_units:
        # The latest two calls about violence are possible emergencies no case has been opened from
        # yet: the hotline's "open emergencies" panel shows them.
        calls = [p for p in out if p.channel == Channel.PHONE and reason_family(p.reason) == "violence"]
        for p in calls[-2:]:
            p.data.update(urgency=Urgency.EMERGENCY, outcome="", referred_to=None)
            for name in ("caller_agreed", "emergency_override", "override_reason"):
                p.data.pop(name, None)  # not passed on: no referral
    return out


def _describe(rng: random.Random, p: Planned, period: Period, regulars: list[Regular]) -> None:
    family = reason_family(p.reason)
    top = p.reason.split(".")[0]
    relationship = weighted(rng, CALLERS[family])
    regular = p.channel == Channel.PHONE and rng.random() < 0.12
    anonymous = not regular and rng.random() < (0.5 if relationship == "neighbour" else 0.2)
    name, phone = "", ""
    if regular:
        caller = rng.choice(regulars)
        name, phone, relationship = caller.name, caller.phone, caller.relationship
    elif not anonymous:
        if rng.random() < 0.6:
            name = synthetic.parent_name(rng, sex=rng.choice("MF"))
        if p.channel in (Channel.PHONE, Channel.ONLINE) or rng.random() < 0.3:
            phone = demo_phone(rng)
    if p.channel in (Channel.SCHOOL, Channel.POLICE, Channel.LETTER, Channel.COLLABORATOR):
        relationship = CALLER_OF.get(p.channel, relationship)
    consents = bool(name) and rng.random() < 0.35
    urgency = Urgency.NORMAL
    if (family == "violence" and rng.random() < 0.5) or p.reason == "mental_health.self_harm":
        urgency = Urgency.HIGH
    elif top in ("information", "other") and rng.random() < 0.5:
        urgency = Urgency.LOW
    outcome: str = Outcome.COUNSELLING
    if top in ("information", "legal") or (top == "education" and rng.random() < 0.5):
        outcome = Outcome.INFORMATION
    referred = None
    if family == "violence" and p.commune is not None and rng.random() < 0.7:
        outcome, referred = Outcome.REFERRED, p.commune
    if rng.random() < 0.03:
        outcome = ""  # still being followed up
    referral: dict[str, Any] = {}
    if outcome == Outcome.REFERRED:
        # Passed on to the commune (a referral): on the word of a caller who is the child or a parent,
        # otherwise as an emergency, saying why (Decree 56, art. 26). No draw: the plan stays the same.
        if relationship in (CallerRelationship.CHILD, CallerRelationship.PARENT):
            referral = {"caller_agreed": True}
        else:
            reason = OVERRIDE_REASONS.get(relationship, OVERRIDE_REASONS[""])
            referral = {"emergency_override": True, "override_reason": reason}
    minutes = rng.randint(2, 8) if outcome == Outcome.INFORMATION else rng.randint(6, 35)
    p.data = {
        "caller_anonymous": anonymous,
        "caller_name": name,
        "caller_phone": phone,
        "caller_relationship": relationship,
        "caller_consents_to_identity": consents,
        "urgency": urgency,
        "narrative": rng.choice(NARRATIVES.get(top, NARRATIVES["other"])),
        "outcome": outcome,
        "referred_to": referred,
        "duration_seconds": minutes * 60 + rng.randrange(60) if p.channel == Channel.PHONE else None,
        **referral,
    }
    if p.commune is not None and rng.random() < 0.4:
        p.data["place_text"] = synthetic.address(rng, ward=not synthetic.is_rural(p.commune_code))
    if top not in ("information", "other", "legal") or rng.random() < 0.3:
        children = 2 if rng.random() < 0.1 else 1
        p.children = [_child(rng, p.reason, p.received_at, p.commune, period) for _ in range(children)]
        if relationship == "child":
            p.children = p.children[:1]


# --- loading -----------------------------------------------------------------------------------------


def periods(prov: AdminUnit, now: datetime) -> list[Period]:
    old, old_weights = communes_2020(prov)
    current, weights = communes_current()
    registered: dict[int, list[tuple[int, int, str]]] = {}
    rows = Child.objects.filter(admin_unit__in=current).values_list(
        "pk", "admin_unit_id", "person__birth_year", "person__sex"
    )
    for pk, unit_id, born, sex in rows.order_by("pk").iterator():
        if born:
            registered.setdefault(unit_id, []).append((pk, born, sex))
    return [
        Period("2020", local(date(2020, 1, 1), 0), local(date(2021, 1, 1), 0), LINES_2020, old, old_weights),
        Period(
            "current",
            local(REFORM_DATE, 0),
            now - timedelta(hours=1),
            ("111", "18001769", "18001776"),
            current,
            weights,
            registered,
            [u for u in current if u.code in (COMMUNE_A, COMMUNE_B)],
        ),
    ]


def existing_keys(scope: str, prefix: str) -> set[str]:
    return set(
        IdempotencyKey.objects.filter(scope=scope, key__startswith=prefix).values_list("key", flat=True)
    )


def _taker(p: Planned, period: Period, crew: Team) -> User:
    if period.name == "2020":
        if p.taker == "counsellor":
            return crew.counsellors_2020[int(p.pick * len(crew.counsellors_2020))]
        return crew.province_2020
    if p.taker == "officer" and p.commune_code in crew.officers:
        return crew.officers[p.commune_code]
    if p.taker in ("officer", "province"):
        return crew.province_officer
    # demo-hotline takes half of the calls, the two others the rest
    others = crew.counsellors[1:]
    return crew.counsellors[0] if p.pick < 0.5 else others[int((p.pick - 0.5) * 2 * len(others))]


def _record(p: Planned, taker: User, lines: dict[str, Line], units: dict[int, AdminUnit]) -> None:
    extra = dict(p.data)
    referred = extra.pop("referred_to", None)
    data = ContactData(
        channel=p.channel,
        kind=p.kind,
        non_data_type=p.non_data_type,
        line=lines.get(p.line),
        received_at=p.received_at,
        reasons=[p.reason] if p.reason else [],
        commune=units.get(p.commune) if p.commune else None,
        referred_to=units.get(referred) if referred else None,
        children=p.children,
        **extra,
    )
    with clock(p.received_at):  # the takers' scope is the same all period long (see load_contacts)
        contact_create(actor=taker, data=data, idempotency_key=p.key)


def load_contacts(ctx: DemoContext | Any, prov: AdminUnit) -> dict[str, int]:
    scale = "full" if getattr(ctx, "scale", "sample") == "full" else "sample"
    seed = getattr(ctx, "seed", DEFAULT_SEED)
    crew = team(prov)
    lines = {line.number: line for line in Line.objects.all()}
    done = existing_keys(IDEMPOTENCY_SCOPE, KEY_PREFIX)
    created = {"2020": 0, "current": 0}
    for period in periods(prov, _REAL_NOW()):
        planned = plan_contacts(seed, period, round(CONTACTS[scale][period.name] * province_share()))
        todo = [p for p in planned if p.key not in done]
        units = {u.pk: u for u in period.communes}
        for user in crew.everyone():  # scope is cached per user for "today": a new period, a new today
            forget_cached_scope(user)
        for start in range(0, len(todo), 200):
            with transaction.atomic():  # one commit per batch; a killed run resumes at its batch
                for p in todo[start : start + 200]:
                    _record(p, _taker(p, period, crew), lines, units)
        created[period.name] = len(todo)
    for user in crew.everyone():
        forget_cached_scope(user)
    return created


def load(ctx: DemoContext) -> None:
    prov = province()
    place = prov.name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
    for number, name in LINES:
        line_configure(actor=None, number=number, name=name.format(p=place), province=prov)
    ctx.say(f"  lines: 111 and {', '.join(n for n, _name in LINES)}")
    if not User.objects.filter(username="demo-hotline").exists():
        # Only the lines without the demo users (who take the contacts); `mangnon demo load` loads them first.
        ctx.say("  contacts: none (the demo users are not loaded)")
        return
    created = load_contacts(ctx, prov)
    ctx.say(f"  contacts: {created['2020']} of 2020 and {created['current']} since 1/7/2025 created")
