"""The demo's indicators (issue 6): each computed indicator for Quảng Ninh 2020 equals an independent count
over the demo's records (plain queries on the tables, never the apps' selectors); the entered figures
are those the province reported (28 children dead from injuries in 2020, 29 in 2019); the 2023 plan's
targets are there with their status; a current commune's 2020 value is the sum over the pre-reform
communes merged wholly into it; the reports of past years are approved and the current year's still
open; a second load adds nothing.

The demo is loaded once (the slow part) for one test that checks each of these in turn.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Q, Sum
from django.test import override_settings
from django.utils import timezone

from mangnon.accounts.models import User
from mangnon.activities.models import Activity, Tally
from mangnon.cases.models import Incident, IncidentChild
from mangnon.core import metrics
from mangnon.geo.models import REFORM_DATE, AdminUnit, Level, UnitCrosswalk
from mangnon.indicators.catalogue import Source, all_indicators, get
from mangnon.indicators.engine import Evaluator, Status, Value
from mangnon.indicators.models import (
    DataSetReport,
    EnteredValue,
    EnteredValueChange,
    ReportStatus,
    Target,
    TargetKind,
    TargetRevision,
)
from mangnon.indicators.periods import ReportingPeriod
from mangnon.participation.models import ChildVoice
from mangnon.registry.codes import ChildStatus
from mangnon.registry.models import Child, RiskFlag, SpecialCircumstance
from mangnon.support.models import AlternativeCare, Disbursement

pytestmark = pytest.mark.django_db

YEAR = ReportingPeriod.year(2020)
DAY = date(2020, 12, 31)


def _load() -> str:
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("demo", "load", stdout=out)
    return out.getvalue()


def test_the_indicators_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANGNON_DEMO_PASSWORD", "demo-pass-phrase-1")
    _load()
    viewer = User.objects.get(username="demo-province")
    _computed_indicators_equal_independent_counts(viewer)
    _entered_figures(viewer)
    _targets_of_2023(viewer)
    _a_current_commune_is_the_sum_of_its_predecessors(viewer)
    _reports_and_history()
    _a_second_load_adds_nothing()


def _province() -> AdminUnit:
    return AdminUnit.objects.get(code="22", level=Level.PROVINCE)


def _values(viewer: User, unit: AdminUnit, period: ReportingPeriod) -> dict[str, Value]:
    return {v.indicator.code: v for v in Evaluator(viewer).values(all_indicators(), unit, period)}


# --- independent counts: plain queries on the demo's tables --------------------------------------------


def _in(unit: AdminUnit, field: str = "admin_unit") -> Q:
    """Rows at `unit` or below it, by the unit's path (the province holds both geographies)."""
    return Q(**{f"{field}__path__startswith": unit.path})


def _counted_children(unit: AdminUnit, day: date) -> set[int]:
    registered_by = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    sixteen = date(day.year - 16, day.month, day.day)
    rows = (
        Child.objects.filter(_in(unit))
        .exclude(status=ChildStatus.MERGED)
        .filter(created_at__lt=registered_by)
        .values_list("pk", "person__date_of_birth", "person__birth_year")
    )
    return {
        pk
        for pk, born, year in rows
        if (born is not None and sixteen < born <= day)
        or (born is None and year is not None and day.year - 16 < year <= day.year)
    }


def _active(rows: Any, day: date) -> set[int]:
    return {child for child, start, end in rows if start <= day and (end is None or end >= day)}


def _independent(unit: AdminUnit) -> dict[str, Decimal]:
    children = _counted_children(unit, DAY)
    special = children & _active(
        SpecialCircumstance.objects.values_list("child_id", "start_date", "end_date"), DAY
    )
    at_risk = children & _active(RiskFlag.objects.values_list("child_id", "start_date", "end_date"), DAY)
    paid = set(
        Disbursement.objects.filter(paid_on__gt=date(2019, 12, 31), paid_on__lte=DAY).values_list(
            "child_id", flat=True
        )
    )
    cared = _active(AlternativeCare.objects.values_list("child_id", "start", "end"), DAY)
    assisted = children & (paid | cared)
    incidents = Incident.objects.filter(_in(unit), occurred_on__year=2020)
    victims = IncidentChild.objects.filter(incident__in=incidents)
    sexual = {c for c, forms in victims.values_list("child_id", "incident__forms") if "sexual" in forms}
    activities = Activity.objects.filter(_in(unit), start_date__year=2020)
    sessions = activities.filter(kind="session")
    voices = ChildVoice.objects.filter(_in(unit))
    communes = AdminUnit.objects.valid_on(DAY).filter(
        path__startswith=unit.path, level__in=[Level.COMMUNE, Level.SPECIAL_ZONE]
    )
    n = Decimal
    return {
        "registry.children": n(len(children)),
        "registry.special_circumstances": n(len(special)),
        "registry.at_risk": n(len(at_risk)),
        "registry.assisted": n(len(assisted)),
        "cases.abused_children": n(victims.values("child").distinct().count()),
        "cases.abused_children[form=sexual]": n(len(sexual)),
        "cases.incidents": n(incidents.count()),
        "participation.voices_received": n(voices.filter(raised_on__year=2020).count()),
        "participation.voices_resolved": n(voices.filter(resolved_on__year=2020).count()),
        "activities.sessions": n(sessions.count()),
        "activities.session_person_times": n(
            Tally.objects.filter(activity__in=sessions).aggregate(n=Sum("count"))["n"] or 0
        ),
        "activities.courses": n(activities.filter(kind="training").count()),
        "geo.communes": n(communes.count()),
    }


