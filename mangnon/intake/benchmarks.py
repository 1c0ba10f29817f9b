"""Intake benchmark: contacts recorded through the API, how many a second and how long each takes.

intake.contacts_api posts BATCH contacts (200; MANGNON_BENCH_CONTACTS sets another number) to
POST /api/v1/contacts through Django's test client, one after the other, as the hotline counsellor of
Quảng Ninh with a personal API token: the whole stack but the network and the WSGI server (middleware,
Bearer-token authentication, ninja's parsing and validation, the commune and line looked up by code,
the Idempotency-Key, the service and its audit event, the contact read back and its audited view). The
bodies are what a counsellor records: data contacts with one to three reasons, one or two children as
the caller describes them (a name, sex, an age or a year of birth), the commune and a place, the caller
(a sixth anonymous), a narrative of a few sentences, the outcome (a third referred to the commune, so
passed on there as a referral: on the caller's agreement or as an emergency with its reason), a
line or another channel; each request carries its own Idempotency-Key, as the intake screen sends one.

The baseline is the bare service: `services.contact_create` for the same contacts, with the same kind
of key, the communes and lines looked up beforehand, for a user whose scope is already resolved. It is
the floor of a contact's cost, the writes and their audit, so the ratio says how much of the API's time
goes to the layers around it. The framework's own floor, an authenticated GET /api/v1/me, is printed
beside the figures.

Every contact written is kept (as on a real line, the table grows: 3,200 contacts a run of 7). The
median is per contact (the time of a batch divided by BATCH): 1000 / median is contacts per second on
one worker. The p95 of the single requests is the check, over every timed batch; a national line takes
about 1,400 calls a day (hotline.md: 507,861 in 2021), far below what one worker records.
"""

from __future__ import annotations

import math
import os
import random
import statistics
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone

from mangnon.accounts import bench
from mangnon.accounts.models import User
from mangnon.accounts.roles import Role
from mangnon.accounts.tokens import token_create
from mangnon.core import idempotency
from mangnon.core.bench import Target, benchmark
from mangnon.geo.models import REFORM_DATE, AdminUnit
from mangnon.registry import synthetic

from . import services
from .models import Line

PROVINCE = "22"  # Quảng Ninh
PROVINCIAL_LINE = ("18001769", "Đường dây tư vấn miễn phí về bảo vệ trẻ em tỉnh Quảng Ninh")
BATCH = int(os.environ.get("MANGNON_BENCH_CONTACTS", "200"))
SEED = "bench-intake"
COUNSELLOR = "bench-hotline"
URL = "/api/v1/contacts"
MAX_MEDIAN_MS = 50.0  # a contact: at least 20 a second on one worker
MAX_P95_MS = 250.0  # a single request
FLOOR_REQUESTS = 100

# Reasons as a hotline codes them: violence and family matters most often.
REASONS: tuple[tuple[str, float], ...] = (
    ("violence.physical", 14), ("violence.sexual", 6), ("violence.emotional", 7), ("violence.neglect", 8),
    ("violence.bullying", 5), ("violence.online_sexual", 2), ("violence.child_labour", 1),
    ("family.conflict", 12), ("family.divorce", 5), ("family.custody", 3), ("mental_health.stress", 8),
    ("mental_health.self_harm", 2), ("peers", 4), ("education.dropout", 3), ("education.other", 3),
    ("legal.birth_registration", 2), ("physical_health.injury", 2), ("information", 6), ("other", 3),
)  # fmt: skip
SENTENCES = (
    "Người gọi cho biết cháu thường xuyên bị bố đánh khi bố say rượu.",
    "Hàng xóm nghe tiếng trẻ khóc nhiều lần vào buổi tối trong tuần qua.",
    "Cô giáo chủ nhiệm thấy cháu có vết bầm trên tay và hay nghỉ học.",
    "Cháu gọi điện kể bị các bạn cùng lớp bắt nạt và đe dọa trên mạng xã hội.",
    "Mẹ cháu đi làm xa, cháu ở với ông bà đã già yếu, không ai đưa đi học.",
    "Gia đình đang làm thủ tục ly hôn, hai bên tranh chấp quyền nuôi con.",
    "Cháu cho biết thường xuyên buồn, mất ngủ và không muốn đến trường.",
    "Người gọi đề nghị được tư vấn thủ tục đăng ký khai sinh cho cháu.",
    "Tư vấn viên đã hướng dẫn người gọi liên hệ công chức văn hóa - xã hội của xã.",
    "Người gọi đồng ý để cán bộ xã liên hệ lại trong ngày.",
)
CHANNELS: tuple[tuple[str, float], ...] = (
    ("phone", 85), ("online", 8), ("school", 3), ("walk_in", 2), ("police", 2),
)  # fmt: skip
RELATIONSHIPS = ("child", "parent", "relative", "neighbour", "teacher", "friend", "other")
URGENCIES: tuple[tuple[str, float], ...] = (("emergency", 5), ("high", 15), ("normal", 70), ("low", 10))
OUTCOMES: tuple[tuple[str, float], ...] = (("counselling", 50), ("information", 17), ("referred", 33))
OVERRIDE_REASON = "Người báo tin không phải cha mẹ; Nghị định 56 điều 26: báo ngay cho xã nơi xảy ra."


