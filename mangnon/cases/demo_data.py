"""Demo case work: Quảng Ninh's incidents of 2020 with their cases, and cases of the current geography.

**2020 (seed 003).** The province reported "26 vụ, 30 trẻ em bị xâm hại" for 2020: 26 incidents with 30
abused children. INCIDENTS_2020 below is that year, incident by incident, at pre-reform communes: the
source gives only the two totals, so the forms of abuse, settings, perpetrators and legal outcomes are
the demo's own (plausible for a Vietnamese province: most incidents sexual abuse, most perpetrators men
the child knew; the sexual abuse prosecuted, family violence sanctioned administratively). What the
system counts from these records for 2020, as known at the year's end (the legal figures are a cohort's,
see incident_selectors):

    incidents 26, children 30 (23 girls, 7 boys), perpetrators 28 (27 men, 1 woman);
    prosecuted incidents 16 and accused persons 17 (a seventeenth incident, of 12/12/2020, was
    prosecuted in January 2021); administrative sanctions: 6 incidents, 7 persons.

The source adds "giảm 2 vụ so với cùng kỳ năm 2019": 2019 has 28 incidents, drawn from the seed at the
same communes, recorded with their victims and legal track but without the children's cases.

Each abused child has a case, opened from a call to 111, a school's or the police's report, or directly
by the commune officer, and taken through the Decree 56 cycle by the officers and chairpersons of 2020:
most closed after one plan, some through the emergency branch, a plan returned by the chairperson, a
second plan after a review that found the child still at risk, a late assessment, a case reopened in
2021 and one (in today's Phường Hạ Long) reopened a few days ago by demo-commune-a.

**The current geography (from 1/7/2025).** Cases in demo-commune-a's Phường Hạ Long in every state of
the cycle (one received a day and a half ago and still not assessed, one received this morning, plans
waiting for demo-chair-a, a review date passed, closed and reopened cases), fewer in demo-commune-b's Xã
Tiên Yên and in a few other communes, some with incidents and their legal track, some assigned to the
case manager; `--scale full` adds more communes. Their times are counted back from the moment the demo
is loaded, so the overdue and due-soon lists have something in them whenever it is loaded.

**How.** Everything goes through the services: `child_register`, `contact_create`, `case_open`,
`case_transition` with each step's form, `case_assign`, `incident_record` and `legal_step_add`, with
the people whose roles allow each step (the staff of 2020 are demo users whose memberships ended on
30/6/2025; none of the staff made here has a password). The services stamp and check times with the
clock, so each call runs on `intake.demo_data.clock` set to the moment it describes, and the deadlines
are the services' own, computed from the time of receipt.

**Referrals.** Two calls to 111 about children of commune A, referred on the intake screen: one on the
mother's agreement and accepted by demo-commune-a, one reported by a neighbour and sent as an emergency,
still waiting for the commune's answer. Three current cases referred by their commune to the province's
social-work centre: on the child's recorded consent and accepted; on consent and rejected with the
centre's reason; an emergency without consent, accepted at once (an organisation has no users here, so
the commune records the centre's answer). The communes accept the contacts the hotline passed on in the
intake demo a few hours after they were sent, all but the latest three, which wait.

Idempotent: each story (an incident of 2020 with its children's cases, a current case, or a referral) is
written in one transaction under a stable idempotency key ("demo-incident-2020-07", "demo-case-06688-03",
"demo-referral-01"); a story whose key exists is skipped, so a second run changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from mangnon.accounts.models import Membership, User
from mangnon.accounts.roles import Action, Role, roles_allowed
from mangnon.core.calendar import VN_TZ
from mangnon.core.models import IdempotencyKey
from mangnon.geo.models import LAST_PRE_REFORM_DAY, REFORM_DATE, AdminUnit, Level
from mangnon.intake import demo_data as intake_demo
from mangnon.intake.codes import CallerRelationship, Channel, ContactKind, Outcome, Urgency
from mangnon.intake.models import Contact, Line
from mangnon.intake.services import ChildEntry, ContactData, contact_create
from mangnon.orgs.codes import OrgKind
from mangnon.orgs.models import Organisation
from mangnon.orgs.selectors import providers_near
from mangnon.registry import synthetic
from mangnon.registry.codes import ConsentPurpose, Relationship
from mangnon.registry.models import Caregiver, Child, Person, RegistrationDecision
from mangnon.registry.services import ChildData, child_register, consent_record

from .codes import AbuseForm, LegalStepKind, PerpetratorRelationship, ReferralStatus, Setting
from .incident_services import IDEMPOTENCY_SCOPE as INCIDENT_SCOPE
from .incident_services import incident_record, legal_step_add
from .models import Case, CaseStep, Incident, Referral
from .referral_services import IDEMPOTENCY_SCOPE as REFERRAL_SCOPE
from .referral_services import referral_accept, referral_reject, referral_send
from .services import IDEMPOTENCY_SCOPE as CASE_SCOPE
from .services import case_assign, case_open, case_transition
from .workflow import Status

if TYPE_CHECKING:
    from mangnon.demo.loader import DemoContext

S = Status
F = AbuseForm
ST = Setting
R = PerpetratorRelationship
K = LegalStepKind

# --- 2020: the 26 incidents --------------------------------------------------------------------------


@dataclass(frozen=True)
class Victim:
    sex: str
    age: int
    path: str  # how the child's case went: a key of PATHS_2020


@dataclass(frozen=True)
class Perp:
    relationship: str
    sex: str
    age: int


@dataclass(frozen=True)
class Legal:
    kind: str
    days: int  # after the incident
    perp: int | None = None  # index into the incident's perpetrators


@dataclass(frozen=True)
class Incident2020:
    no: int
    commune: str  # the pre-reform commune's code
    on: tuple[int, int]  # (month, day) of 2020
    forms: tuple[str, ...]
    setting: str
    victims: tuple[Victim, ...]
    perps: tuple[Perp, ...]
    legal: tuple[Legal, ...]
    intake: str  # call (111 or the provincial line) | school | police | direct | record (no case)
    year: int = 2020

    @property
    def day(self) -> date:
        return date(self.year, *self.on)


def criminal(reported: int, opened: int, accused: int, tried: int, *, perps: int = 1) -> tuple[Legal, ...]:
    """Reported to the police, a criminal case opened, each perpetrator accused, tried and sentenced."""
    people = range(perps)
    return (
        Legal(K.REPORTED, reported),
        Legal(K.INVESTIGATED, reported + 2),
        Legal(K.CRIMINAL_CASE, opened),
        *(Legal(K.ACCUSED, accused, p) for p in people),
        *(Legal(K.TRIED, tried, p) for p in people),
        *(Legal(K.SENTENCED, tried, p) for p in people),
    )


def sanction(reported: int, on: int, *, perps: int = 1) -> tuple[Legal, ...]:
    return (
        Legal(K.REPORTED, reported),
        Legal(K.INVESTIGATED, reported + 3),
        *(Legal(K.ADMINISTRATIVE, on, p) for p in range(perps)),
    )


def dropped(reported: int, on: int) -> tuple[Legal, ...]:
    return (Legal(K.REPORTED, reported), Legal(K.INVESTIGATED, reported + 5), Legal(K.DISMISSED, on))


def V(sex: str, age: int, path: str = "closed") -> Victim:  # a table's shorthand
    return Victim(sex, age, path)


def P(relationship: str, age: int, sex: str = "M") -> Perp:  # a table's shorthand
    return Perp(relationship, sex, age)


HONG_HA, HONG_HAI = "06697", "06688"  # went into Phường Hạ Long (demo-commune-a)
TIEN_YEN, PHONG_DU = "06862", "06871"  # went into Xã Tiên Yên (demo-commune-b)
KA_LONG, MAO_KHE, CAM_SON, HOANH_MO = "06709", "07069", "06766", "06841"
QUANG_YEN, CAI_RONG, THANH_SON, HA_KHANH = "07132", "06994", "06811", "06649"

I = Incident2020  # noqa: E741 - a table's shorthand
INCIDENTS_2020: tuple[Incident2020, ...] = (
    I(1, HONG_HA, (1, 14), (F.SEXUAL,), ST.COMMUNITY, (V("F", 13),), (P(R.ACQUAINTANCE, 34),),
      criminal(1, 20, 25, 160), "call"),
    I(2, KA_LONG, (2, 3), (F.PHYSICAL, F.EMOTIONAL), ST.FAMILY, (V("M", 9, "emergency"),),
      (P(R.STEP_PARENT, 38),), sanction(1, 15), "school"),
    I(3, MAO_KHE, (2, 21), (F.SEXUAL,), ST.FAMILY, (V("F", 11, "emergency"),), (P(R.RELATIVE, 52),),
      criminal(0, 12, 18, 140), "police"),
    I(4, CAM_SON, (3, 9), (F.SEXUAL,), ST.COMMUNITY, (V("F", 14), V("F", 14)), (P(R.ACQUAINTANCE, 27),),
      criminal(2, 15, 20, 170), "direct"),
    I(5, HOANH_MO, (3, 30), (F.SEXUAL,), ST.COMMUNITY, (V("F", 15, "late"),), (P(R.ACQUAINTANCE, 19),),
      criminal(1, 10, 14, 150), "call"),
    I(6, PHONG_DU, (4, 18), (F.NEGLECT,), ST.FAMILY, (V("M", 5, "replan"), V("F", 3, "replan")),
      (P(R.PARENT, 29, "F"),), dropped(2, 30), "direct"),
    I(7, QUANG_YEN, (5, 6), (F.SEXUAL,), ST.ONLINE, (V("F", 13),), (P(R.STRANGER, 24),),
      criminal(3, 30, 40, 200), "call"),
    I(8, HONG_HAI, (5, 22), (F.PHYSICAL,), ST.FAMILY, (V("M", 12, "returned"),), (P(R.PARENT, 41),),
      sanction(1, 10), "school"),
    I(9, CAI_RONG, (6, 2), (F.SEXUAL,), ST.COMMUNITY, (V("F", 12),), (P(R.ACQUAINTANCE, 45),),
      criminal(1, 9, 14, 130), "police"),
    I(10, THANH_SON, (6, 15), (F.PHYSICAL,), ST.SCHOOL, (V("M", 13),), (P(R.PEER, 15), P(R.PEER, 14)),
      sanction(1, 20, perps=2), "school"),
    I(11, HA_KHANH, (6, 28), (F.SEXUAL,), ST.FAMILY, (V("F", 10, "emergency"),), (P(R.STEP_PARENT, 43),),
      criminal(0, 7, 10, 150), "call"),
    I(12, TIEN_YEN, (7, 10), (F.SEXUAL,), ST.COMMUNITY, (V("F", 14),), (P(R.ACQUAINTANCE, 22),),
      criminal(1, 12, 16, 180), "call"),
    I(13, KA_LONG, (7, 27), (F.EXPLOITATION,), ST.COMMUNITY, (V("M", 15, "reopened"),),
      (P(R.ACQUAINTANCE, 48),), sanction(2, 25), "police"),
    I(14, MAO_KHE, (8, 8), (F.SEXUAL,), ST.COMMUNITY, (V("F", 13),), (P(R.ACQUAINTANCE, 30),),
      criminal(1, 10, 15, 160), "call"),
    I(15, HONG_HA, (8, 19), (F.PHYSICAL,), ST.FAMILY, (V("F", 8, "reopened_now"), V("M", 6)),
      (P(R.PARENT, 36),), sanction(1, 12), "direct"),
    I(16, CAM_SON, (9, 3), (F.SEXUAL,), ST.ONLINE, (V("F", 14),), (P(R.STRANGER, 29),),
      criminal(2, 40, 55, 220), "call"),
    I(17, HOANH_MO, (9, 12), (F.SEXUAL,), ST.FAMILY, (V("F", 12, "emergency"),), (P(R.RELATIVE, 17),),
      criminal(1, 9, 14, 170), "police"),
    I(18, QUANG_YEN, (9, 25), (F.PHYSICAL,), ST.COMMUNITY, (V("M", 14),), (P(R.STRANGER, 31),),
      criminal(0, 18, 25, 190), "police"),
    I(19, CAI_RONG, (10, 7), (F.SEXUAL,), ST.SCHOOL, (V("F", 11),), (P(R.TEACHER, 47),),
      criminal(1, 11, 16, 200), "school"),
    I(20, HONG_HAI, (10, 16), (F.SEXUAL,), ST.COMMUNITY, (V("F", 15), V("F", 14, "returned")),
      (P(R.ACQUAINTANCE, 26), P(R.ACQUAINTANCE, 24)), criminal(1, 9, 14, 170, perps=2), "direct"),
    I(21, THANH_SON, (10, 30), (F.SEXUAL,), ST.ONLINE, (V("F", 13),), (P(R.STRANGER, 21),),
      dropped(2, 60), "call"),
    I(22, PHONG_DU, (11, 8), (F.PHYSICAL, F.EMOTIONAL), ST.FAMILY, (V("F", 10, "replan"),),
      (P(R.STEP_PARENT, 39),), sanction(1, 14), "call"),
    I(23, HA_KHANH, (11, 19), (F.SEXUAL,), ST.COMMUNITY, (V("F", 12),), (P(R.ACQUAINTANCE, 55),),
      criminal(1, 8, 13, 150), "police"),
    I(24, TIEN_YEN, (12, 1), (F.PHYSICAL,), ST.FAMILY, (V("F", 14),), (P(R.RELATIVE, 44),),
      dropped(2, 40), "school"),
    I(25, MAO_KHE, (12, 12), (F.SEXUAL,), ST.COMMUNITY, (V("F", 14),), (P(R.ACQUAINTANCE, 33),),
      criminal(1, 25, 30, 200), "call"),
    I(26, HONG_HA, (12, 20), (F.SEXUAL,), ST.FAMILY, (V("F", 9, "emergency"),), (P(R.RELATIVE, 61),),
      criminal(0, 8, 9, 160), "police"),
)  # fmt: skip

# --- the current geography ---------------------------------------------------------------------------

COMMUNE_A, COMMUNE_B = intake_demo.COMMUNE_A, intake_demo.COMMUNE_B
# Each current case: its target state and a variant: "!" overdue, "~" due within hours, "^" a plan
# returned by the chairperson, "+" a second plan after a review, "@" closed and reopened, "e" the
# emergency branch, "h" taken by the hotline and opened there (the commune has not taken it yet),
# "m" assigned to the case manager, "i" with an incident.
MIX_A: tuple[str, ...] = (
    "received! h", "received~", "assessed i", "emergency ei", "investigating! i", "investigating",
    "plan_drafted", "plan_drafted^ i", "plan_approved", "in_service m", "in_service! i", "reviewed",
    "closed i", "closed+", "investigating@",
)  # fmt: skip
MIX_B: tuple[str, ...] = (
    "received!",
    "assessed",
    "investigating i",
    "plan_drafted",
    "in_service",
    "closed i",
)
MIX_OTHER: tuple[str, ...] = (
    "received~ h", "emergency ei", "investigating!", "plan_drafted", "plan_approved m", "in_service i",
    "reviewed", "closed i", "closed+",
)  # fmt: skip
OTHER_COMMUNES = {
    "sample": ("06793", "06709", "07069", "06970"),
    "full": ("06793", "06709", "07069", "06970", "06652", "06811", "06994", "06922", "07132", "06841"),
}
# Sample: four of MIX_OTHER's cases per commune (a different four in each); full: all nine.
SAMPLE_OTHER = 4

STAFF_FROM_2020 = intake_demo.STAFF_FROM_2020


@dataclass
class Crew:
    """Who works the cases of one commune."""

    officer: User
    chair: User
    counsellor: User | None = None  # takes the calls (and, now, opens cases from them)
    manager: User | None = None  # the province's case manager, who takes on some cases

    def everyone(self) -> list[User]:
        return [u for u in (self.officer, self.chair, self.counsellor, self.manager) if u]


def _old_unit(code: str) -> AdminUnit:
    return AdminUnit.objects.get(
        code=code, valid_to=LAST_PRE_REFORM_DAY, level__in=[Level.COMMUNE, Level.SPECIAL_ZONE]
    )


def _current_unit(code: str) -> AdminUnit:
    return AdminUnit.objects.get(code=code, valid_from=REFORM_DATE, valid_to=None)


def crew_2020(code: str, unit: AdminUnit, counsellor: User) -> Crew:
    old = {"valid_from": STAFF_FROM_2020, "valid_to": LAST_PRE_REFORM_DAY}
    return Crew(
        officer=intake_demo.staff(f"demo-2020-officer-{code}", Role.COMMUNE_OFFICER, unit, **old),
        chair=intake_demo.staff(f"demo-2020-chair-{code}", Role.COMMUNE_CHAIR, unit, **old),
        counsellor=counsellor,
    )


def crew_current(unit: AdminUnit) -> Crew:
    named = {COMMUNE_A: ("demo-commune-a", "demo-chair-a"), COMMUNE_B: ("demo-commune-b", "")}
    officer_name, chair_name = named.get(unit.code, ("", ""))
    now = {"valid_from": REFORM_DATE}
    officer = (
        intake_demo.demo_user(officer_name)
        if officer_name
        else intake_demo.staff(f"demo-officer-{unit.code}", Role.COMMUNE_OFFICER, unit, **now)
    )
    chair = (
        intake_demo.demo_user(chair_name)
        if chair_name
        else intake_demo.staff(f"demo-chair-{unit.code}", Role.COMMUNE_CHAIR, unit, **now)
    )
    return Crew(
        officer=officer,
        chair=chair,
        counsellor=intake_demo.demo_user("demo-hotline"),
        manager=intake_demo.demo_user("demo-casemanager"),
    )


# --- what the forms say ------------------------------------------------------------------------------

REASONS: dict[str, str] = {
    F.SEXUAL: "violence.sexual", F.PHYSICAL: "violence.physical", F.EMOTIONAL: "violence.emotional",
    F.NEGLECT: "violence.neglect", F.EXPLOITATION: "violence.child_labour",
    F.ONLINE: "violence.online_sexual", F.TRAFFICKING: "violence.trafficking", F.OTHER: "violence.other",
}  # fmt: skip
CONDITION: dict[str, str] = {
    F.SEXUAL: "Trẻ hoảng sợ, ít nói, có dấu hiệu bị xâm hại tình dục; đã được đưa đi khám.",
    F.PHYSICAL: "Trẻ có vết bầm ở tay và lưng, kể bị đánh nhiều lần.",
    F.EMOTIONAL: "Trẻ thường xuyên bị chửi mắng, đe dọa, sợ về nhà.",
    F.NEGLECT: "Trẻ bị bỏ mặc nhiều ngày, thiếu ăn, không được đưa đi học.",
    F.EXPLOITATION: "Trẻ bỏ học, làm thuê nhiều giờ mỗi ngày ở cơ sở chế biến hải sản.",
    F.ONLINE: "Trẻ bị người lạ trên mạng dụ dỗ gửi ảnh, bị đe dọa.",
}
SERVICES: dict[str, tuple[str, ...]] = {
    F.SEXUAL: ("medical", "psychological", "legal_aid"),
    F.PHYSICAL: ("medical", "psychological"),
    F.EMOTIONAL: ("psychological",),
    F.NEGLECT: ("financial", "education"),
    F.EXPLOITATION: ("education", "vocational"),
    F.ONLINE: ("psychological", "legal_aid"),
}
REOPENED: dict[str, str] = {
    F.PHYSICAL: "Nhà trường báo trẻ lại có vết bầm; người gây hại vẫn sống cùng nhà.",
    F.SEXUAL: "Trẻ lại bị đối tượng tìm gặp, đe dọa; gia đình báo lại.",
    F.NEGLECT: "Trẻ lại bị bỏ mặc, nghỉ học nhiều ngày; trưởng thôn báo lại.",
    F.EXPLOITATION: "Trẻ lại bỏ học đi làm thuê; nhà trường báo lại.",
}
SERVICE_TEXT: dict[str, str] = {
    "medical": "Khám và điều trị tại bệnh viện",
    "psychological": "Tham vấn tâm lý hằng tuần",
    "legal_aid": "Trợ giúp pháp lý cho trẻ và gia đình",
    "financial": "Trợ cấp xã hội và hỗ trợ gạo",
    "education": "Hỗ trợ đi học trở lại, miễn học phí",
    "vocational": "Học nghề tại trung tâm giáo dục nghề nghiệp",
    "safe_shelter": "Chăm sóc tạm thời tại nhà tạm lánh",
}


@dataclass
class Story:
    """One child's case: where, who, what happened, and how far the cycle has gone."""

    key: str
    unit: AdminUnit
    crew: Crew
    forms: tuple[str, ...]
    received_at: datetime
    steps: list[tuple[str, datetime]] = field(default_factory=list)  # (target status, when)
    review_on: dict[int, date] = field(default_factory=dict)  # step index of a plan → its review date
    unsafe_reviews: set[int] = field(default_factory=set)  # step indexes of reviews: still at risk
    emergency: bool = False