def _computed_indicators_equal_independent_counts(viewer: User) -> None:
    province = _province()
    values = _values(viewer, province, YEAR)
    counts = _independent(province)
    computed = [i for i in all_indicators() if i.source is Source.COMPUTED]
    assert len(computed) == 13
    for indicator in computed:
        value = values[indicator.code]
        assert value.available and not value.suppressed, indicator.code
        assert value.numerator == counts[indicator.numerator], indicator.code
        if indicator.denominator:
            assert value.denominator == counts[indicator.denominator], indicator.code
    # The engine counts the registry's figures together (its core.metrics batch): each alone agrees.
    for code in [t for t in counts if t.startswith("registry.")]:
        figure = metrics.get(code).compute(unit=province, period=YEAR.days, viewer=viewer, by=())
        assert figure.total == counts[code], code
    # The province's report of 2020 (seed 003), and sensible registry figures.
    assert values["0101"].value == 30 and values["MN-BV-03"].value == 26
    assert 0 < values["MN-BV-02"].value < 30
    assert values["MN-HD-01"].value == 232 and values["MN-HD-03"].value == 109
    assert values["MN-HD-02"].value == 49_980
    assert values["MN-CH-01"].value > 0 and values["MN-BV-04"].value > 0 and values["MN-BV-07"].value > 0
    assert values["MN-TG-01"].denominator > 0
    # Every child in special circumstances assisted in 2020: the target of seed 003, met.
    assert values["MN-BV-06"].numerator == values["MN-BV-04"].value
    assert values["MN-BV-06"].value == 100 and values["MN-BV-06"].status is Status.MET
    # Past years count the children registered by then: fewer in 2019 than in 2020, none before 2016.
    earlier = _values(viewer, province, ReportingPeriod.year(2019))
    assert 0 < earlier["MN-CH-01"].value <= values["MN-CH-01"].value
    assert earlier["MN-CH-01"].value == len(_counted_children(province, date(2019, 12, 31)))
    assert _values(viewer, province, ReportingPeriod.year(2015))["MN-CH-01"].value == 0


def _entered_figures(viewer: User) -> None:
    province = _province()
    for year, deaths in ((2020, 28), (2019, 29)):
        values = _values(viewer, province, ReportingPeriod.year(year))
        assert values["MN-BV-08"].value == deaths
        assert 0 < values["MN-BV-10"].value < deaths
        rows = EnteredValue.objects.filter(element="health.injury_deaths", period=str(year))
        assert rows.aggregate(n=Sum("value"))["n"] == deaths
        assert {u.level for u in AdminUnit.objects.filter(pk__in=rows.values("admin_unit"))} <= {
            Level.DISTRICT
        }
        assert rows.count() == 13
        # Plausible rates near the seed's, and every commune with a board with rules.
        assert Decimal(20) < values["MN-YT-02"].value < Decimal(25)
        assert Decimal(13) < values["MN-YT-01"].value < Decimal(16)
        assert Decimal(9) < values["MN-YT-03"].value < values["MN-YT-04"].value < Decimal(14)
        assert Decimal(75) <= values["MN-GD-05"].value <= Decimal(85)
        assert Decimal(95) <= values["MN-GD-04"].value <= Decimal(100)
        assert values["MN-BV-11"].denominator == 171 and values["MN-BV-11"].value > 98
    # A part never exceeds its whole in any unit.
    for part, whole in (
        ("health.drowning_deaths", "health.injury_deaths"),
        ("health.stunted_u5", "health.weighed_u5"),
        ("health.deaths_u1", "health.deaths_u5"),
        ("education.water_safety", "education.pupils"),
        ("commune.board_with_rules", "commune.board"),
    ):
        wholes = dict(EnteredValue.objects.filter(element=whole).values_list("report_id", "value").order_by())
        for report, value in EnteredValue.objects.filter(element=part).values_list("report_id", "value"):
            assert value <= wholes[report], (part, report)
    # 2025 and later by the current communes.
    after = EnteredValue.objects.filter(element="health.live_births", period="2025")
    assert after.count() == 54
    assert not after.exclude(admin_unit__valid_from=REFORM_DATE).exists()


