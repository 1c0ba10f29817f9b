"""Demo children's participation: the provincial children's council of 2020 (34 members: 30 children by
first name and age band, and 4 adult advisers) meeting twice that year, with minutes, and twice in every
later year (a new council every two years); children's voices from the consultations of
activities.demo_data (the source activity named), in every status: those of 2020 all answered or
resolved, the recent ones received, forwarded (some past their due date: overdue), answered and
resolved. No child's name is stored with a voice.

Rows are written with bulk_create in one transaction per set, described by ONE audit event by the
system. Idempotent: a council term by its members, the meetings of a year by whether that year has any,
the voices of a year by whether the year's consultations already have voices.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction

from mangnon.activities.codes import ActivityKind
from mangnon.activities.demo_data import (
    FIRST_YEAR,
    Geography,
    first_name,
    geography,
    place,
    rng_for,
    staff_2020,
    staff_now,
    today,
    years,
)
from mangnon.activities.models import Activity
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.geo.models import LAST_PRE_REFORM_DAY
from mangnon.registry import synthetic

from .models import AgeBand, ChildVoice, CouncilMeeting, CouncilMember, MemberRole, Topic, VoiceStatus

if TYPE_CHECKING:
    from mangnon.demo.loader import DemoContext

COUNCIL_CHILDREN, COUNCIL_ADVISERS = 30, 4  # 34 members (seed 003)
COUNCIL_FROM, COUNCIL_TO = date(2020, 1, 1), date(2021, 12, 31)
MEETINGS_2020 = (
    (
        date(2020, 6, 12),
        "Phiên họp thứ nhất năm 2020 của Hội đồng trẻ em tỉnh: kiện toàn Hội đồng, thông qua "
        "quy chế hoạt động; thảo luận chủ đề Tháng hành động vì trẻ em “Chung tay bảo vệ trẻ em, "
        "phòng, chống xâm hại trẻ em”; tổng hợp ý kiến của trẻ em gửi Diễn đàn trẻ em tỉnh.",
    ),
    (
        date(2020, 12, 18),
        "Phiên họp thứ hai năm 2020: nghe cơ quan chức năng trả lời các ý kiến, nguyện vọng "
        "của trẻ em đã chuyển; thảo luận về an toàn trên môi trường mạng và phòng, chống đuối nước; "
        "đề xuất kế hoạch hoạt động năm 2021.",
    ),
)

VOICES: dict[str, tuple[str, ...]] = {
    Topic.PROTECTION: (
        "Chúng em mong có thêm buổi hướng dẫn kỹ năng phòng, chống xâm hại ngay tại trường.",
        "Em đề nghị lắp đèn chiếu sáng trên đường từ trường về thôn vì buổi tối rất tối.",
        "Chúng em muốn biết gọi số nào khi bạn bị bắt nạt hoặc bị đánh ở nhà.",
    ),
    Topic.EDUCATION: (
        "Em mong trường có thêm sách tham khảo và phòng đọc mở cửa vào cuối tuần.",
        "Chúng em đề nghị có lớp học bơi miễn phí trong dịp hè.",
    ),
    Topic.HEALTH: ("Em mong có buổi tư vấn sức khỏe tuổi dậy thì cho học sinh lớp 7, lớp 8.",),
    Topic.PLAY: (
        "Thôn em chưa có sân chơi cho trẻ em, chúng em mong xã làm một sân chơi nhỏ.",
        "Chúng em muốn nhà văn hóa thôn mở cửa cho thiếu nhi sinh hoạt vào chiều thứ Bảy.",
    ),
    Topic.FAMILY: ("Em mong bố mẹ dành thời gian nói chuyện với con nhiều hơn, không quát mắng.",),
    Topic.SAFETY: (
        "Đoạn sông gần trường không có biển cảnh báo, chúng em đề nghị làm rào và biển báo.",
        "Em đề nghị có người hướng dẫn sang đường ở cổng trường giờ tan học.",
    ),
    Topic.PARTICIPATION: ("Chúng em muốn được góp ý vào kế hoạch tổ chức Tết Trung thu của xã.",),
}
ANSWERS = (
    "UBND xã đã đưa nội dung vào kế hoạch năm và giao Đoàn Thanh niên tổ chức thực hiện.",
    "Nhà trường đã phối hợp với Trung tâm Công tác xã hội tổ chức buổi sinh hoạt chuyên đề.",
    "Đề nghị đã được chuyển Phòng Văn hóa - Xã hội; dự kiến thực hiện trong quý tới.",
)


# The council's terms: (from, to, children, advisers); the first is the council of 2020 (seed 003).
COUNCIL_TERMS: tuple[tuple[date, date | None, int, int], ...] = (
    (COUNCIL_FROM, COUNCIL_TO, COUNCIL_CHILDREN, COUNCIL_ADVISERS),
    (date(2022, 1, 1), date(2023, 12, 31), 28, 4),
    (date(2024, 1, 1), date(2025, 12, 31), 30, 4),
    (date(2026, 1, 1), None, 30, 4),
)


def load_council(geo: Geography) -> int:
    """Each term's members, from its first day (terms not begun yet are left out)."""
    made = 0
    for start, end, children, advisers in COUNCIL_TERMS:
        if start > today() or CouncilMember.objects.filter(admin_unit=geo.province, from_date=start).exists():
            continue
        rng = rng_for(None, f"council:{start.year}")
        rows = []
        for n in range(children):
            sex = "F" if n % 2 else "M"
            rows.append(
                CouncilMember(
                    admin_unit=geo.province,
                    province=geo.province,
                    name=first_name(rng, sex),
                    role=MemberRole.CHILD,
                    age_band=AgeBand.AGE_16_17 if n % 5 == 0 else AgeBand.AGE_11_15,
                    from_date=start,
                    to_date=end,
                )
            )
        for _ in range(advisers):
            rows.append(
                CouncilMember(
                    admin_unit=geo.province,
                    province=geo.province,
                    name=synthetic.parent_name(rng, sex=rng.choice("MF")),
                    role=MemberRole.ADVISER,
                    from_date=start,
                    to_date=end,
                )
            )
        with transaction.atomic():
            CouncilMember.objects.bulk_create(rows)
            audit.record(
                actor=None,
                action=AuditAction.CREATE,
                object_type="participation.councilmember",
                unit=geo.province,
                changes={"demo": True, "term": start.year, "members": len(rows), "advisers": advisers},
            )
        made += len(rows)
    return made


