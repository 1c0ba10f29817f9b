"""Stable codes of case work: deadlines, services, referrals, incidents and the legal track."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeadlineKind(models.TextChoices):
    SAFETY = "safety", _("Safety assessment and emergency measures (12 hours)")
    PLAN = "plan", _("Support and intervention plan (5 working days)")
    REVIEW = "review", _("Review of the plan")


class ServiceStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class AbuseForm(models.TextChoices):
    PHYSICAL = "physical", _("Physical violence")
    SEXUAL = "sexual", _("Sexual abuse")
    EMOTIONAL = "emotional", _("Emotional abuse")
    NEGLECT = "neglect", _("Neglect")
    EXPLOITATION = "exploitation", _("Labour or economic exploitation")
    TRAFFICKING = "trafficking", _("Trafficking")
    ONLINE = "online", _("Online abuse")
    OTHER = "other", _("Other")


class Setting(models.TextChoices):
    FAMILY = "family", _("Family")
    SCHOOL = "school", _("School")
    COMMUNITY = "community", _("Community")
    ONLINE = "online", _("Online")
    FACILITY = "facility", _("Care facility")


class PerpetratorRelationship(models.TextChoices):
    PARENT = "parent", _("Parent")
    STEP_PARENT = "step_parent", _("Step-parent")
    RELATIVE = "relative", _("Relative")
    TEACHER = "teacher", _("Teacher or school staff")
    ACQUAINTANCE = "acquaintance", _("Acquaintance or neighbour")
    PEER = "peer", _("Another child")
    STRANGER = "stranger", _("Stranger")
    UNKNOWN = "unknown", _("Unknown")


class LegalStepKind(models.TextChoices):
    """The legal track of an incident, in the order the sources count it."""

    REPORTED = "reported", _("Reported to the police")
    INVESTIGATED = "investigated", _("Investigated")
    CRIMINAL_CASE = "criminal_case", _("Criminal case opened")
    ACCUSED = "accused", _("Prosecuted (accused)")
    TRIED = "tried", _("Tried")
    SENTENCED = "sentenced", _("Sentenced")
    ADMINISTRATIVE = "administrative", _("Administrative sanction")
    DISMISSED = "dismissed", _("No further action")


class NoteKind(models.TextChoices):
    NOTE = "note", _("Note")
    HOME_VISIT = "home_visit", _("Home visit")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CONFERENCE = "conference", _("Case conference")
