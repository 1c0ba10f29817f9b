"""Stable codes of the organisation directory (never labels as keys)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    SOCIAL_WORK_CENTRE = "social_work_centre", _("Social-work centre")
    PROTECTION_FACILITY = "protection_facility", _("Social protection facility")
    SHELTER = "shelter", _("Shelter")
    HOSPITAL = "hospital", _("Hospital")
    HEALTH_STATION = "health_station", _("Commune health station")
    POLICE = "police", _("Police")
    LEGAL_AID = "legal_aid", _("Legal aid centre")
    COURT = "court", _("Court or procuracy")
    SCHOOL = "school", _("School")
    PEOPLES_COMMITTEE = "peoples_committee", _("People's Committee")
    DEPARTMENT = "department", _("Department or agency")
    MASS_ORGANISATION = "mass_organisation", _("Mass organisation (women's union, youth union…)")
    NGO = "ngo", _("Non-governmental organisation")
    OTHER = "other", _("Other")


# The kinds that deliver services to a child in a case (Decree 56 art. 29) and may receive referrals.
PROVIDER_KINDS = frozenset(
    {
        OrgKind.SOCIAL_WORK_CENTRE,
        OrgKind.PROTECTION_FACILITY,
        OrgKind.SHELTER,
        OrgKind.HOSPITAL,
        OrgKind.HEALTH_STATION,
        OrgKind.POLICE,
        OrgKind.LEGAL_AID,
        OrgKind.COURT,
        OrgKind.SCHOOL,
        OrgKind.PEOPLES_COMMITTEE,
        OrgKind.MASS_ORGANISATION,
        OrgKind.NGO,
    }
)


class ServiceType(models.TextChoices):
    """Services a child may be given under a support and intervention plan (Decree 56 art. 29)."""

    MEDICAL = "medical", _("Medical care")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    SAFE_SHELTER = "safe_shelter", _("Safe shelter")
    ALTERNATIVE_CARE = "alternative_care", _("Alternative care")
    EDUCATION = "education", _("Education")
    VOCATIONAL = "vocational", _("Vocational training")
    FINANCIAL = "financial", _("Financial support")
    OTHER = "other", _("Other")


class SchoolLevel(models.TextChoices):
    PRESCHOOL = "preschool", _("Pre-school")
    PRIMARY = "primary", _("Primary school")
    LOWER_SECONDARY = "lower_secondary", _("Lower-secondary school")
    UPPER_SECONDARY = "upper_secondary", _("Upper-secondary school")
    MULTI_LEVEL = "multi_level", _("Multi-level school")
    CONTINUING = "continuing", _("Continuing-education centre")


class Boarding(models.TextChoices):
    """Boarding arrangements of a school (the 2020 survey sampled boarding and semi-boarding schools)."""

    NONE = "", _("Day school")
    BOARDING = "boarding", _("Boarding (dân tộc nội trú)")
    SEMI_BOARDING = "semi_boarding", _("Semi-boarding (bán trú)")