def _text_data(story: Story, case: Case, to: str, when: datetime, index: int) -> tuple[dict[str, Any], str]:
    """The form fields (and reason) of the step to `to` taken at `when`."""
    form = story.forms[0]
    source, received = case.status, timezone.localtime(case.received_at)
    if to == S.ASSESSED:
        return {"safety_assessment": CONDITION.get(form, CONDITION[F.PHYSICAL])
                + " Không nguy hiểm đến tính mạng; trẻ ở với người chăm sóc an toàn.",
                "risk": "medium" if form in (F.SEXUAL, F.PHYSICAL) else "low"}, ""  # fmt: skip
    if to == S.EMERGENCY:
        return {
            "safety_assessment": CONDITION.get(form, CONDITION[F.PHYSICAL])
            + " Người gây hại sống cùng nhà, trẻ không an toàn.",
            "serious_danger": True,
            "measures": ["emergency_intervention", "temporary_separation"],
            "measures_applied_at": max(received, when - timedelta(hours=1)).isoformat(),
            "placement": "Nhà ông bà ngoại, cùng thôn" if form != F.SEXUAL else "Nhà tạm lánh của tỉnh",
        }, ""
    if to == S.INVESTIGATING and source in (S.ASSESSED, S.EMERGENCY):
        return {
            "information_collected": "Đã gặp trẻ, mẹ (hoặc người chăm sóc), giáo viên chủ nhiệm và công an.",
            "meeting_on": when.date().isoformat(),
            "participants": "Cán bộ bảo vệ trẻ em, công an, hội phụ nữ, trưởng thôn, giáo viên",
            "needs": "An toàn tại nơi ở, hỗ trợ tâm lý, tiếp tục đi học.",
        }, ""
    if to == S.INVESTIGATING and source == S.PLAN_DRAFTED:
        return {}, "Kế hoạch cần nêu rõ người chịu trách nhiệm từng dịch vụ và thời gian thực hiện."
    if to == S.INVESTIGATING:
        return {}, REOPENED.get(form, REOPENED[F.PHYSICAL])
    if to == S.PLAN_DRAFTED:
        review = story.review_on[index]
        services = [
            {
                "service_type": kind,
                "provider": _provider(case.admin_unit, kind),
                "description": SERVICE_TEXT[kind],
                "start": when.date().isoformat(),
                "end": review.isoformat(),
            }
            for kind in (
                *(("safe_shelter",) if story.emergency else ()),
                *SERVICES.get(form, ("psychological",)),
            )
        ]
        plan = {
            "goals": "Trẻ được an toàn, ổn định tâm lý và đi học đều trong ba tháng.",
            "responsible": "Cán bộ bảo vệ trẻ em cấp xã, phối hợp công an và nhà trường",
            "review_dates": [review.isoformat()],
            "services": services,
        }
        reason = "Kết quả rà soát: trẻ còn nguy cơ; cần kế hoạch mới." if source == S.REVIEWED else ""
        return plan, reason
    if to == S.PLAN_APPROVED:
        return {
            "decision_number": f"{50 + case.pk % 400}/QĐ-UBND",
            "decision_date": when.date().isoformat(),
            "signer": f"{story.crew.chair.full_name.removesuffix(' (demo)')}, Chủ tịch UBND",
        }, ""
    if to == S.REVIEWED:
        safe = index not in story.unsafe_reviews
        return {
            "harm": "low" if safe else "medium",
            "abuser_access": "low",
            "obstacles": "low" if safe else "medium",
            "child_capacity": "medium",
            "child_stable": safe,
            "conclusion": "Trẻ an toàn, ổn định, đi học đều."
            if safe
            else "Trẻ còn nguy cơ, cần tiếp tục hỗ trợ.",
        }, ""
    return {}, ""


