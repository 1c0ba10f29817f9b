"""Cases (Decree 56/2017 support and intervention), their steps, deadlines, services and referrals;
incidents with their victims, perpetrators and legal outcomes; the case record (notes, attachments)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mangnon.core.models import TimestampedModel, VersionedModel
from mangnon.geo.models import AdminUnit
from mangnon.intake.models import Contact
from mangnon.orgs.codes import ServiceType
from mangnon.orgs.models import Organisation
from mangnon.registry.codes import Sex
from mangnon.registry.models import Child, Consent, Person

from .codes import (
    DeadlineKind,
    LegalStepKind,
    NoteKind,
    PerpetratorRelationship,
    ReferralStatus,
    ServiceStatus,
    Setting,
)
from .workflow import Form, Rating, Status

User = settings.AUTH_USER_MODEL


class Case(VersionedModel):
    number = models.CharField(_("case number"), max_length=30, unique=True)  # e.g. 22-2026-000123
    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="cases")
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    # The commune responsible (Decree 56: where it happened); scope follows it.
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField(_("information received at"))  # the clock of every deadline
    caseworker = models.ForeignKey(
        User, verbose_name=_("caseworker"), on_delete=models.PROTECT, related_name="cases_assigned",
        null=True, blank=True,
    )  # fmt: skip
    emergency = models.BooleanField(_("emergency measures applied"), default=False)
    # The risk as last rated (Mẫu 02, the emergency step, Mẫu 06): step_forms.risk_after; "" not yet rated.
    risk = models.CharField(_("risk"), max_length=6, choices=Rating.choices, blank=True, default="")
    summary = models.TextField(_("summary"), blank=True)
    # Denormalised from the open Deadline rows so that caseloads sort and filter by one indexed column.
    next_due_at = models.DateTimeField(_("next deadline"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # A commune's cases by status and deadline: scope filters name communes (cases.selectors).
            models.Index(fields=["admin_unit", "status", "next_due_at"], name="cases_case_unit_status_due"),
            models.Index(fields=["province", "status", "next_due_at"], name="cases_case_prov_due"),
            models.Index(fields=["caseworker", "status", "next_due_at"], name="cases_case_worker_due"),
            models.Index(fields=["status", "next_due_at"], name="cases_case_status_due"),
        ]

    def __str__(self) -> str:
        return self.number


class CaseStep(TimestampedModel):
    """One transition of a case: who, when, which form and the form's fields (validated by the step's
    form class in cases.step_forms before they are stored)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(max_length=30)  # workflow.Transition.name, or "open"
    source = models.CharField(max_length=20, choices=Status.choices, blank=True)
    target = models.CharField(max_length=20, choices=Status.choices)
    form = models.CharField(max_length=2, choices=Form.choices, blank=True)
    data = models.JSONField(default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "form"], name="cases_step_case_form")]


class Deadline(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=10, choices=DeadlineKind.choices)
    due_at = models.DateTimeField(_("due at"))
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    # A deadline that no longer applies (the case closed before it, a review date replaced) is kept.
    cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["due_at"], name="cases_deadline_open", condition=Q(met_at__isnull=True))
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.due_at:%Y-%m-%d %H:%M}"


class CaseService(VersionedModel):
    """A service planned for the child and, later, delivered (Decree 56 art. 29)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    service_type = models.CharField(_("service"), max_length=20, choices=ServiceType.choices)
    provider = models.ForeignKey(
        Organisation, verbose_name=_("provider"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    description = models.CharField(_("description"), max_length=500, blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ServiceStatus.choices, default=ServiceStatus.PLANNED
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    cancel_reason = models.TextField(_("why it was cancelled"), blank=True)


class Referral(VersionedModel):
    """A child's case handed to another unit or organisation, which accepts or rejects it. Allowed only
    with a recorded consent, unless an emergency override is recorded with its reason."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="referrals")
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="referrals"
    )
    from_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    to_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reason = models.TextField(_("reason"))
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # A contact's referral: the caller (the child, or a parent) agreed on the line (docs/cases.md).
    caller_consent = models.BooleanField(_("the caller agreed to the referral"), default=False)
    emergency_override = models.BooleanField(_("emergency: referred without consent"), default=False)
    override_reason = models.TextField(_("why consent could not be obtained"), blank=True)
    status = models.CharField(max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    sent_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    responded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    response_note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(contact__isnull=False), name="cases_referral_has_subject"
            ),
            models.CheckConstraint(
                condition=Q(to_unit__isnull=False) | Q(to_org__isnull=False),
                name="cases_referral_has_receiver",
            ),
            models.CheckConstraint(
                condition=Q(consent__isnull=False)
                | (Q(caller_consent=True) & Q(contact__isnull=False))
                | (Q(emergency_override=True) & ~Q(override_reason="")),
                name="cases_referral_consent_or_override",
            ),
        ]
        indexes = [
            models.Index(fields=["to_unit", "status", "sent_at"], name="cases_referral_to_status"),
            models.Index(fields=["from_unit", "sent_at"], name="cases_referral_from_sent"),
        ]


class Incident(VersionedModel):
    """An incident of abuse or violence: the unit the sources count ("26 vụ, 30 trẻ em bị xâm hại")."""

    occurred_on = models.DateField(_("date"))
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    place_text = models.CharField(_("place"), max_length=300, blank=True)
    forms = models.JSONField(_("forms of abuse"), default=list)  # AbuseForm codes
    setting = models.CharField(_("setting"), max_length=12, choices=Setting.choices)
    description = models.TextField(_("description"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["province", "occurred_on"], name="cases_incident_prov_date")]

    def __str__(self) -> str:
        return f"{self.occurred_on:%d/%m/%Y} #{self.pk}"


class IncidentChild(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="victims")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "child"], name="cases_incident_child_unique")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.child_id}"


class Perpetrator(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="perpetrators")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    relationship = models.CharField(
        _("relationship to the child"), max_length=20, choices=PerpetratorRelationship.choices
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_relationship_display()} ({self.incident_id})"


class LegalStep(TimestampedModel):
    """One step of an incident's legal track, against a perpetrator where it concerns one."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="legal_steps")
    perpetrator = models.ForeignKey(
        Perpetrator, on_delete=models.CASCADE, null=True, blank=True, related_name="legal_steps"
    )
    kind = models.CharField(_("step"), max_length=20, choices=LegalStepKind.choices)
    on = models.DateField(_("date"))
    detail = models.CharField(_("detail"), max_length=500, blank=True)  # e.g. the sentence, the fine
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["kind", "on"], name="cases_legal_kind_on")]


class CaseNote(TimestampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=12, choices=NoteKind.choices, default=NoteKind.NOTE)
    on = models.DateField(_("date"))
    text = models.TextField(_("text"))
    participants = models.CharField(_("participants"), max_length=500, blank=True)  # conferences, visits
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")


class Attachment(TimestampedModel):
    """A file in a case record: stored outside the web root (MEDIA_ROOT is never served directly),
    downloaded only through the case's access check."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="cases/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