def load_meetings(geo: Geography) -> int:
    made = 0
    for year in years():
        if CouncilMeeting.objects.filter(admin_unit=geo.province, held_on__year=year).exists():
            continue
        if year == FIRST_YEAR:
            planned = list(MEETINGS_2020)
        else:
            planned = [
                (
                    date(year, 6, 10),
                    f"Phiên họp giữa năm {year} của Hội đồng trẻ em tỉnh: thảo luận chủ đề Tháng "
                    "hành động vì trẻ em, tổng hợp ý kiến của trẻ em gửi Diễn đàn trẻ em tỉnh.",
                ),
                (
                    date(year, 12, 15),
                    f"Phiên họp cuối năm {year}: nghe trả lời các ý kiến, nguyện vọng của trẻ em "
                    "đã chuyển; đề xuất hoạt động năm sau.",
                ),
            ]
        rows = [
            CouncilMeeting(
                admin_unit=geo.province,
                province=geo.province,
                held_on=day,
                minutes=minutes,
                members_present=31 if n == 0 else 29,
                recorded_by=staff_2020(geo) if day <= LAST_PRE_REFORM_DAY else staff_now(),
            )
            for n, (day, minutes) in enumerate(planned)
            if day <= today()
        ]
        if not rows:
            continue
        with transaction.atomic():
            CouncilMeeting.objects.bulk_create(rows)
            audit.record(
                actor=None,
                action=AuditAction.CREATE,
                object_type="participation.councilmeeting",
                unit=geo.province,
                changes={"demo": True, "year": year, "meetings": len(rows)},
            )
        made += len(rows)
    return made