_PROVIDERS: dict[tuple[int, str], int | None] = {}


def _provider(unit: AdminUnit, kind: str) -> int | None:
    if (unit.pk, kind) not in _PROVIDERS:
        _PROVIDERS[(unit.pk, kind)] = providers_near(unit, kind).values_list("pk", flat=True).first()
    return _PROVIDERS[(unit.pk, kind)]


def _actor(story: Story, source: str, to: str) -> User:
    if source == S.PLAN_DRAFTED and to in (S.PLAN_APPROVED, S.INVESTIGATING):
        return story.crew.chair
    return story.crew.officer


def _drive(story: Story, case: Case) -> Case:
    """Take the case through the story's steps, each at its moment, as the person allowed to take it."""
    for index, (to, when) in enumerate(story.steps):
        actor = _actor(story, case.status, to)
        with intake_demo.clock(when):
            data, reason = _text_data(story, case, to, timezone.localtime(when), index)
            case_transition(actor=actor, case=case, to=to, version=case.version, data=data, reason=reason)
    return case


# --- timelines ---------------------------------------------------------------------------------------

BASE = (S.ASSESSED, S.INVESTIGATING, S.PLAN_DRAFTED, S.PLAN_APPROVED, S.IN_SERVICE, S.REVIEWED, S.CLOSED)
H = timedelta(hours=1)
D = timedelta(days=1)


