"""The figures of case work (DESIGN.md §2), found at start-up by `core.metrics.autodiscover()`.

The case figures count the cases opened (information received) and closed in the period, at a commune in
the unit's geography (either one), within the viewer's scope for counts.

The incident figures count the incidents that occurred in the period, in the unit's geography (either
one), as `incident_selectors` defines each count — the same counts the incident register and
`/api/v1/incidents/counts` show, so none of them can disagree. Their legal figures are those known on
the period's last day. Figures are aggregate: reading them is not audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can, scope_for
from mangnon.accounts.roles import Action
from mangnon.core.metrics import Figure, Period, data_element
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import in_geography_q
from mangnon.registry.codes import Sex
from mangnon.registry.selectors import SEX_UNKNOWN

from . import incident_selectors as s
from .codes import AbuseForm, PerpetratorRelationship, Setting
from .models import Case, Incident

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

OWNER = "cases"
FORM = "form"  # forms of abuse (codes.AbuseForm); an incident or a child may count under several
SETTING = "setting"  # codes.Setting
SEX = "sex"
RELATIONSHIP = "relationship"  # the perpetrator's to the child (codes.PerpetratorRelationship)
AGE_GROUP = "age_group"  # the child's age on the incident day (incident_selectors.AGE_GROUPS)

# Every category code of every disaggregation above with its label, for pages that show figures.
CATEGORY_LABELS: dict[str, dict[str, StrOrPromise]] = {
    FORM: dict(AbuseForm.choices),
    SETTING: dict(Setting.choices),
    SEX: {**dict(Sex.choices), SEX_UNKNOWN: _("sex not recorded")},
    RELATIONSHIP: dict(PerpetratorRelationship.choices),
    AGE_GROUP: dict(s.AGE_GROUPS),
}


def _register_url(
    unit: AdminUnit, period: Period, category: Mapping[str, str], *, allowed: tuple[str, ...], **extra: str
) -> str:
    """The incident register filtered to the incidents a figure counts (unit, period, one category of a
    dimension in `allowed`), or "" for a category the register cannot filter by."""
    if any(d not in allowed for d in category):
        return ""
    query = {"unit": str(unit.pk), "start": period.start.isoformat(), "end": period.end.isoformat()}
    return f"{reverse('incidents:list')}?{urlencode({**query, **extra, **category})}"


def _incidents_records(*, unit: AdminUnit, period: Period, category: Mapping[str, str]) -> str:
    return _register_url(unit, period, category, allowed=(FORM, SETTING))


def _children_records(*, unit: AdminUnit, period: Period, category: Mapping[str, str]) -> str:
    return _register_url(unit, period, category, allowed=(SEX, FORM, AGE_GROUP, SETTING), show="children")


def _counted(*, viewer: Any, unit: AdminUnit, period: Period) -> QuerySet[Incident]:
    """PermissionDenied for a viewer whose roles never count cases, Http404 for a unit outside scope."""
    return s.counted_incidents(viewer=viewer, unit=unit, start=period.start, end=period.end)


@data_element(
    "cases.incidents",
    name=_("Incidents of child abuse"),
    owner=OWNER,
    disaggregations=(FORM, SETTING),
    records=_incidents_records,
)
def incidents(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    counted = _counted(viewer=viewer, unit=unit, period=period)
    breakdowns = {FORM: s.incidents_by_form, SETTING: s.incidents_by_setting}
    return Figure(total=counted.count(), by={d: breakdowns[d](counted) for d in by})


@data_element(
    "cases.abused_children",
    name=_("Children abused"),
    owner=OWNER,
    disaggregations=(SEX, AGE_GROUP, FORM, SETTING),
    records=_children_records,
)
def abused_children(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    victims = s.victims_of(_counted(viewer=viewer, unit=unit, period=period))
    breakdowns = {
        SEX: s.children_by_sex,
        AGE_GROUP: s.children_by_age_group,
        FORM: s.children_by_form,
        SETTING: s.children_by_setting,
    }
    return Figure(total=s.count_children(victims), by={d: breakdowns[d](victims) for d in by})


@data_element(
    "cases.perpetrators",
    name=_("Perpetrators of child abuse"),
    owner=OWNER,
    disaggregations=(SEX, RELATIONSHIP),
)
def perpetrators(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    rows = s.perpetrators_of(_counted(viewer=viewer, unit=unit, period=period))
    breakdowns = {SEX: s.perpetrators_by_sex, RELATIONSHIP: s.perpetrators_by_relationship}
    return Figure(total=s.count_persons(rows), by={d: breakdowns[d](rows) for d in by})


@data_element(
    "cases.prosecuted_incidents",
    name=_("Incidents of child abuse prosecuted (criminal case opened)"),
    owner=OWNER,
)
def prosecuted_incidents(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    counted = _counted(viewer=viewer, unit=unit, period=period)
    return Figure(total=s.prosecuted_incidents(counted, period.end).count())


@data_element("cases.accused_persons", name=_("Persons accused of child abuse"), owner=OWNER)
def accused_persons(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    counted = _counted(viewer=viewer, unit=unit, period=period)
    return Figure(total=s.count_persons(s.accused_perpetrators(counted, period.end)))


@data_element(
    "cases.administrative_incidents",
    name=_("Incidents of child abuse with an administrative sanction"),
    owner=OWNER,
)
def administrative_incidents(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    counted = _counted(viewer=viewer, unit=unit, period=period)
    return Figure(total=s.administrative_incidents(counted, period.end).count())


@data_element(
    "cases.administrative_persons",
    name=_("Persons given an administrative sanction for child abuse"),
    owner=OWNER,
)
def administrative_persons(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    counted = _counted(viewer=viewer, unit=unit, period=period)
    return Figure(total=s.count_persons(s.sanctioned_perpetrators(counted, period.end)))


def _cases(*, viewer: Any, unit: AdminUnit, period: Period, on: str) -> QuerySet[Case]:
    """The cases whose `on` moment (a DateTimeField) fell in the period's days in Vietnam's time, at a
    commune in the unit's geography (either one), as the incident figures count: PermissionDenied for a
    viewer whose roles never count cases, Http404 for a unit outside their scope for counts."""
    if not can(viewer, Action.CASE_COUNT):
        raise PermissionDenied
    scope = scope_for(viewer, Action.CASE_COUNT)
    if not scope.contains(unit):
        raise Http404
    first = timezone.make_aware(datetime.combine(period.start, time.min))
    after = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min))
    return Case.objects.filter(
        scope.q("admin_unit"), in_geography_q(unit), **{f"{on}__gte": first, f"{on}__lt": after}
    )


@data_element("cases.opened", name=_("Cases opened (information received)"), owner=OWNER)
def cases_opened(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return Figure(total=_cases(viewer=viewer, unit=unit, period=period, on="received_at").count())


@data_element("cases.closed", name=_("Cases closed"), owner=OWNER)
def cases_closed(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    return Figure(total=_cases(viewer=viewer, unit=unit, period=period, on="closed_at").count())
