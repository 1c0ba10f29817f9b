"""Contacts: every call, visit, letter or message the hotline and the communes receive about a child."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mangnon.core.models import TimestampedModel, VersionedModel
from mangnon.geo.models import AdminUnit
from mangnon.registry.codes import Sex
from mangnon.registry.models import Child, Person

from .codes import CallerRelationship, Channel, ContactKind, NonDataType, Outcome, Urgency
from .taxonomy import CURRENT_VERSION


class Line(TimestampedModel):
    """A hotline the deployment answers: 111 (national) and the provincial lines, configured per
    deployment (Quảng Ninh: 18001769)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    province = models.ForeignKey(
        AdminUnit, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )  # empty: the national line
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Contact(VersionedModel):
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    line = models.ForeignKey(
        Line, verbose_name=_("line"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), db_index=True)
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        related_name="contacts_taken",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    non_data_type = models.CharField(
        _("non-data type"), max_length=20, choices=NonDataType.choices, blank=True
    )
    # The caller. Anonymous callers give nothing; a caller's identity is shown beyond the hotline only
    # with their consent (Decree 56 Mẫu 01: "reporter's details only if they agree").
    caller_anonymous = models.BooleanField(_("anonymous caller"), default=False)
    caller_name = models.CharField(_("caller's name"), max_length=220, blank=True)
    caller_phone = models.CharField(_("caller's phone"), max_length=20, blank=True, db_index=True)
    caller_relationship = models.CharField(
        _("caller's relationship to the child"),
        max_length=20,
        choices=CallerRelationship.choices,
        default=CallerRelationship.UNKNOWN,
    )
    caller_consents_to_identity = models.BooleanField(_("caller agrees to be named"), default=False)
    caller_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    taxonomy_version = models.CharField(max_length=10, default=CURRENT_VERSION)
    # Where it happened; also the commune whose officers the contact concerns (scope).
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("place (commune)"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    place_text = models.CharField(_("place"), max_length=300, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    narrative = models.TextField(_("what was said"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    referred_to = models.ForeignKey(
        AdminUnit,
        verbose_name=_("referred to"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["province", "received_at"], name="intake_contact_prov_recv"),
            models.Index(fields=["admin_unit", "received_at"], name="intake_contact_unit_recv"),
            models.Index(fields=["counsellor", "received_at"], name="intake_contact_couns_recv"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=ContactKind.NON_DATA) & ~Q(non_data_type=""))
                | (Q(kind=ContactKind.DATA) & Q(non_data_type="")),
                name="intake_contact_non_data_type_iff_non_data",
            ),
            models.CheckConstraint(
                condition=Q(caller_anonymous=False) | (Q(caller_name="") & Q(caller_phone="")),
                name="intake_contact_anonymous_has_no_identity",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.received_at:%Y-%m-%d %H:%M}"


class ContactReason(models.Model):
    """One reason code of a contact (intake.taxonomy), stored by code."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="reasons")
    code = models.CharField(max_length=60, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "code"], name="intake_reason_unique")]

    def __str__(self) -> str:
        return self.code


class ContactChild(models.Model):
    """A child a contact is about: linked to the registry, or recorded minimally until identified."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="children")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("name as given"), max_length=220, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    age = models.PositiveSmallIntegerField(_("age (years, as given)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "child"],
                condition=Q(child__isnull=False),
                name="intake_contact_child_unique",
            ),
            models.CheckConstraint(
                condition=Q(child__isnull=False) | ~Q(name="") | Q(age__isnull=False) | ~Q(sex=""),
                name="intake_contact_child_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"child {self.child_id}"
