"""A case taken through the whole Decree 56 cycle by the services (so every form has real data), and a
helper that opens a DOCX file back with python-docx and gives all its text, tables included."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from docx import Document
from docx.document import Document as DocumentType

from mangnon.cases import services
from mangnon.cases.models import Case
from mangnon.cases.tests.factories import ContactChildFactory
from mangnon.cases.tests.steps import step_data
from mangnon.cases.workflow import Status
from mangnon.orgs.codes import OrgKind, ServiceType
from mangnon.orgs.tests.factories import OrganisationFactory
from mangnon.registry.tests.factories import CaregiverFactory

CHILD = "Đặng Minh Khôi"
CENTRE = "Trung tâm Công tác xã hội tỉnh Quảng Ninh"


def open_docx(content: bytes) -> DocumentType:
    return Document(io.BytesIO(content))


def _texts(container: Any) -> list[str]:
    out = [p.text for p in container.paragraphs]
    for table in container.tables:
        for row in table.rows:
            for cell in row.cells:
                out.extend(_texts(cell))
    return out


def text_of(content: bytes) -> str:
    """Every paragraph of the document, tables and nested tables included, one per line."""
    return "\n".join(_texts(open_docx(content)))


def table_rows(content: bytes) -> list[list[str]]:
    """The rows of every table, as lists of cell texts."""
    return [[c.text for c in row.cells] for t in open_docx(content).tables for row in t.rows]


@pytest.fixture
def opened(personas: Any) -> Case:
    """A case opened from a 111 call about Đặng Minh Khôi (born 04/05/2016, father on record)."""
    row = ContactChildFactory(contact__counsellor=personas.hotline, child__person__full_name=CHILD)
    CaregiverFactory(child=row.child, is_primary=True)
    return services.case_open(actor=personas.officer_a, contact=row.contact).case


def take(case: Case, to: str, actor: Any, *, reason: str = "", **extra: Any) -> Case:
    """Take one step with the usual valid form, `extra` fields replacing some of it."""
    data = {**step_data(case, to), **extra}
    services.case_transition(actor=actor, case=case, to=to, version=case.version, data=data, reason=reason)
    return case


@pytest.fixture
def reviewed(personas: Any, units: Any, opened: Case) -> Case:
    """The case after every form: assessed, investigated, planned with a provider, approved, reviewed."""
    officer, chair = personas.officer_a, personas.chair_a
    centre = OrganisationFactory(
        name=CENTRE,
        kind=OrgKind.SOCIAL_WORK_CENTRE,
        admin_unit=units.province,
        services=[ServiceType.PSYCHOLOGICAL.value],
    )
    today = timezone.localdate()
    take(opened, Status.ASSESSED, officer)
    take(opened, Status.INVESTIGATING, officer)
    take(
        opened,
        Status.PLAN_DRAFTED,
        officer,
        services=[
            {
                "service_type": "psychological",
                "provider": centre.pk,
                "description": "Tư vấn tâm lý hằng tuần",
                "start": today.isoformat(),
                "end": (today + timedelta(days=60)).isoformat(),
            },
            {"service_type": "education", "description": "Hỗ trợ học phí"},
        ],
    )
    take(opened, Status.PLAN_APPROVED, chair, signer="Trần Thị Chủ Tịch")
    take(opened, Status.IN_SERVICE, officer)
    take(opened, Status.REVIEWED, officer, harm="medium", child_capacity="high")
    return opened


def iso_day(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year}"
