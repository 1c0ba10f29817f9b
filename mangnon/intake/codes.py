"""Stable codes of contacts (hotline and other channels). Labels may change; codes never do."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("In person")
    SCHOOL = "school", _("School")
    POLICE = "police", _("Police")
    LETTER = "letter", _("Letter or petition")
    ONLINE = "online", _("Online (Zalo, app, social media)")
    COLLABORATOR = "collaborator", _("Collaborator")


class ContactKind(models.TextChoices):
    """Child Helpline International: a data contact carries content; a non-data contact does not."""

    DATA = "data", _("Data contact")
    NON_DATA = "non_data", _("Non-data contact")


class NonDataType(models.TextChoices):
    SILENT = "silent", _("Silent")
    HANG_UP = "hang_up", _("Hang-up")
    ABUSIVE = "abusive", _("Abusive")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    THANKS = "thanks", _("Thanks")
    TEST = "test", _("Testing the line")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Possible emergency")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class Outcome(models.TextChoices):
    INFORMATION = "information", _("Information given")
    COUNSELLING = "counselling", _("Counselling")
    REFERRED = "referred", _("Referred to a commune")
    CASE_OPENED = "case_opened", _("Case opened")


class CallerRelationship(models.TextChoices):
    CHILD = "child", _("The child")
    PARENT = "parent", _("Parent")
    RELATIVE = "relative", _("Relative")
    NEIGHBOUR = "neighbour", _("Neighbour")
    TEACHER = "teacher", _("Teacher")
    OFFICIAL = "official", _("Official")
    FRIEND = "friend", _("Friend")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not given")
