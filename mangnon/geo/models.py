"""Administrative units in both geographies, with validity dates and the 2025 crosswalk.

Codes are the official GSO codes. The 1 July 2025 reform reused many commune codes for new units, so a
code alone is not an identity: a unit is a code *and* a validity period. A province whose territory did
not change (Quảng Ninh) is one row valid across the reform; its pre-reform districts end on 30/6/2025
and its new communes begin on 1/7/2025.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

REFORM_DATE = date(2025, 7, 1)  # NQ 1679/NQ-UBTVQH15 and its siblings: two-level local government
LAST_PRE_REFORM_DAY = date(2025, 6, 30)


class Level(models.TextChoices):
    PROVINCE = "province", _("province")
    DISTRICT = "district", _("district")
    COMMUNE = "commune", _("commune")
    SPECIAL_ZONE = "special_zone", _("special zone")


class UnitType(models.TextChoices):
    TINH = "tinh", "tỉnh"
    THANH_PHO = "thanh_pho", "thành phố"
    QUAN = "quan", "quận"
    HUYEN = "huyen", "huyện"
    THI_XA = "thi_xa", "thị xã"
    XA = "xa", "xã"
    PHUONG = "phuong", "phường"
    THI_TRAN = "thi_tran", "thị trấn"
    DAC_KHU = "dac_khu", "đặc khu"


class AdminUnitQuerySet(models.QuerySet["AdminUnit"]):
    def valid_on(self, day: date) -> AdminUnitQuerySet:
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class AdminUnit(models.Model):
    code = models.CharField(_("code"), max_length=10, db_index=True)
    name = models.CharField(_("name"), max_length=200)  # full official name: "Phường Hạ Long"
    short_name = models.CharField(_("short name"), max_length=200)  # "Hạ Long"
    name_key = models.CharField(max_length=200, db_index=True)  # normalised, for search without diacritics
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, db_index=True)
    unit_type = models.CharField(_("type"), max_length=16, choices=UnitType.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of ids ("/12/345/6789/"): descendants are one indexed prefix query.
    path = models.CharField(max_length=255, db_index=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)  # None: since before our records
    valid_to = models.DateField(_("valid to"), null=True, blank=True)  # None: still valid

    objects = AdminUnitQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_from__isnull=True), name="geo_unit_code_unique_legacy"
            ),
            models.UniqueConstraint(
                fields=["code", "valid_from"],
                condition=Q(valid_from__isnull=False),
                name="geo_unit_code_from_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    @property
    def is_pre_reform(self) -> bool:
        return self.valid_to is not None and self.valid_to < REFORM_DATE


class UnitCrosswalk(models.Model):
    """A pre-reform unit went (wholly or in part) into a current unit."""

    old_unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="successor_links")
    new_unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="predecessor_links")
    # When an old commune was divided, the default successor is the one its records move to by default.
    is_default = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("crosswalk link")
        verbose_name_plural = _("crosswalk links")
        constraints = [models.UniqueConstraint(fields=["old_unit", "new_unit"], name="geo_crosswalk_unique")]

    def __str__(self) -> str:
        return f"{self.old_unit} → {self.new_unit}"