def local_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=VN_TZ)


def _gap(rng: random.Random, source: str, to: str, *, late: bool = False) -> timedelta:
    """How long after the previous step (or the receipt) a step is taken."""
    if to == S.ASSESSED:
        return rng.uniform(19, 22) * H if late else rng.uniform(3, 9) * H
    if to == S.EMERGENCY:
        return rng.uniform(2, 5) * H
    if to == S.INVESTIGATING:
        return rng.uniform(20, 30) * H if source == S.PLAN_DRAFTED else rng.uniform(30, 60) * H
    if to == S.PLAN_DRAFTED:
        if late:
            return rng.uniform(140, 170) * H
        return rng.uniform(24, 48) * H if source != S.INVESTIGATING else rng.uniform(40, 80) * H
    if to == S.PLAN_APPROVED:
        return rng.uniform(20, 40) * H
    if to == S.IN_SERVICE:
        return rng.uniform(12, 30) * H
    return rng.uniform(24, 72) * H  # closing after the review


def _office_hours(moment: datetime) -> datetime:
    """Steps are taken in the day: a moment at night moves to 8 o'clock that morning or the next."""
    local = timezone.localtime(moment)
    if local.hour < 7:
        return local.replace(hour=8, minute=local.minute)
    if local.hour >= 19:
        return (local + D).replace(hour=8, minute=local.minute)
    return local


def _timeline(
    rng: random.Random,
    story: Story,
    targets: Sequence[str],
    *,
    late: bool = False,
    review_on: Callable[[date], date] | None = None,
    unsafe_first_review: bool = False,
    start: datetime | None = None,
    source: str = S.RECEIVED,
) -> None:
    """Add the steps to `targets` to the story, from its receipt (or from `start`, the case being in
    `source` then): each after the usual gap, a review on the plan's review date (`review_on(the day
    the plan is drafted)`, by default four to six weeks later)."""
    when = start or story.received_at
    pending_review: date | None = None
    reviews = 0
    for to in targets:
        if to == S.REVIEWED and pending_review is not None:
            at = datetime.combine(pending_review, time(9), tzinfo=VN_TZ) + rng.uniform(0, 3) * H
            when = max(when + H, at)
        elif to in (S.ASSESSED, S.EMERGENCY):
            when = when + _gap(rng, source, to, late=late)  # the 12-hour clock runs day and night
        else:
            when = _office_hours(when + _gap(rng, source, to, late=late and to == S.PLAN_DRAFTED))
        index = len(story.steps)
        if to == S.PLAN_DRAFTED:
            day = timezone.localtime(when).date()
            pending_review = review_on(day) if review_on else day + timedelta(days=rng.randint(28, 42))
            story.review_on[index] = max(pending_review, day)
            pending_review = story.review_on[index]
        if to == S.REVIEWED:
            if unsafe_first_review and reviews == 0:
                story.unsafe_reviews.add(index)
            reviews += 1
        story.steps.append((to, when))
        source = to


def path_targets(target: str, variant: str) -> list[str]:
    base: list[str] = list(BASE)
    if "e" in variant:
        base[0] = S.EMERGENCY
    cut = {
        S.RECEIVED: 0, S.ASSESSED: 1, S.EMERGENCY: 1, S.INVESTIGATING: 2, S.PLAN_DRAFTED: 3,
        S.PLAN_APPROVED: 4, S.IN_SERVICE: 5, S.REVIEWED: 6, S.CLOSED: 7,
    }[S(target)]  # fmt: skip
    if "@" in variant:  # closed, then reopened
        return [*base, S.INVESTIGATING]
    steps = base[:cut]
    if "^" in variant:  # the chairperson returned the first plan
        at = steps.index(S.PLAN_DRAFTED) + 1
        steps[at:at] = [S.INVESTIGATING, S.PLAN_DRAFTED]
    if "+" in variant:  # a review found the child still at risk: a second plan
        at = steps.index(S.REVIEWED) + 1
        steps[at:at] = [S.PLAN_DRAFTED, S.PLAN_APPROVED, S.IN_SERVICE, S.REVIEWED]
    return steps


# --- writing a story ---------------------------------------------------------------------------------


def _child_data(rng: random.Random, unit: AdminUnit, sex: str, age: int, on: date) -> ChildData:
    code = unit.code
    ethnicity = synthetic.ethnicity_for(rng, code)
    father = synthetic.parent_name(rng, sex="M", ethnicity=ethnicity)
    mother = synthetic.parent_name(rng, sex="F", ethnicity=ethnicity)
    ho = father.split()[0]
    dob = on - timedelta(days=365 * age + rng.randint(30, 330))
    return ChildData(
        full_name=synthetic.child_name(rng, sex=sex, ethnicity=ethnicity, ho=ho),
        sex=sex,
        commune=unit,
        date_of_birth=dob,
        ethnicity=ethnicity,
        address=synthetic.address(rng, ward=unit.name.startswith(("Phường", "Thị trấn"))),
        father_name=father,
        mother_name=mother,
    )


def _register(actor: User, data: ChildData, when: datetime) -> Child:
    with intake_demo.clock(when):
        return child_register(actor=actor, data=data, decision=RegistrationDecision.Decision.NEW).child


def _contact(
    story: Story,
    *,
    taker: User,
    channel: str,
    when: datetime,
    children: Sequence[ChildEntry],
    line: Line | None,
    rng: random.Random,
) -> Contact:
    caller = rng.choice(["parent", "relative", "neighbour", "child"])
    relationship = intake_demo.CALLER_OF.get(channel, caller)
    anonymous = relationship == "neighbour" and rng.random() < 0.6
    data = ContactData(
        channel=channel,
        kind=ContactKind.DATA,
        line=line,
        received_at=when,
        reasons=[REASONS.get(f, "violence.other") for f in story.forms],
        caller_anonymous=anonymous,
        caller_name="" if anonymous else synthetic.parent_name(rng, sex=rng.choice("MF")),
        caller_phone="" if anonymous or channel != Channel.PHONE else intake_demo.demo_phone(rng),
        caller_relationship=relationship,
        caller_consents_to_identity=not anonymous and rng.random() < 0.5,
        commune=story.unit,
        urgency=Urgency.EMERGENCY if story.emergency else Urgency.HIGH,
        narrative=CONDITION.get(story.forms[0], CONDITION[F.PHYSICAL]),
        duration_seconds=rng.randint(8, 25) * 60 if channel == Channel.PHONE else None,
        children=children,
    )
    with intake_demo.clock(when):
        return contact_create(
            actor=taker, data=data, idempotency_key=f"demo-story-contact-{story.key}"
        ).contact


def _form01(story: Story) -> dict[str, Any]:
    return {
        "child_condition": CONDITION.get(story.forms[0], CONDITION[F.PHYSICAL]),
        "consequences": "Trẻ tiếp tục bị tổn hại về thể chất và tinh thần nếu không được can thiệp.",
        "family_situation": "Gia đình khó khăn, bố mẹ đi làm xa, trẻ ít được quan tâm.",
        "actions_taken": "Đã báo công an xã và trưởng thôn.",
    }


def _open(
    story: Story,
    *,
    actor: User,
    opened_at: datetime,
    child: Child | None = None,
    contact: Contact | None = None,
    contact_child: int | None = None,
) -> Case:
    with intake_demo.clock(opened_at):
        return case_open(
            actor=actor,
            child=child if contact is None else None,
            contact=contact,
            contact_child=contact_child,
            commune=None if contact is not None else story.unit,
            received_at=None if contact is not None else story.received_at,
            form01=_form01(story),
            register_new=True,
            idempotency_key=f"demo-case-{story.key}",
        ).case