def _status_for(rng: Any, raised: date, now: date, year: int) -> str:
    """Voices of past years are answered or resolved; recent ones are at every step."""
    if year < now.year - 1:
        return VoiceStatus.RESOLVED if rng.random() < 0.8 else VoiceStatus.ANSWERED
    return rng.choice(
        (
            VoiceStatus.RECEIVED,
            VoiceStatus.FORWARDED,
            VoiceStatus.FORWARDED,
            VoiceStatus.ANSWERED,
            VoiceStatus.RESOLVED,
        )
    )


def load_voices(ctx: Any, geo: Geography) -> int:
    now = today()
    made = 0
    topics = list(VOICES)
    meetings = {
        m.held_on.year: m for m in CouncilMeeting.objects.filter(admin_unit=geo.province).order_by("held_on")
    }
    for year in years():
        consultations = list(
            Activity.objects.filter(
                province=geo.province, kind=ActivityKind.CONSULTATION, start_date__year=year
            )
            .select_related("admin_unit")
            .order_by("start_date", "pk")
        )
        if not consultations or ChildVoice.objects.filter(source_activity__in=consultations).exists():
            continue
        rng = rng_for(ctx, f"voices:{year}")
        rows = []
        for consultation in consultations:
            for _ in range(rng.randint(2, 5)):
                topic = rng.choice(topics)
                raised = consultation.start_date
                status = _status_for(rng, raised, now, year)
                row = ChildVoice(
                    text=rng.choice(VOICES[topic]),
                    topic=topic,
                    age_band=rng.choice(
                        (AgeBand.AGE_11_15, AgeBand.AGE_11_15, AgeBand.AGE_16_17, AgeBand.UNDER_11)
                    ),
                    sex=rng.choice(("M", "F", "")),
                    admin_unit=consultation.admin_unit,
                    province=geo.province,
                    raised_on=raised,
                    source_activity=consultation,
                    meeting=meetings.get(year) if rng.random() < 0.3 else None,
                    status=status,
                    recorded_by=consultation.recorded_by,
                )
                steps: list[str] = [VoiceStatus.FORWARDED, VoiceStatus.ANSWERED, VoiceStatus.RESOLVED]
                reached = steps[: steps.index(status) + 1] if status in steps else []
                day = raised
                if reached:
                    day = min(now, day + timedelta(days=rng.randint(2, 10)))
                    row.forwarded_on = day
                    row.forwarded_to = f"UBND {place(consultation.admin_unit)}"
                    # Some of those still waiting are past their due date (overdue).
                    row.due_on = day + timedelta(
                        days=30 if status != VoiceStatus.FORWARDED or rng.random() < 0.5 else 15
                    )
                if VoiceStatus.ANSWERED in reached:
                    day = min(now, day + timedelta(days=rng.randint(5, 25)))
                    row.answered_on, row.answer = day, rng.choice(ANSWERS)
                if VoiceStatus.RESOLVED in reached:
                    day = min(now, day + timedelta(days=rng.randint(10, 60)))
                    row.resolved_on = day
                rows.append(row)
        with transaction.atomic():
            ChildVoice.objects.bulk_create(rows)
            audit.record(
                actor=None,
                action=AuditAction.CREATE,
                object_type="participation.childvoice",
                unit=geo.province,
                changes={"demo": True, "year": year, "voices": len(rows)},
            )
        made += len(rows)
    return made


def load(ctx: DemoContext | Any) -> dict[str, int]:
    geo = geography()
    out = {"members": load_council(geo), "meetings": load_meetings(geo), "voices": load_voices(ctx, geo)}
    ctx.say(
        f"  participation: {out['members']} council members, {out['meetings']} council meetings, "
        f"{out['voices']} children's voices created"
    )
    return out
