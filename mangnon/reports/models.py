"""Periodic reports: the 6-month, annual and multi-year reports of a unit, written from its records.

A report holds the figures it was written from (`figures`, a JSON snapshot made by `figures.collect`)
and its sections, each with the text generated from those figures and the text the officer made of it.
While a draft, the figures can be gathered again; a finalised report never changes (its snapshot is
what every output prints), and a new version starts as a copy of it. The files (DOCX, XLSX, PDF) are
rendered in the background from the snapshot and the sections (`ReportFile`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mangnon.core.models import TimestampedModel, VersionedModel
from mangnon.geo.models import AdminUnit


class ReportKind(models.TextChoices):
    HALF_YEAR = "half_year", _("6-month report")
    ANNUAL = "annual", _("Annual report")
    PHASE = "phase", _("Multi-year report")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Finalised")


class SectionKey(models.TextChoices):
    """The sections of the sources' reports, in their order."""

    COMMUNICATION = "communication", _("Communication and awareness")
    TRAINING = "training", _("Training")
    PARTICIPATION = "participation", _("Children's participation")
    SUPPORT = "support", _("Support and care")
    PROTECTION = "protection", _("Protection and case work")
    RESULTS = "results", _("Results against targets")
    DIFFICULTIES = "difficulties", _("Difficulties and limitations")
    TASKS = "tasks", _("Tasks ahead")


# The sections written from the figures; the others are the officer's judgement, left to write.
DATA_SECTIONS = (
    SectionKey.COMMUNICATION,
    SectionKey.TRAINING,
    SectionKey.PARTICIPATION,
    SectionKey.SUPPORT,
    SectionKey.PROTECTION,
    SectionKey.RESULTS,
)


class Report(VersionedModel):
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True
    )
    # Marked for publication: small counts of children and their complements are suppressed in every
    # output (core.disclosure), as on the dashboards.
    publish = models.BooleanField(_("for publication"), default=False)
    title = models.CharField(_("title"), max_length=300)
    number = models.CharField(_("number and symbol"), max_length=60, blank=True)  # "125/BC-UBND"
    place = models.CharField(_("place"), max_length=100, blank=True)  # of the date line: "Quảng Ninh"
    issued_on = models.DateField(_("dated"), null=True, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=100, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=100, blank=True)
    recipients = models.TextField(_("recipients"), blank=True)  # one per line
    figures = models.JSONField(_("figures"), default=dict)
    figures_at = models.DateTimeField(_("figures gathered at"), null=True, blank=True)
    # The report this one was made from ("a new version"); `revision` counts from 1.
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="later_versions"
    )
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["admin_unit", "period_start"], name="reports_report_unit_start")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_final(self) -> bool:
        return self.status == ReportStatus.FINAL


class ReportSection(TimestampedModel):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=20, choices=SectionKey.choices)
    position = models.PositiveSmallIntegerField()
    # What the figures say (written again when the figures are gathered again) and what the report
    # says: the generated text until the officer edits it.
    generated = models.TextField(blank=True)
    text = models.TextField(_("text"), blank=True)
    edited = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["report", "key"], name="reports_section_unique")]


class FileFormat(models.TextChoices):
    DOCX = "docx", "DOCX"
    XLSX = "xlsx", "XLSX"
    PDF = "pdf", "PDF"


class FileStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportFile(TimestampedModel):
    """One rendering of a report in one format, for the report as it stood (`report_version`)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    fmt = models.CharField(max_length=4, choices=FileFormat.choices)
    report_version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=FileStatus.choices, default=FileStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    content = models.BinaryField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["report", "fmt", "report_version"], name="reports_file_lookup")]