def _perpetrator(p: Perp) -> dict[str, Any]:
    return {"relationship": p.relationship, "sex": p.sex, "age": p.age}


def _record_incident(
    *,
    key: str,
    actor: User,
    unit: AdminUnit,
    occurred_on: date,
    forms: Sequence[str],
    setting: str,
    victims: Sequence[Child],
    perps: Sequence[Perp],
    legal: Sequence[Legal],
    when: datetime,
    now: datetime,
) -> Incident:
    with intake_demo.clock(when):
        incident = incident_record(
            actor=actor,
            occurred_on=occurred_on,
            admin_unit=unit,
            forms=forms,
            setting=setting,
            place_text=synthetic.address(random.Random(key), ward=unit.name.startswith("Phường")),  # noqa: S311
            description=CONDITION.get(forms[0], ""),
            victims=[c.pk for c in victims],
            perpetrators=[_perpetrator(p) for p in perps],
            idempotency_key=key,
        ).incident
    rows = list(incident.perpetrators.order_by("pk"))
    for step in sorted(legal, key=lambda s: (s.days, list(K.values).index(s.kind))):
        on = occurred_on + timedelta(days=step.days)
        at = datetime.combine(on, time(10), tzinfo=VN_TZ)
        if at > now:
            continue  # later steps of the legal track have not happened yet
        with intake_demo.clock(max(at, when)):
            legal_step_add(
                actor=actor,
                incident=incident,
                kind=step.kind,
                on=on,
                perpetrator=rows[step.perp] if step.perp is not None else None,
                detail=_legal_detail(step.kind),
            )
    return incident


LEGAL_DETAIL: dict[str, str] = {
    K.SENTENCED: "Phạt tù theo bản án sơ thẩm",
    K.ADMINISTRATIVE: "Xử phạt vi phạm hành chính: phạt tiền",
    K.DISMISSED: "Không đủ căn cứ xử lý; tiếp tục theo dõi, hỗ trợ trẻ",
}


def _legal_detail(kind: str) -> str:
    return LEGAL_DETAIL.get(kind, "")


# --- 2020 --------------------------------------------------------------------------------------------

PATHS_2020 = {
    "closed": ("", False),
    "emergency": ("e", False),
    "late": ("", True),
    "replan": ("+", False),
    "returned": ("^", False),
    "reopened": ("", False),
    "reopened_now": ("", False),
}


def load_2020(
    *, seed: int, prov: AdminUnit, line: Line | None, now: datetime, done: set[str]
) -> tuple[int, int]:
    counsellors = intake_demo.team(prov).counsellors_2020
    created = cases = 0
    for inc in INCIDENTS_2020:
        key = f"demo-incident-2020-{inc.no:02d}"
        if key in done:
            continue
        rng = random.Random(f"mangnon-demo-2020:{seed}:{inc.no}")  # noqa: S311 - synthetic data
        unit = _old_unit(inc.commune)
        crew = crew_2020(inc.commune, unit, counsellors[inc.no % len(counsellors)])
        with transaction.atomic():
            cases += _story_2020(inc, key, unit, crew, rng, line=line, now=now)
        created += 1
    return created, cases


def _story_2020(
    inc: Incident2020, key: str, unit: AdminUnit, crew: Crew, rng: random.Random, *, line: Line | None,
    now: datetime,
) -> int:  # fmt: skip
    received = datetime.combine(inc.day, time(rng.randint(7, 20), rng.randrange(60)), tzinfo=VN_TZ)
    received += timedelta(days=rng.choice((0, 0, 1, 2, 3)))
    stories = [
        Story(
            key=f"2020-{inc.no:02d}-{n}",
            unit=unit,
            crew=crew,
            forms=inc.forms,
            received_at=received,
            emergency=v.path == "emergency",
        )
        for n, v in enumerate(inc.victims, 1)
    ]
    opened_at = received + rng.uniform(0.5, 2) * H
    victims: list[Child] = []
    cases: list[Case] = []
    if inc.intake in ("call", "school", "police"):
        channel = {"call": Channel.PHONE, "school": Channel.SCHOOL, "police": Channel.POLICE}[inc.intake]
        entries = []
        for v in inc.victims:
            named = _child_data(rng, unit, v.sex, v.age, inc.day)
            entries.append(ChildEntry(name=named.full_name, sex=v.sex, age=v.age))
        taker = crew.counsellor if inc.intake == "call" and crew.counsellor else crew.officer
        contact = _contact(
            stories[0], taker=taker, channel=channel, when=received, children=entries,
            line=line if channel == Channel.PHONE else None, rng=rng,
        )  # fmt: skip
        rows = list(contact.children.order_by("pk"))
        for story, row in zip(stories, rows, strict=True):
            case = _open(
                story, actor=crew.officer, opened_at=opened_at, contact=contact, contact_child=row.pk
            )
            cases.append(case)
            victims.append(case.child)
    else:
        for story, v in zip(stories, inc.victims, strict=True):
            data = _child_data(rng, unit, v.sex, v.age, inc.day)
            child = _register(crew.officer, data, received)
            victims.append(child)
            cases.append(_open(story, actor=crew.officer, opened_at=opened_at, child=child))
    _record_incident(
        key=key, actor=crew.officer, unit=unit, occurred_on=inc.day, forms=inc.forms, setting=inc.setting,
        victims=victims, perps=inc.perps, legal=inc.legal, when=opened_at + 2 * H, now=now,
    )  # fmt: skip
    for story, case, v in zip(stories, cases, inc.victims, strict=True):
        variant, late = PATHS_2020[v.path]
        targets = path_targets(S.CLOSED, variant)
        _timeline(rng, story, targets, late=late, unsafe_first_review="+" in variant)
        _drive(story, case)
        if v.path == "reopened":
            _reopen_2021(story, case, rng)
        elif v.path == "reopened_now":
            _reopen_now(story, case, now)
    return len(cases)


# --- 2019: the year 2020 is compared with -----------------------------------------------------------

INCIDENTS_2019 = 28  # seed 003: 2020 had "2 incidents fewer than 2019"
FORMS_2019: dict[str, float] = {F.SEXUAL: 18, F.PHYSICAL: 7, F.NEGLECT: 2, F.EXPLOITATION: 1}


# The years between 2020 and the reform: a handful of incidents each, so that the figures of those
# years are not a false zero (the province's reports of them are not in the seeds).
INCIDENTS_LATER = {2021: 7, 2022: 6, 2023: 6, 2024: 5}


def plan_2019(seed: int) -> list[Incident2020]:
    """The 28 incidents of 2019, drawn from the seed at the same communes (the source gives only their
    number; three had two victims)."""
    return plan_year(seed, 2019)


def plan_year(seed: int, year: int) -> list[Incident2020]:
    """The incidents of 2019 or of a year of INCIDENTS_LATER, drawn from the seed at 2020's communes."""
    count, pairs = (INCIDENTS_2019, 3) if year == 2019 else (INCIDENTS_LATER[year], 1)
    rng = random.Random(f"mangnon-demo-{year}:{seed}")  # noqa: S311 - synthetic data
    communes = sorted({i.commune for i in INCIDENTS_2020})
    days = sorted(rng.sample(range(1, 360), count))
    siblings = set(rng.sample(range(count), pairs))
    out = []
    for n, day in enumerate(days, 1):
        on = date(year, 1, 1) + timedelta(days=day)
        form = intake_demo.weighted(rng, FORMS_2019)
        relationship, sex = PERPETRATOR_OF[form]
        victims = tuple(
            V("F" if form == F.SEXUAL or rng.random() < 0.5 else "M", rng.randint(4, 15))
            for _ in range(2 if n - 1 in siblings else 1)
        )
        legal = (
            criminal(1, rng.randint(7, 20), 25, 150)
            if form == F.SEXUAL
            else sanction(1, 14)
            if form == F.PHYSICAL
            else dropped(2, 30)
        )
        out.append(
            Incident2020(
                n, rng.choice(communes), (on.month, on.day), (form,), SETTING_OF[form], victims,
                (P(relationship, rng.randint(20, 55), sex),), legal, "record", year=year,
            )
        )  # fmt: skip
    return out


