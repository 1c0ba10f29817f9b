"""A child's timeline: dated entries gathered from every app that records something about the child.

Each app registers a provider (`register("cases", provider)`, from its AppConfig.ready()); a provider
receives the viewer, the child (already loaded through `access.get_child_for_user`) and the facts the
viewer may see (`selectors.child_facts`), and returns its entries. Providers never widen what the
viewer may see: sensitive facts reach the timeline only through `facts`, which already withheld them.
The registry provides registration, classifications and their end, risk flags, moves, merges and
ageing out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.core.models import AuditAction, AuditEvent

from .models import Child, RegistrationDecision
from .selectors import ChildFacts


@dataclass(frozen=True)
class TimelineEntry:
    date: date
    kind: str  # a stable code: "registered", "circumstance_start", … (other apps: "case_opened", …)
    text: str
    url: str = ""


Provider = Callable[[Any, Child, ChildFacts], Iterable[TimelineEntry]]
_providers: dict[str, Provider] = {}


def register(key: str, provider: Provider) -> None:
    _providers[key] = provider


def child_timeline(*, viewer: Any, child: Child, facts: ChildFacts) -> list[TimelineEntry]:
    """Every provider's entries for the child, newest first. Providers yield oldest first, so on the same
    day the entry yielded later (e.g. a link after the registration) comes first."""
    entries: list[TimelineEntry] = []
    for provider in _providers.values():
        entries.extend(provider(viewer, child, facts))
    ordered = sorted(enumerate(entries), key=lambda pair: (pair[1].date, pair[0]), reverse=True)
    return [entry for _index, entry in ordered]


def _local(moment: Any) -> date:
    return timezone.localtime(moment).date()


def _registry_entries(viewer: Any, child: Child, facts: ChildFacts) -> Iterable[TimelineEntry]:
    first = RegistrationDecision.objects.filter(child=child).order_by("created_at", "pk").first()
    registered = _local(first.created_at if first else child.created_at)
    yield TimelineEntry(registered, "registered", _("Registered"))
    for decision in RegistrationDecision.objects.filter(
        child=child, decision=RegistrationDecision.Decision.LINKED
    ).order_by("pk"):
        yield TimelineEntry(
            _local(decision.created_at),
            "linked",
            _("A new entry was linked to this record instead of a duplicate"),
        )
    for c in facts.circumstances:
        label = c.get_group_display()
        yield TimelineEntry(
            c.start_date, "circumstance_start", _("Special circumstance: %(group)s") % {"group": label}
        )
        if c.end_date:
            yield TimelineEntry(
                c.end_date, "circumstance_end", _("Special circumstance ended: %(group)s") % {"group": label}
            )
    for r in facts.risk_flags:
        label = r.get_risk_type_display()
        yield TimelineEntry(r.start_date, "risk_start", _("At risk: %(risk)s") % {"risk": label})
        if r.end_date:
            yield TimelineEntry(r.end_date, "risk_end", _("Risk ended: %(risk)s") % {"risk": label})
    # Moves and merges are recorded by their services in the audit trail, which is where they are read.
    events = AuditEvent.objects.filter(
        object_type=Child._meta.label_lower, object_id=str(child.pk), action=AuditAction.UPDATE
    ).order_by("id")
    for event in events.filter(changes__has_key="admin_unit"):
        old_code, new_code = (event.changes.get("admin_unit") or [None, None])[:2]
        yield TimelineEntry(
            _local(event.at),
            "moved",
            _("Moved from commune %(old)s to %(new)s") % {"old": old_code, "new": new_code},
        )
    for merged in Child.objects.filter(merged_into=child).select_related("person").order_by("pk"):
        yield TimelineEntry(
            _local(merged.updated_at),
            "merged",
            _("Record #%(id)s (%(name)s) merged into this one")
            % {"id": merged.pk, "name": merged.person.full_name},
        )
    if child.aged_out_on:
        yield TimelineEntry(child.aged_out_on, "aged_out", _("Turned 16: kept as aged out"))


register("registry", _registry_entries)