def _targets_of_2023(viewer: User) -> None:
    province = _province()
    values = _values(viewer, province, ReportingPeriod.year(2023))
    expected = {
        "MN-BV-11": "100", "MN-YT-01": "14.5", "MN-YT-02": "22.5", "MN-YT-03": "10.5", "MN-YT-04": "11",
        "MN-GD-01": "100", "MN-GD-02": "100", "MN-GD-03": "97", "MN-GD-04": "100", "MN-GD-05": "81",
        "MN-GD-06": "85",
    }  # fmt: skip
    for code, goal in expected.items():
        target = values[code].target
        assert target is not None and target.kind == TargetKind.LEVEL, code
        assert target.value == Decimal(goal), code
        assert "2023" in target.source_document, code
        assert values[code].status in (Status.MET, Status.NOT_MET), code
    for code in ("MN-BV-09", "MN-BV-02"):
        target = values[code].target
        assert target is not None and target.kind == TargetKind.BELOW_PREVIOUS
        assert values[code].status in (Status.MET, Status.NOT_MET, Status.NO_DATA)
    assert values["MN-BV-11"].status is Status.MET and values["MN-YT-01"].status is Status.MET
    assert values["MN-YT-04"].status is Status.NOT_MET
    # Every target has its history; the one revised shows both versions.
    assert not Target.objects.filter(revisions__isnull=True).exists()
    revised = Target.objects.get(indicator="MN-YT-02", year=2023, admin_unit=province)
    assert list(revised.revisions.values_list("value", flat=True)) == [Decimal("23.00"), Decimal("22.50")]
    assert Target.objects.get(indicator="MN-BV-06", year=2020).value == 100


def _a_current_commune_is_the_sum_of_its_predecessors(viewer: User) -> None:
    """Phường Hạ Long (06688) in 2020: the sum of each additive figure over the pre-reform communes merged
    wholly into it."""
    current = AdminUnit.objects.get(code="06688", valid_from=REFORM_DATE)
    links = UnitCrosswalk.objects.filter(new_unit=current).select_related("old_unit")
    olds = [link.old_unit for link in links]
    wholly = [
        u for u in olds if not UnitCrosswalk.objects.filter(old_unit=u).exclude(new_unit=current).exists()
    ]
    assert wholly
    whole = _values(viewer, current, YEAR)
    parts = [_values(viewer, u, YEAR) for u in wholly]
    for indicator in all_indicators():
        if indicator.measure != "count" or indicator.source is not Source.COMPUTED:
            continue
        # Children: one child may be counted in two communes; registered children sit at the current
        # commune they live in, which no single pre-reform commune holds when several went into it.
        if indicator.code in ("0101", "MN-BV-02") or indicator.numerator.startswith("registry."):
            continue
        assert whole[indicator.code].value == sum(p[indicator.code].value for p in parts), indicator.code
    assert whole["MN-BV-11"].denominator == sum(p["MN-BV-11"].denominator for p in parts) == len(wholly)
    assert get("MN-BV-11").measure == "percent"


def _reports_and_history() -> None:
    today = timezone.localdate()
    past = DataSetReport.objects.filter(period__in=[str(y) for y in range(2019, 2025)])
    assert past.exists() and not past.exclude(status=ReportStatus.APPROVED).exists()
    assert not past.filter(Q(approved_by__isnull=True) | Q(submitted_by__isnull=True)).exists()
    approved = past.first()
    assert approved is not None
    assert [e.kind for e in approved.events.all()] == ["submitted", "approved"]
    assert approved.approved_by.username == "demo-manager"
    current = DataSetReport.objects.filter(period=str(today.year))
    if today < date(today.year + 1, 1, 15):
        assert current.exists() and not current.filter(status=ReportStatus.APPROVED).exists()
    assert EnteredValueChange.objects.count() == EnteredValue.objects.count()
    assert TargetRevision.objects.count() == Target.objects.count() + 1


def _a_second_load_adds_nothing() -> None:
    models = (DataSetReport, EnteredValue, EnteredValueChange, Target, TargetRevision, Child)
    before = {m: m.objects.count() for m in models}
    registered = list(Child.objects.order_by("pk").values_list("created_at", flat=True))
    _load()
    assert {m: m.objects.count() for m in models} == before
    assert list(Child.objects.order_by("pk").values_list("created_at", flat=True)) == registered