def load_2019(*, seed: int, prov: AdminUnit, now: datetime, done: set[str], year: int = 2019) -> int:
    """Incidents only (of 2019, or of `year`): their children's cases are not part of the demo."""
    counsellor = intake_demo.team(prov).counsellors_2020[0]
    made = 0
    for inc in plan_year(seed, year):
        key = f"demo-incident-{year}-{inc.no:02d}"
        if key in done:
            continue
        rng = random.Random(f"mangnon-demo-{year}:{seed}:{inc.no}")  # noqa: S311 - synthetic data
        unit = _old_unit(inc.commune)
        crew = crew_2020(inc.commune, unit, counsellor)
        found = _office_hours(datetime.combine(inc.day, time(9), tzinfo=VN_TZ) + rng.randint(1, 3) * D)
        with transaction.atomic():
            victims = [
                _register(crew.officer, _child_data(rng, unit, v.sex, v.age, inc.day), found)
                for v in inc.victims
            ]
            _record_incident(
                key=key, actor=crew.officer, unit=unit, occurred_on=inc.day, forms=inc.forms,
                setting=inc.setting, victims=victims, perps=inc.perps, legal=inc.legal, when=found + H,
                now=now,
            )  # fmt: skip
        made += 1
    return made


def _reopen_2021(story: Story, case: Case, rng: random.Random) -> None:
    """Closed, then reopened five months later (the child was found working again): a new plan, closed."""
    reopened = _office_hours(story.steps[-1][1] + 150 * D)
    again = Story(key=story.key, unit=story.unit, crew=story.crew, forms=story.forms, received_at=reopened)
    again.steps.append((S.INVESTIGATING, reopened))
    targets = [S.PLAN_DRAFTED, S.PLAN_APPROVED, S.IN_SERVICE, S.REVIEWED, S.CLOSED]
    _timeline(rng, again, targets, start=reopened, source=S.INVESTIGATING)
    _drive(again, case)


def _reopen_now(story: Story, case: Case, now: datetime) -> None:
    """A 2020 case of today's Phường Hạ Long, reopened three days ago by its officer and taken on."""
    officer = intake_demo.demo_user("demo-commune-a")
    when = now - 3 * D
    with intake_demo.clock(when, [officer, *story.crew.everyone()]):
        case_transition(
            actor=officer, case=case, to=S.INVESTIGATING, version=case.version, data={},
            reason="Nhà trường báo trẻ lại có vết bầm; cha vẫn uống rượu và đánh con.",
        )  # fmt: skip
        case_assign(actor=officer, case=case, caseworker=officer)


# --- the current geography ---------------------------------------------------------------------------

CURRENT_FORMS: dict[str, float] = {
    F.SEXUAL: 30, F.PHYSICAL: 35, F.NEGLECT: 12, F.EMOTIONAL: 10, F.EXPLOITATION: 6, F.ONLINE: 7,
}  # fmt: skip
SETTING_OF: dict[str, str] = {
    F.SEXUAL: ST.COMMUNITY, F.PHYSICAL: ST.FAMILY, F.NEGLECT: ST.FAMILY, F.EMOTIONAL: ST.FAMILY,
    F.EXPLOITATION: ST.COMMUNITY, F.ONLINE: ST.ONLINE,
}  # fmt: skip
PERPETRATOR_OF: dict[str, tuple[str, str]] = {
    F.SEXUAL: (R.ACQUAINTANCE, "M"), F.PHYSICAL: (R.PARENT, "M"), F.NEGLECT: (R.PARENT, "F"),
    F.EMOTIONAL: (R.STEP_PARENT, "F"), F.EXPLOITATION: (R.ACQUAINTANCE, "M"), F.ONLINE: (R.STRANGER, "M"),
}  # fmt: skip


def plan_current(scale: str) -> list[tuple[str, str, str, str]]:
    """(key, commune code, target status, variant) of every current case, in a fixed order."""
    out = [(f"{COMMUNE_A}-{n:02d}", COMMUNE_A, *_split(spec)) for n, spec in enumerate(MIX_A, 1)]
    out += [(f"{COMMUNE_B}-{n:02d}", COMMUNE_B, *_split(spec)) for n, spec in enumerate(MIX_B, 1)]
    others = OTHER_COMMUNES[scale]
    if scale == "full":  # a smaller demo province (MANGNON_DEMO_CHILDREN) has fewer such communes
        others = others[
            : max(len(OTHER_COMMUNES["sample"]), round(len(others) * intake_demo.province_share()))
        ]
    for c, code in enumerate(others):
        chosen = range(len(MIX_OTHER))
        if scale != "full":
            chosen = range(c % len(MIX_OTHER), c % len(MIX_OTHER) + SAMPLE_OTHER)
        for n in chosen:
            spec = MIX_OTHER[n % len(MIX_OTHER)]
            out.append((f"{code}-{n % len(MIX_OTHER) + 1:02d}", code, *_split(spec)))
    return out


def _split(spec: str) -> tuple[str, str]:
    """ "plan_drafted^ i" → ("plan_drafted", "^i")."""
    head, _, letters = spec.partition(" ")
    target = head.rstrip("!~^+@")
    return target, head[len(target) :] + letters


def _dwell(rng: random.Random, target: str, variant: str) -> timedelta:
    """How long the case has been in its current state when the demo is loaded."""
    late, soon = "!" in variant, "~" in variant
    if "@" in variant:
        return rng.uniform(30, 120) * D  # since it was closed (it is reopened after that)
    waiting = (28, 34) if late else (2, 5) if soon else (4, 9)
    return {
        S.RECEIVED: rng.uniform(*waiting) * H,
        S.ASSESSED: rng.uniform(15, 40) * H,
        S.EMERGENCY: rng.uniform(4, 15) * H,
        S.INVESTIGATING: rng.uniform(8, 9) * D if late else rng.uniform(10, 30) * H,
        S.PLAN_DRAFTED: rng.uniform(10, 40) * H,
        S.PLAN_APPROVED: rng.uniform(5, 20) * H,
        S.IN_SERVICE: 12 * D if late else rng.uniform(3, 10) * D,
        S.REVIEWED: rng.uniform(20, 60) * H,
        S.CLOSED: rng.uniform(20, 400) * D,
    }[S(target)]  # fmt: skip