@dataclass
class IntakeSet:
    counsellor: User
    client: Client
    bodies: list[dict[str, Any]]
    data: list[services.ContactData]  # the same contacts as the service takes them
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    calls: int = 0
    api_ms: list[list[float]] = field(default_factory=list)  # per batch, per request
    service_ms: list[list[float]] = field(default_factory=list)

    def key(self) -> str:
        self.calls += 1
        return f"bench-{self.run}-{self.calls}"


def _counsellor(province: AdminUnit) -> User:
    return bench.standing_user(COUNSELLOR, Role.HOTLINE_COUNSELLOR, province, date(2020, 1, 1))


def _host() -> str:
    """A host name the settings accept (the test client's own 'testserver' may not be one)."""
    for host in settings.ALLOWED_HOSTS:
        if host == "*" or host.startswith("."):
            return "localhost" if host == "*" else f"bench{host}"
        return host
    return "localhost"


def _weighted(rng: random.Random, pool: tuple[tuple[str, float], ...]) -> str:
    return synthetic.pick(rng, pool)


def _body(rng: random.Random, communes: list[str]) -> dict[str, Any]:
    commune = rng.choice(communes)
    channel = _weighted(rng, CHANNELS)
    reasons = sorted({_weighted(rng, REASONS) for _ in range(rng.choice((1, 1, 2, 2, 3)))})
    children = []
    for _ in range(1 if rng.random() < 0.8 else 2):
        sex = rng.choice("MF")
        child: dict[str, Any] = {"name": synthetic.child_name(rng, sex=sex), "sex": sex}
        if rng.random() < 0.5:
            child["age"] = rng.randint(2, 16)
        else:
            child["birth_year"] = timezone.now().year - rng.randint(2, 16)
        children.append(child)
    outcome = _weighted(rng, OUTCOMES)
    body: dict[str, Any] = {
        "channel": channel,
        "kind": "data",
        "line": (PROVINCIAL_LINE[0] if rng.random() < 0.3 else "111") if channel == "phone" else "",
        "reasons": reasons,
        "commune": commune,
        "place_text": synthetic.address(rng, ward=not synthetic.is_rural(commune)),
        "urgency": _weighted(rng, URGENCIES),
        "narrative": " ".join(rng.sample(SENTENCES, rng.randint(2, 4))),
        "outcome": outcome,
        "referred_to": commune if outcome == "referred" else "",
        "duration_seconds": rng.randint(60, 1800),
        "children": children,
    }
    if rng.random() < 1 / 6:
        body["caller_anonymous"] = True
    else:
        body.update(
            caller_name=synthetic.parent_name(rng, sex=rng.choice("MF")),
            caller_phone=f"09{rng.randint(0, 99_999_999):08d}",
            caller_relationship=rng.choice(RELATIONSHIPS),
            caller_consents_to_identity=rng.random() < 0.4,
        )
    if outcome == "referred":
        # Passed on to the commune (a referral): on the caller's word when the caller is the child or a
        # parent, otherwise as an emergency with its reason.
        if body.get("caller_relationship") in ("child", "parent"):
            body["caller_agreed"] = True
        else:
            body.update(emergency_override=True, override_reason=OVERRIDE_REASON)
    return body


def _service_data(body: dict[str, Any], units: dict[str, AdminUnit], lines: dict[str, Line]) -> Any:
    """The contact as the API hands it to the service (intake.api: ContactIn and `_data`)."""
    this_year = timezone.now().year  # as intake.api works out an age from a year of birth
    return services.ContactData(
        channel=body["channel"],
        kind=body["kind"],
        line=lines.get(body["line"]),
        reasons=body["reasons"],
        caller_anonymous=body.get("caller_anonymous", False),
        caller_name=body.get("caller_name", ""),
        caller_phone=body.get("caller_phone", ""),
        caller_relationship=body.get("caller_relationship", "unknown"),
        caller_consents_to_identity=body.get("caller_consents_to_identity", False),
        commune=units[body["commune"]],
        place_text=body["place_text"],
        urgency=body["urgency"],
        narrative=body["narrative"],
        outcome=body["outcome"],
        referred_to=units.get(body["referred_to"]),
        duration_seconds=body["duration_seconds"],
        caller_agreed=body.get("caller_agreed", False),
        emergency_override=body.get("emergency_override", False),
        override_reason=body.get("override_reason", ""),
        children=[
            services.ChildEntry(
                name=c["name"], sex=c["sex"], age=c.get("age", this_year - c.get("birth_year", this_year))
            )
            for c in body["children"]
        ],
    )


