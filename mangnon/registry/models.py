"""The children registry: persons, children, households, caregivers, consent, circumstances and risks.

Every row that holds personal data carries the admin unit that scopes it (`admin_unit`, the commune)
and its province, so access is one filter and the tables can be split by province later. Name fields
are stored in parts (họ, tên đệm, tên) with their normalised forms for search without diacritics and an
ICU sort key for Vietnamese order (by tên, then họ, then tên đệm).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mangnon.core.models import TimestampedModel, VersionedModel
from mangnon.geo.models import AdminUnit

from .codes import (
    ETHNICITIES,
    ChildStatus,
    CircumstanceSource,
    ConsentPurpose,
    HouseholdPoverty,
    Relationship,
    RiskType,
    Sex,
    SpecialGroup,
)

# PostgreSQL's default collation would reorder the hex ICU keys; "C" compares bytes. SQLite compares
# bytes already, so the collation is set only where the database has it (see migration 0001).
SORT_KEY_COLLATION = "C"


class Person(VersionedModel):
    """Any human the system records: a child, parent, caregiver, reporter or perpetrator."""

    ho = models.CharField(_("family name"), max_length=60, blank=True)
    ten_dem = models.CharField(_("middle name"), max_length=100, blank=True)
    ten = models.CharField(_("given name"), max_length=60)
    full_name = models.CharField(_("full name"), max_length=220)
    # Normalised (no diacritics, đ→d, case-folded) forms for search and matching.
    name_key = models.CharField(max_length=220, db_index=True)
    ten_key = models.CharField(max_length=60, db_index=True)
    ho_key = models.CharField(max_length=60, blank=True)
    sort_key = models.CharField(max_length=600, db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True, db_index=True)
    birth_year_estimated = models.BooleanField(_("year of birth is an estimate"), default=False)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=ETHNICITIES, blank=True)
    id_number = models.CharField(_("personal ID number"), max_length=12, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="registry_person_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=False)
                | Q(birth_year__isnull=False)
                | Q(birth_year_estimated=False),
                name="registry_person_estimate_has_year",
            ),
        ]
        # The blocking branches of duplicate matching (registry.matching), each a range scan of one index.
        indexes = [
            models.Index(fields=["ten_key", "ho_key", "birth_year"], name="registry_person_ten_ho_year"),
            models.Index(
                fields=["admin_unit", "ten_key", "birth_year"], name="registry_person_unit_ten_year"
            ),
            models.Index(
                fields=["admin_unit", "ho_key", "sex", "birth_year"], name="registry_person_unit_ho_sex_yr"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        adding = self._state.adding
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if not adding and (update_fields is None or {"date_of_birth", "birth_year"} & set(update_fields)):
            # A new person has no child row yet (Child.save copies the birth then).
            Child.objects.filter(pk=self.pk).update(born_on=self.date_of_birth, born_in=self.birth_year)


class Household(VersionedModel):
    code = models.CharField(_("household number"), max_length=30, blank=True)
    head = models.ForeignKey(
        Person,
        verbose_name=_("head of household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="headed_households",
    )
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.code or f"#{self.pk}"


class HouseholdMember(TimestampedModel):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="household_memberships")
    relationship_to_head = models.CharField(
        _("relationship to the head"), max_length=20, choices=Relationship.choices, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "person"], name="registry_household_member_unique")
        ]


class HouseholdStatus(TimestampedModel):
    """Poor / near-poor status of a household in a year (it is reviewed every year)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="statuses")
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=HouseholdPoverty.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="registry_household_status_unique")
        ]


class Child(VersionedModel):
    """A person under 16 known to a commune. Kept after 16 as aged out; never deleted."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, primary_key=True, related_name="child")
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+", db_index=True
    )
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ChildStatus.choices, default=ChildStatus.ACTIVE, db_index=True
    )
    aged_out_on = models.DateField(_("aged out on"), null=True, blank=True)
    # A merged record stays resolvable: its id leads to the record it was merged into.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    # Copies of the person's date and year of birth, so that the children counted on a day are read from
    # this table alone (selectors.counted_children; a join to every person was most of a province's
    # indicators, bench/README.md "Indicators"). Person.save and Child.save keep them in step; a bulk
    # load sets them with copy_birth.
    born_on = models.DateField(null=True, blank=True, editable=False)
    born_in = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        indexes = [models.Index(fields=["admin_unit", "status"], name="registry_child_unit_status")]

    def __str__(self) -> str:
        return self.person.full_name

    def copy_birth(self) -> Child:
        """Takes the person's date and year of birth (for a child built for bulk_create, which skips save)."""
        self.born_on, self.born_in = self.person.date_of_birth, self.person.birth_year
        return self

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A whole-row save could otherwise write back copies read before the person was edited.
        if kwargs.get("update_fields") is None:
            self.copy_birth()
        super().save(*args, **kwargs)


