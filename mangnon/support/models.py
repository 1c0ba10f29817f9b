"""Support for children: benefit programmes and what they paid, gift campaigns, alternative care.

Every row that names a child or a place carries `admin_unit` (where it happened, in the geography of its
date) and `province` (DESIGN.md: personal data carries its province). Amounts are whole đồng.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mangnon.core.models import TimestampedModel, VersionedModel
from mangnon.geo.models import AdminUnit
from mangnon.orgs.models import Organisation
from mangnon.registry.models import Child

from .codes import CareKind, GiftOccasion, ProgrammeKind


class Programme(VersionedModel):
    """A benefit programme of a province (e.g. NQ 222/2015/NQ-HĐND), set by the province."""

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=255)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ProgrammeKind.choices)
    # SpecialGroup codes (registry.codes); empty: any registered child may be supported.
    eligible_groups = models.JSONField(_("eligible groups"), default=list, blank=True)
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    active_from = models.DateField(_("active from"))
    active_to = models.DateField(_("active until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["province", "code"], name="support_programme_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def is_active_on(self, day: date) -> bool:
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)


class Disbursement(VersionedModel):
    """One payment of a programme to a registered child."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="disbursements")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    paid_on = models.DateField(_("paid on"))
    approver = models.CharField(_("approved by"), max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The paying unit's own number for an imported payment: with the unit, what makes re-importing a
    # list add nothing (support.importing). Empty for payments entered on the form.
    import_reference = models.CharField(_("reference"), max_length=60, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="support_disbursement_amount_gt0"),
            models.UniqueConstraint(
                fields=["admin_unit", "import_reference"],
                condition=~Q(import_reference=""),
                name="support_disb_import_reference_once",
            ),
        ]
        indexes = [
            models.Index(fields=["province", "paid_on"], name="support_disb_prov_date"),
            # The roll-up's sums of a unit's payments over a period, read from the index alone
            # (activities.rollup_* benchmarks, bench/README.md).
            models.Index(
                fields=["admin_unit", "paid_on", "programme", "child", "amount"],
                name="support_disb_unit_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.child_id} {self.paid_on:%d/%m/%Y}"


class GiftCampaign(VersionedModel):
    """Gifts for an occasion in a province (Tết thiếu nhi, Trung thu…), counted on the day it was held."""

    name = models.CharField(_("name"), max_length=255)
    occasion = models.CharField(_("occasion"), max_length=20, choices=GiftOccasion.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    held_on = models.DateField(_("held on"))
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.name} {self.year}"


class GiftTally(VersionedModel):
    """What a unit reported for a campaign as figures (child-times, not named children)."""

    campaign = models.ForeignKey(GiftCampaign, on_delete=models.CASCADE, related_name="tallies")
    admin_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    children_reached = models.PositiveIntegerField(_("child-times reached"))
    children_visited_given_gifts = models.PositiveIntegerField(_("child-times visited and given gifts"))
    total_value = models.PositiveBigIntegerField(_("total value (đồng)"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "admin_unit"], name="support_gift_tally_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}@{self.admin_unit_id}"


class GiftRecipient(TimestampedModel):
    """A named child given a gift in a campaign (at most once per campaign)."""

    campaign = models.ForeignKey(GiftCampaign, on_delete=models.CASCADE, related_name="recipients")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    admin_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveBigIntegerField(_("value (đồng)"))
    visited = models.BooleanField(_("visited"), default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "child"], name="support_gift_recipient_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.child_id}"


class AlternativeCare(VersionedModel):
    """A placement of a child in alternative care (foster family, kinship, facility)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=30, choices=CareKind.choices)
    facility = models.ForeignKey(
        Organisation,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    admin_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="support_care_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.kind} {self.start:%d/%m/%Y}"


class CareReview(TimestampedModel):
    placement = models.ForeignKey(AlternativeCare, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    note = models.CharField(_("note"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.placement_id} {self.reviewed_on:%d/%m/%Y}"
