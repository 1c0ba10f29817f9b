"""Export of the incident register to XLSX or CSV: the register's rows (scope first, the same filters),
one line per incident with its counts and legal track, and no child's name (the least that reporting
needs). Written by the writers in core.export (safe against formula injection) and audited with the
filters and the row count before the first byte leaves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.core import audit
from mangnon.core.models import AuditAction

from . import incident_selectors as selectors
from .codes import AbuseForm, LegalStepKind, PerpetratorRelationship
from .models import Incident, LegalStep

ITERATOR_CHUNK = 500
WIDTHS = (8, 12, 24, 10, 28, 30, 16, 10, 10, 30, 12, 10, 14, 10, 24)
FORMATS = ("xlsx", "csv")


def headings() -> list[str]:
    return [
        _("Incident no."),
        _("Date"),
        _("Commune"),
        _("Commune code"),
        _("Place"),
        _("Forms of abuse"),
        _("Setting"),
        _("Children"),
        _("Perpetrators"),
        _("Relationships to the child"),
        _("Criminal case opened"),
        _("Persons accused"),
        _("Administrative sanction"),
        _("Persons sanctioned"),
        _("Latest legal step"),
    ]


def _labels(codes: list[str], choices: Any) -> str:
    names = dict(choices)
    return ", ".join(str(names.get(c, c)) for c in codes)


def _yes(flag: bool) -> str:
    return _("yes") if flag else _("no")


def _rows(incidents: QuerySet[Incident]) -> Iterator[list[object]]:
    steps = LegalStep.objects.order_by("on", "pk")
    qs = incidents.prefetch_related("perpetrators", Prefetch("legal_steps", queryset=steps, to_attr="track"))
    kinds = dict(LegalStepKind.choices)
    for incident in qs.iterator(chunk_size=ITERATOR_CHUNK):
        track: list[LegalStep] = incident.track
        relationships = sorted({p.relationship for p in incident.perpetrators.all()})
        accused = {s.perpetrator_id for s in track if s.kind == LegalStepKind.ACCUSED}
        sanctioned = {s.perpetrator_id for s in track if s.kind == LegalStepKind.ADMINISTRATIVE}
        yield [
            incident.pk,
            incident.occurred_on,
            incident.admin_unit.name,
            incident.admin_unit.code,
            incident.place_text,
            _labels(incident.forms, AbuseForm.choices),
            incident.get_setting_display(),
            incident.victim_count,  # type: ignore[attr-defined]
            incident.perpetrator_count,  # type: ignore[attr-defined]
            _labels(relationships, PerpetratorRelationship.choices),
            _yes(any(s.kind == LegalStepKind.CRIMINAL_CASE for s in track)),
            len(accused),
            _yes(bool(sanctioned)),
            len(sanctioned),
            str(kinds.get(track[-1].kind, track[-1].kind)) if track else "",
        ]


@dataclass(frozen=True)
class Export:
    rows: Iterator[list[object]]
    headings: list[str]
    count: int
    filename: str
    sheet_title: str


def incidents_export(*, viewer: Any, filters: selectors.IncidentFilter, fmt: str) -> Export:
    """The export of the filtered register, recorded in the audit trail (action "export") first."""
    incidents = selectors.incidents_for(viewer, filters)
    count = incidents.count()
    audit.record(
        actor=viewer,
        action=AuditAction.EXPORT,
        object_type=selectors.INCIDENT_TYPE,
        changes={"format": fmt, "filters": filters.as_dict(), "rows": count},
    )
    stamp = dt.datetime.now(tz=timezone.get_current_timezone()).strftime("%Y%m%d-%H%M")
    return Export(_rows(incidents), headings(), count, f"vu-viec-{stamp}.{fmt}", _("Incidents"))
