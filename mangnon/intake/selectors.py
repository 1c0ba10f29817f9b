"""Reads of contacts that cross rows, always scoped by the viewer first.

Repeat callers and repeat children are recognised across the provinces the viewer works in: the
number of earlier contacts and the last one's time are shown to anyone taking a call there (a count
reveals nothing of what was said), the earlier contacts themselves only as far as the viewer may read
them. The counts at the bottom are the one definition of each figure in `metrics.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, CharField, Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from mangnon.accounts.access import active_memberships, scope_for
from mangnon.accounts.roles import Action, roles_allowed
from mangnon.core import audit
from mangnon.core.metrics import Period
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import in_geography_q
from mangnon.registry.services import province_of

from . import taxonomy
from .access import visible_q
from .codes import Channel, ContactKind, NonDataType, Outcome, Urgency
from .models import Contact, ContactChild, ContactReason, Line
from .phones import MATCH_MIN_DIGITS, normalize_phone

PREVIOUS_SHOWN = 5
EMERGENCIES_SHOWN = 20
NO_LINE = "none"  # the category of contacts that came through no hotline (walk-ins, letters…)


@dataclass(frozen=True)
class ContactFilter:
    since: datetime | None = None  # received at or after
    until: datetime | None = None  # received before
    kind: str = ""
    channel: str = ""
    line: str = ""  # a line's number
    urgency: str = ""
    outcome: str = ""
    reason: str = ""  # a code: contacts with it or any code below it
    commune: AdminUnit | None = None  # the unit and everything under it
    counsellor: int | None = None  # taken by this user


def day_start(day: date) -> datetime:
    """The first moment of `day` in Vietnam (the day a contact was received is a Vietnamese day)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _with_details(qs: QuerySet[Contact]) -> QuerySet[Contact]:
    children = ContactChild.objects.select_related("child__person").order_by("pk")
    return qs.select_related("line", "admin_unit", "province", "referred_to", "counsellor").prefetch_related(
        Prefetch("reasons", queryset=ContactReason.objects.order_by("pk")),
        Prefetch("children", queryset=children),
    )


def _reason_q(code: str, prefix: str = "") -> Q:
    return Q(**{f"{prefix}code": code}) | Q(**{f"{prefix}code__startswith": f"{code}."})


def contacts_for(viewer: Any, filters: ContactFilter | None = None) -> QuerySet[Contact]:
    """The contacts `viewer` may read, filtered, newest first, with what a list shows loaded at once."""
    f = filters or ContactFilter()
    qs = Contact.objects.filter(visible_q(viewer))
    if f.since is not None:
        qs = qs.filter(received_at__gte=f.since)
    if f.until is not None:
        qs = qs.filter(received_at__lt=f.until)
    for name in ("kind", "channel", "urgency", "outcome"):
        if getattr(f, name):
            qs = qs.filter(**{name: getattr(f, name)})
    if f.line:
        qs = qs.filter(line__number=f.line)
    if f.reason:
        qs = qs.filter(Exists(ContactReason.objects.filter(_reason_q(f.reason), contact=OuterRef("pk"))))
    if f.commune is not None:
        qs = qs.filter(in_geography_q(f.commune))
    if f.counsellor is not None:
        qs = qs.filter(counsellor_id=f.counsellor)
    return _with_details(qs).order_by("-received_at", "-pk")


def record_list_view(viewer: Any, contacts: list[Contact], *, page: str) -> None:
    """Audit that `viewer` was shown these contacts (one event naming the ids)."""
    if contacts:
        audit.record(
            actor=viewer,
            action=AuditAction.VIEW,
            object_type="intake.contact",
            object_id="list",
            changes={"page": page, "shown": [c.pk for c in contacts]},
        )


# --- repeat callers and children --------------------------------------------------------------------


def _province_ids(viewer: Any) -> set[int]:
    """The provinces where the viewer takes or reads contacts."""
    allowed = roles_allowed(Action.CONTACT_TAKE) | roles_allowed(Action.CONTACT_VIEW)
    return {province_of(m.admin_unit).pk for m in active_memberships(viewer) if m.role in allowed}


@dataclass(frozen=True)
class Previous:
    count: int = 0
    last_at: datetime | None = None
    shown: list[Contact] = field(default_factory=list)  # the latest ones the viewer may read

    @property
    def hidden(self) -> int:
        return self.count - len(self.shown)


def previous_contacts(
    viewer: Any, *, phone: str = "", child: int | None = None, exclude: int | None = None
) -> Previous:
    """Earlier contacts from this phone number or about this registry child, in the viewer's provinces."""
    number = normalize_phone(phone)
    if child is None and len(number.lstrip("+")) < MATCH_MIN_DIGITS:
        return Previous()
    qs = Contact.objects.filter(province_id__in=_province_ids(viewer))
    qs = qs.filter(children__child_id=child) if child is not None else qs.filter(caller_phone=number)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    totals = qs.aggregate(n=Count("pk", distinct=True), last=Max("received_at"))
    if not totals["n"]:
        return Previous()
    shown = list(
        _with_details(qs.filter(visible_q(viewer)).distinct()).order_by("-received_at")[:PREVIOUS_SHOWN]
    )
    return Previous(count=totals["n"], last_at=totals["last"], shown=shown)


