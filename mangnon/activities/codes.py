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
