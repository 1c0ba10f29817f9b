"""Anonymous school surveys: questionnaires written as XLSForms, survey rounds in schools, and answers.

A `Questionnaire` is a form across its versions; each upload of its XLSForm is a `FormVersion` holding
the file as uploaded and its definition (`form.FormDefinition` as JSON, made by `xlsform.import_form`).
Replacing the form adds a version; answers keep the version they answered, so nothing is lost.

A `SurveyRound` asks one questionnaire in a set of schools (`RoundSchool`: the school from the one
organisation directory, the unit it belonged to at the time, its boarding kind and grades) between
two dates. Each school has its own link (`token`), printed as a QR code.

A `Response` is one pupil's answers. It holds nothing that identifies the pupil or the device: no
account, no IP address, no device id, no time of day (a date only: the order and time of answers in
a class could point at a pupil), and a random key instead of a counter for the same reason. Paper
questionnaires typed in by staff name the staff member who typed them, never the pupil.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mangnon.core.models import TimestampedModel, VersionedModel
from mangnon.geo.models import AdminUnit
from mangnon.orgs.codes import Boarding
from mangnon.orgs.models import Organisation


class Questionnaire(VersionedModel):
    title = models.CharField(_("title"), max_length=255)
    # The province whose department runs it: its coordinators manage it, its officers read it.
    province = models.ForeignKey(
        AdminUnit, verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def current(self) -> FormVersion | None:
        return self.versions.order_by("-number").first()


class FormVersion(TimestampedModel):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    # The file as uploaded (XLSForm: .xlsx, .xls, or pyxform's .md/.csv text forms), kept to download.
    source_name = models.CharField(_("file name"), max_length=255)
    source = models.BinaryField(_("file"))
    # The XLSForm's own identity (settings sheet: form_id, version), shown beside ours.
    form_id = models.CharField(_("form id"), max_length=255, blank=True)
    form_version = models.CharField(_("form version"), max_length=100, blank=True)
    # form.FormDefinition.to_json(): what the collection pages, the validation and the results read.
    definition = models.JSONField(_("definition"))
    # What the import noted without refusing (e.g. a free-text question that may draw out a name).
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        ordering = ["questionnaire", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="surveys_form_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.number}"


class SurveyRound(VersionedModel):
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT, related_name="rounds"
    )
    name = models.CharField(_("name"), max_length=255)
    province = models.ForeignKey(
        AdminUnit, verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    # The questions that give a pupil's sex and grade, for the cross-tabs ("" when the form has none).
    sex_question = models.CharField(_("question giving the sex"), max_length=100, blank=True)
    grade_question = models.CharField(_("question giving the grade"), max_length=100, blank=True)
    # What the round feeds into the indicator catalogue: {element code: {"question": name, "values": [..]}}
    # (e.g. surveys.violence_reported ← the answers "yes" to "violence_12m"); see surveys.metrics.
    feeds = models.JSONField(_("figures for the indicators"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="surveys_round_dates"
            )
        ]

    def __str__(self) -> str:
        return self.name


def new_link_token() -> str:
    # 128 bits: a link cannot be guessed, and one school's link says nothing of another's.
    return secrets.token_urlsafe(16)


class RoundSchool(models.Model):
    survey_round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="schools")
    school = models.ForeignKey(
        Organisation, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    # The unit the school belonged to when surveyed (the 2020 round counts by pre-reform district);
    # results by unit and scope use it, so a later reform of the map does not move old answers.
    unit = models.ForeignKey(AdminUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    boarding = models.CharField(_("boarding"), max_length=20, choices=Boarding.choices, blank=True)
    grade_from = models.PositiveSmallIntegerField(_("from grade"), null=True, blank=True)
    grade_to = models.PositiveSmallIntegerField(_("to grade"), null=True, blank=True)
    # Pupils expected to answer, to show how far collection has come (optional).
    expected = models.PositiveIntegerField(_("pupils expected"), null=True, blank=True)
    token = models.CharField(max_length=40, unique=True, default=new_link_token, editable=False)
    active = models.BooleanField(_("link open"), default=True)

    class Meta:
        verbose_name = _("school in a survey round")
        verbose_name_plural = _("schools in a survey round")
        ordering = ["survey_round", "school__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey_round", "school"], name="surveys_round_school_unique")
        ]

    def __str__(self) -> str:
        return str(self.school)


class Channel(models.TextChoices):
    ONLINE = "online", _("Online (school link)")
    PAPER = "paper", _("Paper, typed in by staff")


class Response(models.Model):
    """One pupil's answers. Nothing here may identify the pupil or the device (see the module docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey_round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="responses")
    school = models.ForeignKey(RoundSchool, on_delete=models.PROTECT, related_name="responses")
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="responses")
    # {question name: value}; a select_multiple is a list; a repeat a list of such dicts; questions not
    # relevant to this pupil are absent. Checked against the definition by answers.clean_response.
    answers = models.JSONField()
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    submitted_on = models.DateField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["survey_round", "school"], name="surveys_response_round_school")]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel="paper") | Q(entered_by__isnull=True),
                name="surveys_response_online_anonymous",
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_round} / {self.school}"