def previous_by_child(viewer: Any, child_ids: list[int]) -> dict[int, Previous]:
    """For each registry child, how many contacts were about it and when the last was (no details)."""
    if not child_ids:
        return {}
    rows = (
        ContactChild.objects.filter(child_id__in=child_ids, contact__province_id__in=_province_ids(viewer))
        .values("child_id")
        .annotate(n=Count("contact", distinct=True), last=Max("contact__received_at"))
    )
    return {row["child_id"]: Previous(count=row["n"], last_at=row["last"]) for row in rows}


# --- emergencies ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmergencyPanel:
    contacts: list[Contact]  # the open emergencies the viewer may read, oldest first
    others: int  # open emergencies in the viewer's provinces that others took (a count only)


def open_emergencies(viewer: Any) -> EmergencyPanel:
    """Contacts marked as a possible emergency that no case has been opened from yet, in the provinces
    the viewer works in. They stay until a case is opened or the urgency is lowered."""
    base = Contact.objects.filter(urgency=Urgency.EMERGENCY, province_id__in=_province_ids(viewer)).exclude(
        outcome=Outcome.CASE_OPENED
    )
    visible = base.filter(visible_q(viewer))
    contacts = list(_with_details(visible).order_by("received_at", "pk")[:EMERGENCIES_SHOWN])
    others = base.count() - visible.count()
    return EmergencyPanel(contacts=contacts, others=others)


# --- counts for figures ---------------------------------------------------------------------------


def counted_contacts(*, viewer: Any, unit: AdminUnit, period: Period) -> QuerySet[Contact]:
    """The contacts received in `period` (Vietnamese days, both ends included) about `unit`'s geography
    (either one, as geo.selectors.in_geography_q says; a contact with no commune counts for its
    province). 404 when the unit lies outside the viewer's scope for counts."""
    scope = scope_for(viewer, Action.CASE_COUNT)
    if not scope.contains(unit):
        raise Http404
    unplaced = Q(admin_unit__isnull=True)
    return (
        Contact.objects.filter(scope.q("admin_unit") | (unplaced & scope.q("province")))
        .filter(in_geography_q(unit) | (unplaced & in_geography_q(unit, "province")))
        .filter(
            received_at__gte=day_start(period.start),
            received_at__lt=day_start(period.end + timedelta(days=1)),
        )
    )


def _count_by(contacts: QuerySet[Contact], key: str, codes: list[str]) -> dict[str, int]:
    found = dict(contacts.order_by().values_list(key).annotate(n=Count("pk")).values_list(key, "n"))
    return {code: found.get(code, 0) for code in codes}


def by_kind(contacts: QuerySet[Contact]) -> dict[str, int]:
    return _count_by(contacts, "kind", ContactKind.values)


def by_channel(contacts: QuerySet[Contact]) -> dict[str, int]:
    return _count_by(contacts, "channel", Channel.values)


def by_urgency(contacts: QuerySet[Contact]) -> dict[str, int]:
    return _count_by(contacts, "urgency", Urgency.values)


def by_non_data_type(contacts: QuerySet[Contact]) -> dict[str, int]:
    return _count_by(contacts.filter(kind=ContactKind.NON_DATA), "non_data_type", NonDataType.values)


def by_line(contacts: QuerySet[Contact]) -> dict[str, int]:
    """Per line number (every configured line listed), and NO_LINE for contacts through none."""
    found: dict[str | None, int] = dict(
        contacts.order_by()
        .values_list("line__number")
        .annotate(n=Count("pk"))
        .values_list("line__number", "n")
    )
    numbers = list(Line.objects.order_by("number").values_list("number", flat=True))
    return {**{n: found.get(n, 0) for n in numbers}, NO_LINE: found.get(None, 0)}


def by_reason(contacts: QuerySet[Contact]) -> dict[str, int]:
    """Per top-level reason, the contacts with that reason or one below it. A contact may have several
    reasons, so the categories can add up to more than the contacts."""
    tops = [r.code for r in taxonomy.REASONS if r.depth == 0]
    top_of = Case(
        *[When(_reason_q(code), then=Value(code)) for code in tops],
        default=Value(""),
        output_field=CharField(),
    )
    found = dict(
        ContactReason.objects.filter(contact__in=contacts.values("pk"))
        .annotate(top=top_of)
        .order_by()
        .values_list("top")
        .annotate(n=Count("contact", distinct=True))
        .values_list("top", "n")
    )
    return {code: found.get(code, 0) for code in tops}
