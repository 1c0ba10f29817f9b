"""Entered figures with their history, the approval of each data set's report, and yearly targets.

Values computed from records are never stored: they are computed live (engine.py). What is stored is
what people type: figures other sectors report (EnteredValue, one per element × unit × period, with a
change row for every edit), the state of each report (DataSetReport: open → submitted → approved, which
locks it) and the targets of each unit's plan (Target, with a revision row for every change).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mangnon.core.models import VersionedModel
from mangnon.geo.models import AdminUnit


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Being entered")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved and locked")


class DataSetReport(VersionedModel):
    """One unit's report of one data set for one period: its figures and where it stands."""

    data_set = models.CharField(_("data set"), max_length=32)  # entered.DataSet.code
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("administrative unit"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("period"), max_length=16)  # periods.ReportingPeriod.key: "2020", "2020H1"
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("data set report")
        verbose_name_plural = _("data set reports")
        constraints = [
            models.UniqueConstraint(
                fields=["data_set", "admin_unit", "period"], name="indicators_report_unique"
            )
        ]
        indexes = [models.Index(fields=["province", "data_set", "period"])]

    def __str__(self) -> str:
        return f"{self.data_set} {self.admin_unit_id} {self.period}"


class ReportEventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved and locked")
    UNLOCKED = "unlocked", _("Unlocked")


class DataSetReportEvent(models.Model):
    """A step of a report's approval; returning and unlocking always carry their reason."""

    report = models.ForeignKey(DataSetReport, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("step"), max_length=16, choices=ReportEventKind.choices)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


class EnteredValue(VersionedModel):
    """One entered figure: an element of a data set for a unit and period."""

    report = models.ForeignKey(DataSetReport, on_delete=models.CASCADE, related_name="values")
    element = models.CharField(_("element"), max_length=64)  # entered.Element.code
    # The report's unit, period and province repeated so that sums over a geography read one table.
    admin_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("period"), max_length=16)
    value = models.PositiveBigIntegerField(_("value"), null=True, blank=True)  # None: cleared, history kept
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("entered value")
        verbose_name_plural = _("entered values")
        constraints = [models.UniqueConstraint(fields=["report", "element"], name="indicators_value_unique")]
        indexes = [models.Index(fields=["element", "period", "admin_unit"])]

    def __str__(self) -> str:
        return f"{self.element} {self.admin_unit_id} {self.period} = {self.value}"


class EnteredValueChange(models.Model):
    """The history of an entered figure: each value it had, who typed it and when."""

    value = models.ForeignKey(EnteredValue, on_delete=models.CASCADE, related_name="changes")
    old = models.PositiveBigIntegerField(_("previous value"), null=True, blank=True)
    new = models.PositiveBigIntegerField(
        _("new value"), null=True, blank=True
    )  # None: the figure was cleared
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"


class TargetKind(models.TextChoices):
    LEVEL = "level", _("Reach a value")
    BELOW_PREVIOUS = "below_previous", _("Lower than the year before")
    ABOVE_PREVIOUS = "above_previous", _("Higher than the year before")


class Target(VersionedModel):
    """A unit's target for an indicator in a year (the province's plan, a commune's plan)."""

    indicator = models.CharField(_("indicator"), max_length=16)  # catalogue.Indicator.code
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("administrative unit"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(
        _("kind of target"), max_length=16, choices=TargetKind.choices, default=TargetKind.LEVEL
    )
    value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2, null=True, blank=True)
    source_document = models.CharField(_("plan or decision"), max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "admin_unit", "year"], name="indicators_target_unique"
            )
        ]
        indexes = [models.Index(fields=["province", "year"])]

    def __str__(self) -> str:
        return f"{self.indicator} {self.admin_unit_id} {self.year}"


class TargetRevision(models.Model):
    """Every version a target had, with the reason for changing it."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="revisions")
    kind = models.CharField(max_length=16, choices=TargetKind.choices)
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    source_document = models.CharField(max_length=300, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.value} {self.at:%Y-%m-%d}"