def current_timeline(rng: random.Random, story: Story, target: str, variant: str, now: datetime) -> None:
    """The story's receipt and steps, placed so that the case has been `_dwell` in its state at `now`:
    built forward from a receipt long ago, then moved forward by whole days (keeping the times of day).
    Plans of cases still before their review get review dates counted from now (passed, for "!")."""
    reopen = "@" in variant
    targets = path_targets(target, variant)[: -1 if reopen else None]
    today = timezone.localtime(now).date()
    fixed_review = target in (S.PLAN_DRAFTED, S.PLAN_APPROVED, S.IN_SERVICE) and not reopen
    ahead = -rng.randint(4, 7) if target == S.IN_SERVICE and "!" in variant else rng.randint(10, 30)
    story.received_at = datetime.combine(
        today - timedelta(days=400), time(rng.randint(7, 20), rng.randrange(60)), tzinfo=VN_TZ
    )
    _timeline(
        rng, story, targets,
        review_on=(lambda _day: today + timedelta(days=ahead)) if fixed_review else None,
        unsafe_first_review="+" in variant,
    )  # fmt: skip
    dwell = _dwell(rng, target, variant)
    if not story.steps:
        story.received_at = now - dwell
        return
    days = (now - dwell - story.steps[-1][1]) // D
    # The current geography began on 1/7/2025: no current case was received before it.
    days = max(days, -((story.received_at - local_day(REFORM_DATE + D)) // D))
    shift = timedelta(days=days)
    story.received_at += shift
    story.steps = [(to, when + shift) for to, when in story.steps if when + shift < now]
    if not fixed_review:
        story.review_on = {i: d + shift for i, d in story.review_on.items()}
    if reopen and story.steps and story.steps[-1][0] == S.CLOSED:
        story.steps.append((S.INVESTIGATING, max(now - rng.uniform(30, 90) * H, story.steps[-1][1] + H)))


def _pick_child(rng: random.Random, pool: list[Child], story: Story, crew: Crew) -> Child:
    """A registered child of the commune of a plausible age with no case yet; else one registered now."""
    year = timezone.localtime(story.received_at).year
    fitting = [c for c in pool if c.person.birth_year and 4 <= year - c.person.birth_year <= 15]
    if fitting:
        child = rng.choice(fitting)
        pool.remove(child)
        return child
    data = _child_data(rng, story.unit, rng.choice("MF"), rng.randint(4, 15), story.received_at.date())
    return _register(crew.officer, data, story.received_at - H)


def load_current(*, seed: int, scale: str, lines: Sequence[Line], now: datetime, done: set[str]) -> int:
    made = 0
    crews: dict[str, Crew] = {}
    pools: dict[str, list[Child]] = {}
    for key, code, target, variant in plan_current(scale):
        if f"demo-case-{key}" in done:
            continue
        if code not in crews:
            unit = _current_unit(code)
            crews[code] = crew_current(unit)
            taken = Case.objects.filter(child__admin_unit=unit).values("child_id")
            pools[code] = list(
                Child.objects.filter(admin_unit=unit)
                .exclude(pk__in=taken)
                .select_related("person", "admin_unit")
                .order_by("pk")[:400]
            )
        crew = crews[code]
        rng = random.Random(f"mangnon-demo-case:{seed}:{key}")  # noqa: S311 - synthetic data
        form = intake_demo.weighted(rng, CURRENT_FORMS)
        forms = (form, F.EMOTIONAL) if form == F.PHYSICAL and rng.random() < 0.3 else (form,)
        story = Story(
            key=key, unit=_current_unit(code), crew=crew, forms=forms, received_at=now,
            emergency="e" in variant,
        )  # fmt: skip
        current_timeline(rng, story, target, variant, now)
        with transaction.atomic():
            _story_current(story, variant, rng, pools[code], lines, now)
        made += 1
    return made


def _story_current(
    story: Story, variant: str, rng: random.Random, pool: list[Child], lines: Sequence[Line], now: datetime
) -> None:
    crew = story.crew
    received = story.received_at
    if "h" in variant and crew.counsellor is not None:
        # A call: the counsellor records the child as the caller describes them and opens the case.
        sex = "F" if story.forms[0] in (F.SEXUAL, F.ONLINE) else rng.choice("MF")
        entry = ChildEntry(name=synthetic.child_name(rng, sex=sex), sex=sex, age=rng.randint(5, 15))
        contact = _contact(
            story, taker=crew.counsellor, channel=Channel.PHONE, when=received, children=[entry],
            line=rng.choice(list(lines)) if lines else None, rng=rng,
        )  # fmt: skip
        opened_at = received + rng.uniform(5, 20) * timedelta(minutes=1)
        case = _open(story, actor=crew.counsellor, opened_at=opened_at, contact=contact)
        if story.steps:
            taken_on = min(story.steps[0][1], received + 2 * H)
            with intake_demo.clock(taken_on):
                case_assign(actor=crew.officer, case=case, caseworker=crew.officer)
    else:
        child = _pick_child(rng, pool, story, crew)
        if rng.random() < 0.4:
            channel = rng.choice([Channel.WALK_IN, Channel.COLLABORATOR, Channel.SCHOOL])
            contact = _contact(
                story, taker=crew.officer, channel=channel, when=received,
                children=[ChildEntry(child_id=child.pk)], line=None, rng=rng,
            )  # fmt: skip
            case = _open(story, actor=crew.officer, opened_at=received + 0.5 * H, contact=contact)
        else:
            case = _open(story, actor=crew.officer, opened_at=received, child=child)
    if "m" in variant and crew.manager is not None:
        with intake_demo.clock(story.steps[0][1] if story.steps else received + H):
            case_assign(actor=crew.officer, case=case, caseworker=crew.manager)
    if "i" in variant:
        form = story.forms[0]
        relationship, sex = PERPETRATOR_OF.get(form, (R.UNKNOWN, ""))
        occurred = max(REFORM_DATE, timezone.localtime(received).date() - timedelta(days=rng.randint(0, 2)))
        legal = criminal(1, 12, 18, 120) if form in (F.SEXUAL, F.ONLINE) else sanction(1, 14)
        recorded = story.steps[1][1] if len(story.steps) > 1 else received + 3 * H
        _record_incident(
            key=f"demo-incident-{story.key}", actor=crew.officer, unit=story.unit, occurred_on=occurred,
            forms=story.forms, setting=SETTING_OF.get(form, ST.FAMILY), victims=[case.child],
            perps=[Perp(relationship, sex, rng.randint(19, 55))], legal=legal,
            when=min(recorded, now - H), now=now,
        )  # fmt: skip
    _drive(story, case)


# --- referrals ---------------------------------------------------------------------------------------

REFERRAL_KEY = "demo-referral-"
WAITING_CONTACT_REFERRALS = 3  # the hotline's latest referrals still wait for the commune's answer
CONTACT_ACCEPTED_NOTE = "Xã đã tiếp nhận thông tin; cán bộ bảo vệ trẻ em đến gia đình xác minh."


@dataclass(frozen=True)
class CaseReferral:
    """A current case referred by its commune to the province's social-work centre, and the answer."""

    key: str
    case: str  # the story's key ("06688-10")
    reason: str
    answer: str  # "accepted" | "rejected"
    note: str  # the note of an acceptance, the reason of a rejection
    override: str = ""  # an emergency: referred without consent, and why


CASE_REFERRALS: tuple[CaseReferral, ...] = (
    CaseReferral(
        "01", f"{COMMUNE_A}-10",
        "Trẻ cần tham vấn tâm lý chuyên sâu hằng tuần; xã chưa có người làm công tác xã hội chuyên trách.",
        "accepted", "Trung tâm tiếp nhận; buổi tham vấn đầu tiên vào thứ Hai tuần tới.",
    ),
    CaseReferral(
        "02", f"{COMMUNE_B}-05",
        "Đề nghị Trung tâm hỗ trợ trợ giúp pháp lý và tham vấn cho trẻ và gia đình.",
        "rejected", "Trung tâm chưa bố trí được chuyên viên trong tháng này; đề nghị xã liên hệ Trung tâm "
        "Trợ giúp pháp lý nhà nước tỉnh.",
    ),
    CaseReferral(
        "03", f"{COMMUNE_A}-04",
        "Trẻ cần được chăm sóc tạm thời ngay tại nhà tạm lánh; người gây hại sống cùng nhà.",
        "accepted", "Đã đón trẻ về nhà tạm lánh của Trung tâm.",
        override="Trẻ đang gặp nguy hiểm, mẹ không liên lạc được; Nghị định 56, điều 25: can thiệp khẩn cấp.",
    ),
)  # fmt: skip


def _between(start: datetime, end: datetime, share: float) -> datetime:
    return start + (end - start) * share


def _case_of(story_key: str) -> Case | None:
    found = IdempotencyKey.objects.filter(scope=CASE_SCOPE, key=f"demo-case-{story_key}").first()
    return (
        Case.objects.select_related("child__person", "admin_unit").filter(pk=found.object_id).first()
        if found
        else None
    )


def _guardian(child: Child) -> Person | None:
    """The parent who gives consent for the child: the mother, else the father, else any caregiver."""
    rows = Caregiver.objects.filter(child=child).select_related("person")
    order: dict[str, int] = {Relationship.MOTHER: 0, Relationship.FATHER: 1}
    carers = sorted(rows, key=lambda c: (order.get(c.relationship, 2), c.pk))
    return carers[0].person if carers else None


def _refer_case(spec: CaseReferral, crew: Crew, centre: Any, now: datetime) -> bool:
    """Send one case's referral (the child's consent recorded first, or the override) and record the
    centre's answer, each at its moment between the case's last step and now."""
    case = _case_of(spec.case)
    if case is None:
        return False
    last = (
        CaseStep.objects.filter(case=case).order_by("-at").values_list("at", flat=True).first()
        or case.received_at
    )
    sent, answered = _between(last, now, 0.4), _between(last, now, 0.7)
    guardian = _guardian(case.child)
    if not spec.override and guardian is not None:
        with intake_demo.clock(sent - timedelta(minutes=30)):
            consent_record(
                actor=crew.officer, child=case.child, purpose=ConsentPurpose.SHARING,
                given_on=timezone.localdate(), given_by=guardian, given_by_child=True,
            )  # fmt: skip
    with intake_demo.clock(sent):
        referral = referral_send(
            actor=crew.officer, case=case, to_org=centre, reason=spec.reason,
            emergency_override=bool(spec.override) or guardian is None,
            override_reason=spec.override or "Không liên lạc được cha mẹ của trẻ; trẻ cần hỗ trợ ngay.",
            idempotency_key=f"{REFERRAL_KEY}{spec.key}",
        ).referral  # fmt: skip
    # An organisation has no users here: the commune records the centre's answer.
    with intake_demo.clock(answered):
        if spec.answer == ReferralStatus.ACCEPTED:
            referral_accept(actor=crew.officer, referral=referral, version=referral.version, note=spec.note)
        else:
            referral_reject(actor=crew.officer, referral=referral, version=referral.version, reason=spec.note)
    return True


@dataclass(frozen=True)
class HotlineReferral:
    """A call to 111 about a child of commune A, passed on to the commune from the intake screen."""

    key: str
    ago: timedelta  # received this long before the demo is loaded
    caller: str  # the caller's relationship to the child
    reasons: tuple[str, ...]
    narrative: str
    child: ChildEntry
    override: str = ""  # a caller who cannot consent for the child: an emergency, and why
    accepted_after: timedelta | None = None  # None: still waiting for the commune's answer


HOTLINE_REFERRALS: tuple[HotlineReferral, ...] = (
    HotlineReferral(
        "contact-01", 3 * D + 2 * H, CallerRelationship.PARENT, ("violence.emotional", "family.conflict"),
        "Mẹ cháu gọi: bố cháu uống rượu, thường xuyên chửi mắng, đe dọa cháu; cháu sợ về nhà.",
        ChildEntry(name="Bé Thảo", sex="F", age=11), accepted_after=2 * H,
    ),
    HotlineReferral(
        "contact-02", 5 * H, CallerRelationship.NEIGHBOUR, ("violence.neglect",),
        "Hàng xóm gọi: hai anh em ở nhà một mình nhiều ngày, bố mẹ đi làm xa, các cháu thiếu ăn.",
        ChildEntry(name="Cháu Minh", sex="M", age=8),
        override="Hàng xóm báo trẻ bị bỏ mặc; Nghị định 56, điều 26: thông báo ngay cho xã nơi xảy ra.",
    ),
)  # fmt: skip


def _hotline_referral(spec: HotlineReferral, lines: Sequence[Line], now: datetime) -> bool:
    """The counsellor takes the call and refers it on the intake screen (contact_create, which passes it
    on: the mother's agreement, or the neighbour's report as an emergency); commune A accepts it, or has
    it still to answer."""
    commune = _current_unit(COMMUNE_A)
    crew = crew_current(commune)
    received = now - spec.ago
    data = ContactData(
        channel=Channel.PHONE,
        kind=ContactKind.DATA,
        line=next((line for line in lines if line.number == "111"), None),
        received_at=received,
        reasons=list(spec.reasons),
        caller_name=f"{synthetic.parent_name(random.Random(spec.key), sex='F')} (demo)",  # noqa: S311
        caller_phone=intake_demo.demo_phone(random.Random(spec.key)),  # noqa: S311 - synthetic data
        caller_relationship=spec.caller,
        commune=commune,
        urgency=Urgency.HIGH,
        narrative=spec.narrative,
        outcome=Outcome.REFERRED,
        referred_to=commune,
        caller_agreed=not spec.override,
        emergency_override=bool(spec.override),
        override_reason=spec.override,
        duration_seconds=14 * 60,
        children=[spec.child],
    )
    with intake_demo.clock(received + 15 * timedelta(minutes=1)):
        contact = contact_create(
            actor=crew.counsellor, data=data, idempotency_key=f"{REFERRAL_KEY}{spec.key}"
        ).contact
    if spec.accepted_after is not None:
        referral = Referral.objects.get(contact=contact)
        with intake_demo.clock(received + spec.accepted_after):
            referral_accept(
                actor=crew.officer, referral=referral, version=referral.version, note=CONTACT_ACCEPTED_NOTE
            )
    return True


def _answerer(unit: AdminUnit, prov: AdminUnit, day: date) -> User | None:
    """Who answers for `unit` on `day`: an officer of the commune (CASE_WORK there), else the province's."""
    roles = sorted(roles_allowed(Action.CASE_WORK))
    active = Membership.objects.active(day).filter(user__is_active=True, role__in=roles)
    found = active.filter(admin_unit=unit).select_related("user").order_by("pk").first()
    found = (
        found
        or active.filter(admin_unit=prov, role=Role.PROVINCE_OFFICER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return found.user if found else None


def answer_contact_referrals(prov: AdminUnit, now: datetime) -> int:
    """The communes accept the contacts the hotline passed on (intake's demo), a few hours later, all but
    the latest WAITING_CONTACT_REFERRALS, which wait for an answer whenever the demo is loaded."""
    pending = list(
        Referral.objects.filter(status=ReferralStatus.SENT, contact__isnull=False, to_unit__isnull=False)
        .select_related("to_unit")
        .order_by("sent_at", "pk")
    )
    answered = 0
    for referral in pending[: max(0, len(pending) - WAITING_CONTACT_REFERRALS)]:
        at = min(referral.sent_at + (2 + referral.pk % 20) * H, _between(referral.sent_at, now, 0.5))
        user = _answerer(referral.to_unit, prov, timezone.localtime(at).date())  # type: ignore[arg-type]
        if user is None:
            continue
        with transaction.atomic(), intake_demo.clock(at, users=[user]):
            referral_accept(
                actor=user, referral=referral, version=referral.version, note=CONTACT_ACCEPTED_NOTE
            )
        answered += 1
    return answered


def load_referrals(*, prov: AdminUnit, lines: Sequence[Line], now: datetime, done: set[str]) -> int:
    made = 0
    for call in HOTLINE_REFERRALS:
        if f"{REFERRAL_KEY}{call.key}" not in done:
            with transaction.atomic():
                made += _hotline_referral(call, lines, now)
    centre = (
        Organisation.objects.filter(kind=OrgKind.SOCIAL_WORK_CENTRE, admin_unit=prov, active=True)
        .order_by("pk")
        .first()
    )
    for spec in CASE_REFERRALS:
        if f"{REFERRAL_KEY}{spec.key}" in done or centre is None:
            continue
        crew = crew_current(_current_unit(spec.case.split("-")[0]))
        with transaction.atomic():
            made += _refer_case(spec, crew, centre, now)
    return made


# --- loading -----------------------------------------------------------------------------------------


def load(ctx: DemoContext | Any) -> dict[str, int]:
    _PROVIDERS.clear()  # organisation ids of this database only
    if not User.objects.filter(username="demo-commune-a").exists():
        ctx.say("  cases: none (the demo users are not loaded)")
        return {"incidents_2019": 0, "incidents_2020": 0, "cases_2020": 0, "cases_current": 0, "referrals": 0,
                "contact_referrals_answered": 0}  # fmt: skip
    scale = "full" if getattr(ctx, "scale", "sample") == "full" else "sample"
    seed = getattr(ctx, "seed", intake_demo.DEFAULT_SEED)
    prov = intake_demo.province()
    now = intake_demo.real_now()
    lines = list(Line.objects.filter(number__in=["111", "18001769", "18001776"], active=True))
    line_111 = next((line for line in lines if line.number == "111"), None)
    earlier = load_2019(
        seed=seed, prov=prov, now=now, done=intake_demo.existing_keys(INCIDENT_SCOPE, "demo-incident-2019-")
    )
    later = 0
    for year in INCIDENTS_LATER:
        later += load_2019(
            seed=seed, prov=prov, now=now, year=year,
            done=intake_demo.existing_keys(INCIDENT_SCOPE, f"demo-incident-{year}-"),
        )  # fmt: skip
    incidents, cases = load_2020(
        seed=seed, prov=prov, line=line_111, now=now,
        done=intake_demo.existing_keys(INCIDENT_SCOPE, "demo-incident-2020-"),
    )  # fmt: skip
    current = load_current(
        seed=seed, scale=scale, lines=lines, now=now,
        done=intake_demo.existing_keys(CASE_SCOPE, "demo-case-"),
    )  # fmt: skip
    referred = load_referrals(
        prov=prov, lines=lines, now=now,
        done=intake_demo.existing_keys(REFERRAL_SCOPE, REFERRAL_KEY)
        | intake_demo.existing_keys(intake_demo.IDEMPOTENCY_SCOPE, REFERRAL_KEY),
    )  # fmt: skip
    answered = answer_contact_referrals(prov, now)
    ctx.say(
        f"  cases: {incidents} incidents of 2020 with {cases} cases, {current} current cases, "
        f"{earlier} incidents of 2019 created, {later} of 2021-2024"
    )
    ctx.say(
        f"  referrals: {referred} sent, {answered} of the hotline's earlier ones accepted by the communes"
    )
    return {
        "incidents_2019": earlier,
        "incidents_2021_2024": later,
        "incidents_2020": incidents,
        "cases_2020": cases,
        "cases_current": current,
        "referrals": referred,
        "contact_referrals_answered": answered,
    }
