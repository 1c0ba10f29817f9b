"""Reads of incidents of abuse, always scoped by the viewer first, and the one definition of each count.

Incidents are abuse records: only the roles that read cases (CASE_VIEW) see them one by one; the counts
(no names) are for every role that reports (CASE_COUNT), leadership included.

The counts, in the shape of the sources ("26 vụ, 30 trẻ em bị xâm hại"; "239 vụ, 259 đối tượng, 254
trẻ em; khởi tố 220 vụ, 35 bị can; xử phạt hành chính 17 vụ, 23 đối tượng"), for a unit (in either
geography) and a period:

- incidents: those that occurred in the period, at a commune in the unit's geography;
- children: distinct children among their victims (a child in two incidents counts once);
- perpetrators: distinct persons among their perpetrators: a perpetrator linked to a registered person
  counts once however many incidents name them; one not linked counts once per incident;
- prosecuted incidents (khởi tố vụ án): those of the incidents with a "criminal case opened" step dated
  on or before the period's last day;
- accused persons (bị can): those of the perpetrators (as counted above) with an "accused" step dated
  on or before the period's last day;
- administrative incidents and persons: those with an "administrative sanction" step dated on or
  before the period's last day, the persons counted like perpetrators.

The legal figures look at the incidents of the period (a cohort), with what was known of their legal
track at its end, so a year's figures computed later do not change as later steps are recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mangnon.accounts.access import can, pk_or_404, scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit
from mangnon.core.models import AuditAction
from mangnon.geo.models import AdminUnit
from mangnon.geo.selectors import in_geography_q
from mangnon.registry.codes import Sex
from mangnon.registry.models import Child
from mangnon.registry.selectors import SEX_UNKNOWN

from .codes import AbuseForm, LegalStepKind, PerpetratorRelationship, Setting
from .models import Incident, IncidentChild, LegalStep, Perpetrator

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

INCIDENT_TYPE = "cases.incident"
VICTIM_TYPE = "cases.incidentchild"  # the list of abused children


# --- one incident ------------------------------------------------------------------------------------


def get_incident_for_user(user: Any, incident_id: Any, action: Action = Action.CASE_VIEW) -> Incident:
    """The incident if `user` may read cases at its commune (404 otherwise: existence is not revealed);
    403 when they may read it but not take `action` there."""
    pk = pk_or_404(incident_id)
    incident = Incident.objects.select_related("admin_unit", "province", "recorded_by").filter(pk=pk).first()
    if incident is None or not scope_for(user, Action.CASE_VIEW).contains(incident.admin_unit):
        raise Http404
    if action != Action.CASE_VIEW and not scope_for(user, action).contains(incident.admin_unit):
        raise PermissionDenied
    return incident


@dataclass(frozen=True)
class IncidentDetails:
    """An incident with everything its page shows, loaded in a fixed number of queries."""

    incident: Incident
    victims: list[IncidentChild]
    perpetrators: list[Perpetrator]
    legal_steps: list[LegalStep]


def incident_details(*, viewer: Any, incident: Incident, audit_view: bool = True) -> IncidentDetails:
    """The incident's victims (with their records), perpetrators and legal track; the view is audited,
    naming the children shown."""
    victims = list(
        incident.victims.select_related("child__person", "child__admin_unit", "case__admin_unit").order_by(
            "child__person__sort_key", "pk"
        )
    )
    perpetrators = list(incident.perpetrators.select_related("person").order_by("pk"))
    steps = list(incident.legal_steps.select_related("perpetrator").order_by("on", "pk"))
    if audit_view:
        audit.record(
            actor=viewer,
            action=AuditAction.VIEW,
            obj=incident,
            unit=incident.admin_unit,
            changes={"victims": [v.child_id for v in victims]},
        )
    return IncidentDetails(incident, victims, perpetrators, steps)


# --- lists -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentFilter:
    start: date | None = None  # occurred on or after
    end: date | None = None  # occurred on or before
    unit: AdminUnit | None = None  # in the unit's geography (either one)
    form: str = ""  # one AbuseForm code among the incident's forms
    setting: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The filters used, for the audit trail and links."""
        values = {**self.__dict__, "unit": self.unit.code if self.unit else None}
        return {k: v for k, v in values.items() if v not in ("", None)}