class Caregiver(TimestampedModel):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="caregivers")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cares_for")
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    is_primary = models.BooleanField(_("primary caregiver"), default=False)
    lives_with_child = models.BooleanField(_("lives with the child"), default=True)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child", "person", "relationship"], name="registry_caregiver_unique"
            )
        ]


class Consent(TimestampedModel):
    """Consent to process a child's data (Law 91/2025): the guardian's, and the child's own from age 7."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    given_by = models.ForeignKey(
        Person,
        verbose_name=_("given by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents_given",
    )
    given_by_child = models.BooleanField(_("the child agreed too"), default=False)
    given_on = models.DateField(_("given on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)


class SpecialCircumstance(TimestampedModel):
    """Membership of one of the 14 groups, for a time: a child may be in several groups at once."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="circumstances")
    group = models.CharField(_("group"), max_length=2, choices=SpecialGroup.choices, db_index=True)
    sub_group = models.CharField(_("sub-group"), max_length=100, blank=True)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=CircumstanceSource.choices, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="registry_circumstance_dates_ordered",
            )
        ]
        indexes = [models.Index(fields=["group", "start_date", "end_date"], name="registry_circ_group_dates")]


class RiskFlag(TimestampedModel):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="risk_flags")
    risk_type = models.CharField(_("risk"), max_length=20, choices=RiskType.choices, db_index=True)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=CircumstanceSource.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="registry_risk_dates_ordered",
            )
        ]


class RegistrationDecision(TimestampedModel):
    """What the officer decided after the duplicate check: a new child, or a link to an existing one."""

    class Decision(models.TextChoices):
        NEW = "new", _("confirmed as a new child")
        LINKED = "linked", _("linked to an existing child")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="registration_decisions")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    candidates = models.JSONField(default=list)  # [{"id", "score", "level", "reasons"}] as shown
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )


class ImportJob(TimestampedModel):
    """An uploaded spreadsheet: validated (dry run), then imported in the background.

    `kind` says what it lists: children (this app's import), activities or disbursements (the imports
    of activities.importing and support.importing, which share the job, its problems and its pages'
    progress bar)."""

    class Kind(models.TextChoices):
        CHILDREN = "children", _("children")
        ACTIVITIES = "activities", _("activities")
        DISBURSEMENTS = "disbursements", _("disbursements")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", _("all rows or none")
        VALID_ONLY = "valid_only", _("only the valid rows")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded")
        VALIDATING = "validating", _("checking")
        VALIDATED = "validated", _("checked, waiting for confirmation")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CHILDREN)
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(_("file"), max_length=255)
    stored_path = models.CharField(max_length=500)  # under MANGNON_UPLOAD_DIR, outside the web root
    sha256 = models.CharField(max_length=64, db_index=True)
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.ALL_OR_NOTHING)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    existing_count = models.PositiveIntegerField(default=0)  # rows already in the registry: added nothing
    error_count = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class ImportProblem(models.Model):
    """One problem of one row, for the per-row report: a code and its values, worded when read."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField()  # the spreadsheet's row number, as the officer sees it
    column = models.CharField(max_length=100, blank=True)  # the file's heading (Vietnamese, as in the file)
    code = models.CharField(max_length=50)  # a key of import_problems.WORDS
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["row", "id"]

    def __str__(self) -> str:
        return f"{self.row}: {self.message}"

    @property
    def message(self) -> str:
        """The problem in the active language (the officer's, not the worker's that found it)."""
        from .import_problems import render  # it words problems from the rules of services, which use models

        return render(self.code, self.params)
