"""Children's participation: their voices (aspirations and recommendations) and how each was forwarded and
answered, and the children's council with its members and meetings.

No child's name is ever stored with a voice (only an age band and, optionally, sex). Council members who
are children are kept by first name and age band only (minimal personal data). Every row sits at the
unit where it belongs (in the geography of its date) and carries its province.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mangnon.activities.models import Activity
from mangnon.core.models import TimestampedModel, VersionedModel
from mangnon.geo.models import AdminUnit
from mangnon.orgs.models import Organisation


class Topic(models.TextChoices):
    PROTECTION = "protection", _("Protection from violence and abuse")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    PLAY = "play", _("Play and recreation")
    FAMILY = "family", _("Family")
    SAFETY = "safety", _("Environment and safety")
    PARTICIPATION = "participation", _("Participation")
    OTHER = "other", _("Other")


class AgeBand(models.TextChoices):
    UNDER_11 = "under_11", _("Under 11")
    AGE_11_15 = "11_15", _("11–15")
    AGE_16_17 = "16_17", _("16–17")
    UNKNOWN = "unknown", _("Unknown")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class VoiceStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    FORWARDED = "forwarded", _("Forwarded")
    ANSWERED = "answered", _("Answered")
    RESOLVED = "resolved", _("Resolved")


class MemberRole(models.TextChoices):
    CHILD = "child", _("Child member")
    ADVISER = "adviser", _("Adviser")


class CouncilMeeting(TimestampedModel):
    """A meeting of the children's council of a unit (the province's or a commune's)."""

    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("administrative unit"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("held on"))
    minutes = models.TextField(_("minutes"), blank=True)
    members_present = models.PositiveIntegerField(_("members present"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["province", "held_on"])]

    def __str__(self) -> str:
        return f"{self.admin_unit} {self.held_on}"


class CouncilMember(TimestampedModel):
    """A member of a unit's children's council: a child (first name and age band only) or an adult adviser."""

    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("administrative unit"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True)
    from_date = models.DateField(_("from"))
    to_date = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ["role", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class ChildVoice(VersionedModel):
    """A child's aspiration or recommendation, from where it was raised to its answer. No name."""

    text = models.TextField(_("text"))
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    age_band = models.CharField(
        _("age band"), max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("administrative unit"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    raised_on = models.DateField(_("raised on"))
    source_activity = models.ForeignKey(
        Activity,
        verbose_name=_("consultation activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    meeting = models.ForeignKey(
        CouncilMeeting,
        verbose_name=_("council meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voices",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=VoiceStatus.choices, default=VoiceStatus.RECEIVED, db_index=True
    )
    forwarded_to = models.CharField(_("forwarded to"), max_length=300, blank=True)
    forwarded_to_org = models.ForeignKey(
        Organisation,
        verbose_name=_("forwarded to organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    forwarded_on = models.DateField(_("forwarded on"), null=True, blank=True)
    due_on = models.DateField(_("answer due on"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-raised_on", "-pk"]
        indexes = [
            models.Index(fields=["province", "raised_on"]),
            models.Index(fields=["status", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} {self.raised_on}"
