"""The participation roll-up: each step counted by its own date, in either geography, within the
viewer's scope, in a constant number of queries; the registered figures agree with it."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from mangnon.core import metrics
from mangnon.core import rollups as core_rollups
from mangnon.core.metrics import Period
from mangnon.participation.models import MemberRole, VoiceStatus
from mangnon.participation.rollups import rollup
from mangnon.participation.tests.factories import (
    ChildVoiceFactory,
    CouncilMeetingFactory,
    CouncilMemberFactory,
)

pytestmark = pytest.mark.django_db

START, END = date(2026, 1, 1), date(2026, 6, 30)


@pytest.fixture
def voices(units):
    ChildVoiceFactory(admin_unit=units.commune_a, raised_on=date(2026, 2, 1), topic="education")
    ChildVoiceFactory(
        admin_unit=units.commune_a,
        raised_on=date(2025, 12, 1),  # received last year, forwarded and answered this one
        status=VoiceStatus.ANSWERED,
        forwarded_on=date(2026, 1, 5),
        due_on=date(2026, 2, 5),
        answered_on=date(2026, 2, 1),
        answer="Đã trả lời",
    )
    ChildVoiceFactory(
        admin_unit=units.commune_b,
        raised_on=date(2026, 3, 1),
        status=VoiceStatus.RESOLVED,
        forwarded_on=date(2026, 3, 2),
        due_on=date(2026, 4, 2),
        answered_on=date(2026, 3, 20),
        resolved_on=date(2026, 4, 1),
        answer="Đã làm",
    )
    CouncilMeetingFactory(admin_unit=units.province, held_on=date(2026, 3, 12))
    CouncilMeetingFactory(admin_unit=units.commune_a, held_on=date(2026, 5, 12))
    CouncilMeetingFactory(admin_unit=units.commune_a, held_on=date(2025, 5, 12))


def test_province_rollup(personas, units, voices, django_assert_max_num_queries):
    # The province's own council: two children and an adviser serving in the year, one who left before it;
    # a commune's council is not the province's.
    CouncilMemberFactory.create_batch(2, admin_unit=units.province, from_date=date(2025, 9, 1))
    CouncilMemberFactory(admin_unit=units.province, role=MemberRole.ADVISER, from_date=date(2026, 2, 1))
    CouncilMemberFactory(admin_unit=units.province, from_date=date(2023, 9, 1), to_date=date(2025, 8, 31))
    CouncilMemberFactory(admin_unit=units.commune_a)
    with django_assert_max_num_queries(7):
        r = rollup(viewer=personas.province_manager, unit=units.province, start=START, end=END)
    assert (r.voices_received, r.voices_forwarded, r.voices_answered, r.voices_resolved) == (2, 2, 2, 1)
    assert r.voices_received_by_topic["education"] == 1 and sum(r.voices_received_by_topic.values()) == 2
    assert r.council_meetings == 2
    assert (r.council_members, r.council_members_by_role) == (3, {"child": 2, "adviser": 1})
    assert r.as_dict()["start"] == "2026-01-01"
    ChildVoiceFactory.create_batch(20, admin_unit=units.commune_b, raised_on=date(2026, 5, 1))
    with django_assert_max_num_queries(7):  # the same queries however many voices
        more = rollup(viewer=personas.province_manager, unit=units.province, start=START, end=END)
    assert more.voices_received == 22


def test_commune_rollup_and_scope(personas, units, voices):
    a = rollup(viewer=personas.officer_a, unit=units.commune_a, start=START, end=END)
    assert (a.voices_received, a.voices_forwarded, a.voices_resolved, a.council_meetings) == (1, 1, 0, 1)
    with pytest.raises(Http404):
        rollup(viewer=personas.officer_b, unit=units.commune_a, start=START, end=END)
    with pytest.raises(Http404):
        rollup(viewer=personas.officer_a, unit=units.province, start=START, end=END)
    with pytest.raises(PermissionDenied):
        rollup(viewer=personas.hotline, unit=units.province, start=START, end=END)


def test_either_geography(personas, units):
    ChildVoiceFactory(admin_unit=units.legacy_a, raised_on=date(2020, 6, 1))
    y2020 = (date(2020, 1, 1), date(2020, 12, 31))
    legacy = rollup(viewer=personas.province_officer, unit=units.legacy_a, start=y2020[0], end=y2020[1])
    district = rollup(viewer=personas.province_officer, unit=units.district_a, start=y2020[0], end=y2020[1])
    current = rollup(viewer=personas.officer_a, unit=units.commune_a, start=y2020[0], end=y2020[1])
    assert legacy.voices_received == district.voices_received == current.voices_received == 1
    assert (
        rollup(viewer=personas.officer_b, unit=units.commune_b, start=y2020[0], end=y2020[1]).voices_received
        == 0
    )


def test_figures_agree_with_rollup(personas, units, voices):
    period, viewer = Period(START, END), personas.province_officer
    r = rollup(viewer=viewer, unit=units.province, start=START, end=END)

    def fig(code, by=()):
        return metrics.get(code).compute(unit=units.province, period=period, viewer=viewer, by=by)

    received = fig("participation.voices_received", ("topic",))
    assert received.total == r.voices_received and received.by["topic"] == r.voices_received_by_topic
    assert fig("participation.voices_resolved").total == r.voices_resolved
    assert fig("participation.council_meetings").total == r.council_meetings


def test_programme_rollup_section(personas, units, voices):
    found = core_rollups.rollup(viewer=personas.province_officer, unit=units.province, start=START, end=END)
    assert found["participation"]["voices_received"] == 2
    assert "participation" not in core_rollups.rollup(
        viewer=personas.hotline, unit=units.province, start=START, end=END
    )