def form_q(code: str, prefix: str = "") -> Q:
    """Incidents whose forms (a JSON list of codes) include `code`. The codes are plain lowercase words,
    so the quoted code matches exactly in the list's JSON text on SQLite and PostgreSQL alike."""
    return Q(**{f"{prefix}forms__icontains": f'"{code}"'})


def filter_incidents(incidents: QuerySet[Incident], f: IncidentFilter) -> QuerySet[Incident]:
    if f.start is not None:
        incidents = incidents.filter(occurred_on__gte=f.start)
    if f.end is not None:
        incidents = incidents.filter(occurred_on__lte=f.end)
    if f.unit is not None:
        incidents = incidents.filter(in_geography_q(f.unit))
    if f.form:
        incidents = incidents.filter(form_q(f.form)) if f.form in AbuseForm.values else incidents.none()
    if f.setting:
        incidents = incidents.filter(setting=f.setting)
    return incidents


def visible_incidents(viewer: Any, filters: IncidentFilter | None = None) -> QuerySet[Incident]:
    """The incidents the viewer may read one by one (CASE_VIEW scope first), filtered, unordered."""
    scoped = Incident.objects.filter(scope_for(viewer, Action.CASE_VIEW).q("admin_unit"))
    return filter_incidents(scoped, filters or IncidentFilter())


def _per_incident(model: type[LegalStep] | type[IncidentChild] | type[Perpetrator]) -> Coalesce:
    rows = model.objects.filter(incident=OuterRef("pk")).order_by().values("incident")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), Value(0), output_field=IntegerField())


def _has_step(kind: str) -> Exists:
    return Exists(LegalStep.objects.filter(incident=OuterRef("pk"), kind=kind))


def incidents_for(viewer: Any, filters: IncidentFilter | None = None) -> QuerySet[Incident]:
    """The register: `visible_incidents`, newest first, each row with its numbers of victims and
    perpetrators, whether a criminal case was opened or a sanction imposed, and its latest legal step,
    all in the one query."""
    latest = LegalStep.objects.filter(incident=OuterRef("pk")).order_by("-on", "-pk").values("kind")[:1]
    return (
        visible_incidents(viewer, filters)
        .select_related("admin_unit")
        .annotate(
            victim_count=_per_incident(IncidentChild),
            perpetrator_count=_per_incident(Perpetrator),
            prosecuted=_has_step(LegalStepKind.CRIMINAL_CASE),
            sanctioned=_has_step(LegalStepKind.ADMINISTRATIVE),
            latest_step=Subquery(latest),
        )
        .order_by("-occurred_on", "-pk")
    )


def record_list_view(
    viewer: Any, incidents: list[Incident], *, filters: IncidentFilter | None = None
) -> None:
    """Audit that `viewer` was shown a page of the register (one event naming the incidents shown)."""
    if not incidents:
        return
    audit.record(
        actor=viewer,
        action=AuditAction.VIEW,
        object_type=INCIDENT_TYPE,
        object_id="list",
        changes={"shown": [i.pk for i in incidents], "filters": (filters or IncidentFilter()).as_dict()},
    )


# --- counts ------------------------------------------------------------------------------------------
# One definition of each count (see the module's docstring); the register, the API and the figures in
# metrics.py are all built on `count_incidents`.


def _step_before(kind: str, as_of: date, link: str) -> Exists:
    return Exists(LegalStep.objects.filter(kind=kind, on__lte=as_of, **{link: OuterRef("pk")}))


def perpetrators_of(incidents: QuerySet[Incident]) -> QuerySet[Perpetrator]:
    return Perpetrator.objects.filter(incident__in=incidents.order_by().values("pk"))