def intake_set() -> IntakeSet:
    province = bench.bench_province(PROVINCE)
    services.line_configure(actor=None, number=PROVINCIAL_LINE[0], name=PROVINCIAL_LINE[1], province=province)
    counsellor = _counsellor(province)
    units = {
        u.code: u
        for u in AdminUnit.objects.filter(path__startswith=province.path, valid_from=REFORM_DATE).exclude(
            pk=province.pk
        )
    }
    lines = {line.number: line for line in Line.objects.filter(number__in=["111", PROVINCIAL_LINE[0]])}
    rng = random.Random(SEED)  # noqa: S311 - reproducible test data
    codes = sorted(units)
    bodies = [_body(rng, codes) for _ in range(BATCH)]
    _token, raw = token_create(actor=None, user=counsellor, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST=_host())
    return IntakeSet(counsellor, client, bodies, [_service_data(b, units, lines) for b in bodies])


def post_contacts(data: IntakeSet) -> int:
    """Post the batch through the API, one request after another; the number of contacts made."""
    made = 0
    times = []
    for body in data.bodies:
        start = time.perf_counter()
        response = data.client.post(
            URL, body, content_type="application/json", headers={"Idempotency-Key": data.key()}
        )
        times.append((time.perf_counter() - start) * 1000)
        made += response.status_code == 201
    data.api_ms.append(times)
    return made


def service_contacts(data: IntakeSet) -> int:
    """The same contacts through the bare service."""
    made = 0
    times = []
    for body, contact in zip(data.bodies, data.data, strict=True):
        start = time.perf_counter()
        recorded = services.contact_create(
            actor=data.counsellor,
            data=contact,
            idempotency_key=data.key(),
            request_hash=idempotency.body_hash(body),
        )
        times.append((time.perf_counter() - start) * 1000)
        made += recorded.created
    data.service_ms.append(times)
    return made


def _timed(batches: list[list[float]]) -> list[float]:
    """The single requests of the timed batches (the first batch warmed up)."""
    return sorted(ms for batch in batches[1:] for ms in batch) or sorted(ms for b in batches for ms in b)


def _p95(times: list[float]) -> float:
    """The 95th percentile of sorted times, by nearest rank."""
    return times[max(0, math.ceil(len(times) * 0.95) - 1)] if times else 0.0


def p95_within_target(data: IntakeSet) -> bool:
    return _p95(_timed(data.api_ms)) <= MAX_P95_MS


def figures(data: IntakeSet) -> list[str]:
    api, service = _timed(data.api_ms), _timed(data.service_ms)
    floor = []
    for _ in range(FLOOR_REQUESTS):
        start = time.perf_counter()
        data.client.get("/api/v1/me")
        floor.append((time.perf_counter() - start) * 1000)
    floor.sort()
    verdict = "PASS" if p95_within_target(data) else "FAIL"

    def rate(times: list[float]) -> float:
        return len(times) / (sum(times) / 1000) if times else 0.0

    return [
        f"{len(api)} contacts through the API ({len(data.api_ms) - 1} batches of {BATCH}): "
        f"{rate(api):.1f} contacts/s; per request median {statistics.median(api):.1f} ms, "
        f"p95 {_p95(api):.1f} ms (target ≤ {MAX_P95_MS:g} ms), max {api[-1]:.1f} ms  {verdict}",
        f"bare service: {rate(service):.1f} contacts/s, median {statistics.median(service):.1f} ms, "
        f"p95 {_p95(service):.1f} ms; framework floor (GET /api/v1/me, {FLOOR_REQUESTS} requests): "
        f"median {statistics.median(floor):.1f} ms, p95 {_p95(floor):.1f} ms",
    ]


benchmark(
    name="intake.contacts_api",
    target=Target(max_median_ms=MAX_MEDIAN_MS),
    baseline=service_contacts,
    setup=intake_set,
    per_call=BATCH,
    report=figures,
    check=p95_within_target,
)(post_contacts)
