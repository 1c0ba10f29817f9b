"""Stable codes of support: programme kinds, gift occasions, kinds of alternative care."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgrammeKind(models.TextChoices):
    STUDY = "study", _("study support")
    HEALTH_CARE = "health_care", _("health care support")
    MONTHLY_ALLOWANCE = "monthly_allowance", _("monthly allowance")
    AD_HOC = "ad_hoc", _("ad hoc support")


class GiftOccasion(models.TextChoices):
    TET_THIEU_NHI = "tet_thieu_nhi", _("International Children's Day (1 June)")
    TRUNG_THU = "trung_thu", _("Mid-Autumn Festival")
    TET_NGUYEN_DAN = "tet_nguyen_dan", _("Lunar New Year")
    OTHER = "other", _("other occasion")


class CareKind(models.TextChoices):
    TEMPORARY_FOSTER_FAMILY = "temporary_foster_family", _("temporary foster family")
    KINSHIP = "kinship", _("kinship care")
    FACILITY = "facility", _("care facility")