def victims_of(incidents: QuerySet[Incident]) -> QuerySet[IncidentChild]:
    return IncidentChild.objects.filter(incident__in=incidents.order_by().values("pk"))


def count_persons(perpetrators: QuerySet[Perpetrator]) -> int:
    """Distinct persons: one per registered person, one per row not linked to a person."""
    found = perpetrators.order_by().aggregate(
        linked=Count("person", distinct=True), unlinked=Count("pk", filter=Q(person__isnull=True))
    )
    return int(found["linked"]) + int(found["unlinked"])


def persons_per(perpetrators: QuerySet[Perpetrator], key: str, codes: list[str]) -> dict[str, int]:
    """`count_persons` per value of `key`, every code listed (0 when none)."""
    rows = (
        perpetrators.order_by()
        .values(key)
        .annotate(linked=Count("person", distinct=True), unlinked=Count("pk", filter=Q(person__isnull=True)))
    )
    found = {row[key]: row["linked"] + row["unlinked"] for row in rows}
    return {code: found.get(code, 0) for code in codes}


def perpetrators_by_sex(perpetrators: QuerySet[Perpetrator]) -> dict[str, int]:
    found = persons_per(perpetrators, "sex", [*Sex.values, ""])
    return {**{sex: found[sex] for sex in Sex.values}, SEX_UNKNOWN: found[""]}


def perpetrators_by_relationship(perpetrators: QuerySet[Perpetrator]) -> dict[str, int]:
    return persons_per(perpetrators, "relationship", PerpetratorRelationship.values)


def count_children(victims: QuerySet[IncidentChild]) -> int:
    return int(victims.order_by().aggregate(n=Count("child", distinct=True))["n"])


def prosecuted_incidents(incidents: QuerySet[Incident], as_of: date) -> QuerySet[Incident]:
    return incidents.filter(_step_before(LegalStepKind.CRIMINAL_CASE, as_of, "incident"))


def administrative_incidents(incidents: QuerySet[Incident], as_of: date) -> QuerySet[Incident]:
    return incidents.filter(_step_before(LegalStepKind.ADMINISTRATIVE, as_of, "incident"))


def accused_perpetrators(incidents: QuerySet[Incident], as_of: date) -> QuerySet[Perpetrator]:
    return perpetrators_of(incidents).filter(_step_before(LegalStepKind.ACCUSED, as_of, "perpetrator"))


def sanctioned_perpetrators(incidents: QuerySet[Incident], as_of: date) -> QuerySet[Perpetrator]:
    return perpetrators_of(incidents).filter(_step_before(LegalStepKind.ADMINISTRATIVE, as_of, "perpetrator"))


def incidents_by_form(incidents: QuerySet[Incident]) -> dict[str, int]:
    """Incidents per form of abuse, every form listed; an incident of two forms counts under both."""
    found = incidents.order_by().aggregate(**{c: Count("pk", filter=form_q(c)) for c in AbuseForm.values})
    return {code: int(found[code]) for code in AbuseForm.values}


def incidents_by_setting(incidents: QuerySet[Incident]) -> dict[str, int]:
    found = dict(
        incidents.order_by().values_list("setting").annotate(n=Count("pk")).values_list("setting", "n")
    )
    return {code: found.get(code, 0) for code in Setting.values}


def children_by_form(victims: QuerySet[IncidentChild]) -> dict[str, int]:
    """Distinct children per form of abuse they suffered (a child may count under several)."""
    found = victims.order_by().aggregate(
        **{c: Count("child", distinct=True, filter=form_q(c, "incident__")) for c in AbuseForm.values}
    )
    return {code: int(found[code]) for code in AbuseForm.values}


def children_by_sex(victims: QuerySet[IncidentChild]) -> dict[str, int]:
    """Distinct children per sex, those without one recorded as SEX_UNKNOWN: they add up to the children."""
    found = dict(
        victims.order_by()
        .values_list("child__person__sex")
        .annotate(n=Count("child", distinct=True))
        .values_list("child__person__sex", "n")
    )
    return {**{sex: found.get(sex, 0) for sex in Sex.values}, SEX_UNKNOWN: found.get("", 0)}


