"""Coded reference lists of the registry. Codes are stable keys; labels may be reworded freely."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class SpecialGroup(models.TextChoices):
    """Law on Children 2016, art. 10: the 14 groups of children in special circumstances (letter = code)."""

    A = "a", _("orphaned of both parents")
    B = "b", _("abandoned")
    C = "c", _("with no one to depend on")
    D = "d", _("with disabilities")
    DD = "đ", _("living with HIV/AIDS")
    E = "e", _("in conflict with the law")
    G = "g", _("addicted to drugs")
    H = "h", _("left school to earn a living before completing lower-secondary education")
    I = "i", _("seriously harmed physically and mentally by violence")  # noqa: E741 - the law's letter
    K = "k", _("exploited")
    L = "l", _("sexually abused")
    M = "m", _("trafficked")
    N = "n", _("with a serious or long-term illness, in a poor or near-poor household")
    O = "o", _("migrant, asylum-seeking or refugee, parents unknown or no carer")  # noqa: E741


# Facts that only case-working roles may see, each view audited (Law 91/2025: health, sexual life and
# crime data are sensitive): HIV, conflict with the law, drug use, sexual abuse.
SENSITIVE_GROUPS = frozenset({SpecialGroup.DD, SpecialGroup.E, SpecialGroup.G, SpecialGroup.L})


class RiskType(models.TextChoices):
    """Children at risk of falling into special circumstances (Decree 56/2017, art. 3-5, abridged)."""

    FAMILY_VIOLENCE = "family_violence", _("lives in a family with violence")
    ABUSE_RISK = "abuse_risk", _("at risk of abuse or sexual abuse")
    NEGLECT = "neglect", _("neglected or without adequate care")
    PARENTS_ADDICTED = "parents_addicted", _("parent or carer uses drugs")
    PARENTS_PRISON = "parents_prison", _("parent or carer in prison or under administrative measures")
    PARENTS_DIVORCED = "parents_divorced", _("parents divorced or separated, or one parent died")
    CHILD_LABOUR = "child_labour", _("works or at risk of child labour")
    OUT_OF_SCHOOL = "out_of_school", _("out of school or at risk of dropping out")
    POOR_HOUSEHOLD = "poor_household", _("poor household with other difficulties")
    MIGRANT = "migrant", _("migrant or left behind by migrating parents")
    ONLINE = "online", _("at risk online")
    EARLY_MARRIAGE = "early_marriage", _("at risk of child marriage")
    OTHER = "other", _("other risk")


SENSITIVE_RISKS = frozenset({RiskType.ABUSE_RISK, RiskType.PARENTS_ADDICTED, RiskType.PARENTS_PRISON})


class Relationship(models.TextChoices):
    FATHER = "father", _("father")
    MOTHER = "mother", _("mother")
    STEPFATHER = "stepfather", _("stepfather")
    STEPMOTHER = "stepmother", _("stepmother")
    GRANDPARENT = "grandparent", _("grandparent")
    SIBLING = "sibling", _("sibling")
    AUNT_UNCLE = "aunt_uncle", _("aunt or uncle")
    OTHER_RELATIVE = "other_relative", _("other relative")
    GUARDIAN = "guardian", _("legal guardian")
    FOSTER = "foster", _("foster carer")
    OTHER = "other", _("other")


class HouseholdPoverty(models.TextChoices):
    POOR = "poor", _("poor")
    NEAR_POOR = "near_poor", _("near-poor")
    NONE = "none", _("neither")


class ConsentPurpose(models.TextChoices):
    REGISTRATION = "registration", _("recording and processing the child's data")
    CASE_WORK = "case_work", _("case management and support")
    SHARING = "sharing", _("sharing with service providers")
    MEDIA = "media", _("photos and media")


class CircumstanceSource(models.TextChoices):
    COMMUNE_REVIEW = "commune_review", _("commune review")
    HOTLINE = "hotline", _("hotline report")
    CASE = "case", _("case management")
    SCHOOL = "school", _("school")
    HEALTH = "health", _("health facility")
    POLICE = "police", _("police")
    FAMILY = "family", _("family or community")
    IMPORT = "import", _("imported list")


class ChildStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    AGED_OUT = "aged_out", _("aged out (16 or older)")
    MERGED = "merged", _("merged into another record")
    DECEASED = "deceased", _("deceased")


# The 54 ethnic groups with the General Statistics Office's codes (Quyết định 121-TCTK/PPCĐ).
ETHNICITIES: tuple[tuple[str, str], ...] = (
    ("01", "Kinh"), ("02", "Tày"), ("03", "Thái"), ("04", "Hoa"), ("05", "Khơ-me"), ("06", "Mường"),
    ("07", "Nùng"), ("08", "Hmông"), ("09", "Dao"), ("10", "Gia-rai"), ("11", "Ngái"), ("12", "Ê-đê"),
    ("13", "Ba-na"), ("14", "Xơ-đăng"), ("15", "Sán Chay"), ("16", "Cơ-ho"), ("17", "Chăm"),
    ("18", "Sán Dìu"), ("19", "Hrê"), ("20", "Mnông"), ("21", "Ra-glai"), ("22", "Xtiêng"),
    ("23", "Bru-Vân Kiều"), ("24", "Thổ"), ("25", "Giáy"), ("26", "Cơ-tu"), ("27", "Gié-Triêng"),
    ("28", "Mạ"), ("29", "Khơ-mú"), ("30", "Co"), ("31", "Ta-ôi"), ("32", "Chơ-ro"), ("33", "Kháng"),
    ("34", "Xinh-mun"), ("35", "Hà Nhì"), ("36", "Chu-ru"), ("37", "Lào"), ("38", "La Chí"),
    ("39", "La Ha"), ("40", "Phù Lá"), ("41", "La Hủ"), ("42", "Lự"), ("43", "Lô Lô"), ("44", "Chứt"),
    ("45", "Mảng"), ("46", "Pà Thẻn"), ("47", "Cơ Lao"), ("48", "Cống"), ("49", "Bố Y"), ("50", "Si La"),
    ("51", "Pu Péo"), ("52", "Brâu"), ("53", "Ơ-đu"), ("54", "Rơ-măm"),
)  # fmt: skip
