"""Stable codes of programme activities: kinds, participant groups, age bands, materials, funding."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    SESSION = "session", _("direct communication session")
    TALK = "talk", _("talk")
    TRAINING = "training", _("training course")
    FORUM = "forum", _("children's forum")
    CONTEST = "contest", _("contest")
    CAMP = "camp", _("camp")
    CLUB_MEETING = "club_meeting", _("club meeting")
    CAMPAIGN_EVENT = "campaign_event", _("campaign event")
    MEDIA_ITEM = "media_item", _("media item")
    PANEL = "panel", _("panel or poster")
    CONSULTATION = "consultation", _("consultation with children")


class Group(models.TextChoices):
    """Who took part (the groups the sources count)."""

    CHILDREN = "children", _("children")
    PARENTS = "parents_caregivers", _("parents and caregivers")
    OFFICERS = "officers", _("officers")
    TEACHERS = "teachers", _("teachers")
    COLLABORATORS = "collaborators", _("collaborators")
    OTHER = "other", _("others")


class TallySex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")
    UNKNOWN = "unknown", _("sex not recorded")


class AgeBand(models.TextChoices):
    UNDER_6 = "under_6", _("under 6")
    AGE_6_10 = "6_10", _("6 to 10")
    AGE_11_15 = "11_15", _("11 to 15")
    AGE_16_17 = "16_17", _("16 to 17")
    ADULT = "adult", _("adult")
    UNKNOWN = "unknown", _("age not recorded")


class MaterialKind(models.TextChoices):
    LEAFLET = "leaflet", _("leaflet")
    BOOKLET = "booklet", _("booklet")
    HANDBOOK = "handbook", _("handbook")
    PANEL = "panel", _("panel")
    VIDEO = "video", _("video")
    NEWS_ITEM = "news_item", _("news item")
    OTHER = "other", _("other material")


class FundingSource(models.TextChoices):
    STATE_BUDGET = "state_budget", _("state budget")
    CONTRIBUTIONS = "contributions", _("contributions")
    INTERNATIONAL = "international", _("international partner")


class ClubKind(models.TextChoices):
    """Clubs and teams the sources count (seeds 001, 003)."""

    CORE_CHILDREN = "core_children", _("children's core club")
    PARENTS = "parents", _("parents' club")
    PARTICIPATION = "participation", _("children's participation-rights club")
    MANG_NON_TEAM = "mang_non_team", _("Măng non communication team")
    SUMMER_TALENT = "summer_talent", _("summer talent class")
    OTHER = "other", _("other club")


class MemberRole(models.TextChoices):
    CHILD = "child", _("child member")
    ADULT = "adult", _("adult member or adviser")


class CareModelKind(models.TextChoices):
    """Care and protection models a province keeps up (seed 003)."""

    FOSTER_CARE = "foster_care", _("temporary foster care")
    VOCATIONAL = "vocational", _("vocational training with jobs")
    INJURY_PREVENTION = "injury_prevention", _("injury prevention")
    AUTISM_THERAPY = "autism_therapy", _("psychotherapy for autistic children")
    DEAF_CLASS = "deaf_class", _("special class for deaf children")
    AUTISM_FAMILY_CLUB = "autism_family_club", _("autism family club")
    FRIENDLY_CLUB = "friendly_club", _("“Thân thiện” club")
    EARLY_CHILDHOOD = "early_childhood", _("early childhood development")
    OTHER = "other", _("other model")