AGE_UNKNOWN = "unknown"  # no date or year of birth recorded (or an age no child has)
# The child's age on the day of the incident, in whole years; the codes are stable.
AGE_GROUPS: dict[str, StrOrPromise] = {
    "0_5": _("0-5 years"),
    "6_10": _("6-10 years"),
    "11_15": _("11-15 years"),
    "16_17": _("16-17 years"),
    AGE_UNKNOWN: _("age unknown"),
}


def age_group(age: int | None) -> str:
    """The age group of an age in whole years (AGE_UNKNOWN when not known or not a child's)."""
    if age is None or age < 0 or age > 17:
        return AGE_UNKNOWN
    if age <= 5:
        return "0_5"
    if age <= 10:
        return "6_10"
    return "11_15" if age <= 15 else "16_17"


def _age_on(day: date, born: date | None, birth_year: int | None) -> int | None:
    """Age in whole years on `day`; with only a year of birth, the age reached in `day`'s year (as the
    registry counts children under 16 by year)."""
    if born is not None:
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return day.year - birth_year if birth_year is not None else None


def victims_age_groups(victims: QuerySet[IncidentChild]) -> dict[int, str]:
    """Each child's age group among `victims`, judged on the day of the child's first incident among
    them, so a child abused twice counts in one group and the groups add up to the children. Computed
    in Python from one query: an age is awkward in portable SQL and a period's victims are few."""
    rows = victims.order_by("incident__occurred_on", "incident_id").values_list(
        "child_id", "child__person__date_of_birth", "child__person__birth_year", "incident__occurred_on"
    )
    groups: dict[int, str] = {}
    for child_id, born, year, day in rows:
        if child_id not in groups:
            groups[child_id] = age_group(_age_on(day, born, year))
    return groups


def children_by_age_group(victims: QuerySet[IncidentChild]) -> dict[str, int]:
    """Distinct children per age group (victims_age_groups): they add up to the children."""
    found: dict[str, int] = dict.fromkeys(AGE_GROUPS, 0)
    for code in victims_age_groups(victims).values():
        found[code] += 1
    return found


def children_by_setting(victims: QuerySet[IncidentChild]) -> dict[str, int]:
    """Distinct children per setting of their incidents (a child may count under several)."""
    found = victims.order_by().aggregate(
        **{c: Count("child", distinct=True, filter=Q(incident__setting=c)) for c in Setting.values}
    )
    return {code: int(found[code]) for code in Setting.values}


def filter_victims(
    victims: QuerySet[IncidentChild], *, sex: str = "", age_group: str = "", form: str = "", setting: str = ""
) -> QuerySet[IncidentChild]:
    """The rows of `victims` behind one category of each breakdown above: `count_children` of the result
    is that category's count (the age group judged over all of `victims`, as `children_by_age_group`
    does). An unknown code selects nothing."""
    if age_group:
        ids = [child for child, code in victims_age_groups(victims).items() if code == age_group]
        victims = victims.filter(child_id__in=ids)
    if sex:
        if sex not in (*Sex.values, SEX_UNKNOWN):
            return victims.none()
        victims = victims.filter(child__person__sex="" if sex == SEX_UNKNOWN else sex)
    if form:
        victims = victims.filter(form_q(form, "incident__")) if form in AbuseForm.values else victims.none()
    if setting:
        victims = victims.filter(incident__setting=setting)
    return victims


@dataclass(frozen=True)
class AbusedChild:
    """One row of the list of abused children: the child and their incidents among the rows listed."""

    child: Child  # with its person and commune loaded
    age_group: str
    incidents: list[Incident]


