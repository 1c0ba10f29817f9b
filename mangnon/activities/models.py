"""Programme activities: campaigns, activities with their participation tallies (person-times), rosters
(unique persons) and materials; clubs and teams with their members (their meetings are activities of kind
club_meeting that name the club); care models.

Every activity sits at the unit where it happened (a commune, a district-level unit or the province, in
the geography of its date) and carries its province (DESIGN.md: rows of personal data carry it; a roster
names people).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mangnon.core.models import TimestampedModel, VersionedModel
from mangnon.geo.models import AdminUnit
from mangnon.orgs.models import Organisation
from mangnon.registry.models import Person

from .codes import (
    ActivityKind,
    AgeBand,
    CareModelKind,
    ClubKind,
    FundingSource,
    Group,
    MaterialKind,
    MemberRole,
    TallySex,
)


class Campaign(VersionedModel):
    """A campaign that groups activities, e.g. Tháng hành động vì trẻ em 2020 under plan 67/KH-UBND."""

    name = models.CharField(_("name"), max_length=255)
    plan_number = models.CharField(_("plan number"), max_length=60, blank=True)
    theme = models.CharField(_("theme"), max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name


class Activity(VersionedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=300)
    organiser = models.ForeignKey(
        Organisation,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organiser_text = models.CharField(_("organiser"), max_length=300, blank=True)
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("administrative unit"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    theme = models.CharField(_("theme"), max_length=500, blank=True)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    club = models.ForeignKey(
        "Club",
        verbose_name=_("club"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
    )  # set on a club meeting
    target_groups = models.JSONField(_("target groups"), default=list, blank=True)  # Group codes
    funding_source = models.CharField(
        _("funding source"), max_length=20, choices=FundingSource.choices, blank=True
    )
    cost = models.PositiveBigIntegerField(_("cost (đồng)"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The reporting unit's own number for an imported activity: with the unit, what makes re-importing
    # a file add nothing (activities.importing). Empty for activities entered on the form.
    import_reference = models.CharField(_("reference"), max_length=60, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["province", "start_date"], name="activities_prov_start"),
            models.Index(fields=["admin_unit", "start_date"], name="activities_unit_start"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["admin_unit", "import_reference"],
                condition=~Q(import_reference=""),
                name="activities_import_reference_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start_date:%d/%m/%Y} {self.title}"


class Tally(models.Model):
    """Person-times (lượt người) of one group, sex and age band at one activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="tallies")
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    sex = models.CharField(_("sex"), max_length=8, choices=TallySex.choices, default=TallySex.UNKNOWN)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    count = models.PositiveIntegerField(_("person-times"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "group", "sex", "age_band"], name="activities_tally_cell"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.group}/{self.sex}/{self.age_band}={self.count}"


class Attendee(TimestampedModel):
    """One person on an activity's roster: a registered person, or a light entry (name, sex, birth year)
    that counts as a distinct person."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("name"), max_length=220, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=TallySex.choices, default=TallySex.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person"],
                condition=Q(person__isnull=False),
                name="activities_attendee_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.person_id or self.name}"


class Material(models.Model):
    """Materials produced or distributed at an activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=12, choices=MaterialKind.choices)
    quantity = models.PositiveIntegerField(_("quantity"))

    def __str__(self) -> str:
        return f"{self.title} × {self.quantity}"


class Club(VersionedModel):
    """A club, team or class of a unit or a school: children's core club, parents' club, Măng non team…

    Active from `founded_on` until `closed_on` (inclusive); a roll-up counts the clubs active on at least
    one day of its period."""

    kind = models.CharField(_("kind"), max_length=20, choices=ClubKind.choices)
    name = models.CharField(_("name"), max_length=300)
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("administrative unit"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        Organisation,
        verbose_name=_("school or organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    founded_on = models.DateField(_("founded on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["kind", "name", "pk"]
        indexes = [models.Index(fields=["province", "kind"], name="activities_club_prov_kind")]

    def __str__(self) -> str:
        return self.name


class ClubMember(TimestampedModel):
    """A member of a club: a registered person, or a light entry (name, sex, birth year). Members are
    counted as persons (người), each once per club, while their membership overlaps the period."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("name"), max_length=220, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=TallySex.choices, default=TallySex.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    role = models.CharField(_("role"), max_length=8, choices=MemberRole.choices, default=MemberRole.CHILD)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["role", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["club", "person"], condition=Q(person__isnull=False), name="activities_member_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.club_id}:{self.person_id or self.name}"


class CareModel(VersionedModel):
    """A care or protection model kept up in a unit over a period (temporary foster care, vocational
    training with jobs, a special class for deaf children…), run by an organisation of the directory."""

    kind = models.CharField(_("kind"), max_length=20, choices=CareModelKind.choices)
    name = models.CharField(_("name"), max_length=300)
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("administrative unit"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("run by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    children_served = models.PositiveIntegerField(_("children served"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["kind", "name", "pk"]

    def __str__(self) -> str:
        return self.name