def abused_children_page(
    victims: QuerySet[IncidentChild], child_ids: list[int], *, ages_of: QuerySet[IncidentChild]
) -> list[AbusedChild]:
    """`child_ids` (a page of `victims`' children) with their incidents among `victims` and their age
    groups as judged over `ages_of` (the rows before any category was chosen), in two queries."""
    rows = (
        victims.filter(child_id__in=child_ids)
        .select_related("child__person", "child__admin_unit", "incident__admin_unit")
        .order_by("incident__occurred_on", "incident_id")
    )
    children: dict[int, Child] = {}
    incidents: dict[int, list[Incident]] = {}
    for row in rows:
        children.setdefault(row.child_id, row.child)
        incidents.setdefault(row.child_id, []).append(row.incident)
    ages = victims_age_groups(ages_of.filter(child_id__in=child_ids))
    return [
        AbusedChild(children[pk], ages.get(pk, AGE_UNKNOWN), incidents[pk])
        for pk in child_ids
        if pk in children
    ]


def abused_child_ids(victims: QuerySet[IncidentChild]) -> QuerySet[Any]:
    """The distinct children of `victims` as ids, in the registry's name order (to paginate)."""
    return (
        Child.objects.filter(pk__in=victims.order_by().values("child"))
        .order_by("person__sort_key", "pk")
        .values_list("pk", flat=True)
    )


def record_victims_view(viewer: Any, children: list[int], *, filters: dict[str, Any]) -> None:
    """Audit that `viewer` was shown a page of the list of abused children (one event naming them)."""
    if not children:
        return
    audit.record(
        actor=viewer,
        action=AuditAction.VIEW,
        object_type=VICTIM_TYPE,
        object_id="list",
        changes={"shown": children, "filters": filters},
    )


@dataclass(frozen=True)
class IncidentCounts:
    incidents: int
    perpetrators: int
    children: int
    prosecuted_incidents: int
    accused_persons: int
    administrative_incidents: int
    administrative_persons: int
    incidents_by_form: dict[str, int] = field(default_factory=dict)
    incidents_by_setting: dict[str, int] = field(default_factory=dict)
    children_by_sex: dict[str, int] = field(default_factory=dict)
    children_by_form: dict[str, int] = field(default_factory=dict)


def count_incidents(incidents: QuerySet[Incident], as_of: date) -> IncidentCounts:
    """Every count of `incidents` (the legal ones as known on `as_of`)."""
    victims = victims_of(incidents)
    return IncidentCounts(
        incidents=incidents.count(),
        perpetrators=count_persons(perpetrators_of(incidents)),
        children=count_children(victims),
        prosecuted_incidents=prosecuted_incidents(incidents, as_of).count(),
        accused_persons=count_persons(accused_perpetrators(incidents, as_of)),
        administrative_incidents=administrative_incidents(incidents, as_of).count(),
        administrative_persons=count_persons(sanctioned_perpetrators(incidents, as_of)),
        incidents_by_form=incidents_by_form(incidents),
        incidents_by_setting=incidents_by_setting(incidents),
        children_by_sex=children_by_sex(victims),
        children_by_form=children_by_form(victims),
    )


def counted_incidents(*, viewer: Any, unit: AdminUnit, start: date, end: date) -> QuerySet[Incident]:
    """The incidents counted for `unit` over [start, end]: those that occurred in the period at a
    commune in the unit's geography (either one). PermissionDenied for a viewer whose roles never count
    cases, 404 for a unit outside their scope for counts."""
    if not can(viewer, Action.CASE_COUNT):
        raise PermissionDenied
    scope = scope_for(viewer, Action.CASE_COUNT)
    if not scope.contains(unit):
        raise Http404
    return filter_incidents(
        Incident.objects.filter(scope.q("admin_unit")), IncidentFilter(start=start, end=end, unit=unit)
    )


def incident_counts(*, viewer: Any, unit: AdminUnit, start: date, end: date | None = None) -> IncidentCounts:
    """The counts of `counted_incidents`, the legal ones as known at the period's end."""
    last = end or timezone.localdate()
    return count_incidents(counted_incidents(viewer=viewer, unit=unit, start=start, end=last), last)
