"""The one organisation directory: schools, service providers and facilities that cases, activities
and surveys all point at (DESIGN.md: one source of truth for each thing)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mangnon.core.models import VersionedModel
from mangnon.geo.models import AdminUnit

from .codes import Boarding, OrgKind, SchoolLevel


class Organisation(VersionedModel):
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    # Name, short name and code without diacritics, case-folded (core.text.normalize_name): people type
    # "thcs ha khanh" for "Trường THCS Hà Khánh". Kept by the services; the directory sorts on it too.
    search_key = models.CharField(max_length=400, blank=True, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=OrgKind.choices, db_index=True)
    # Official code where one exists (a school's code from the education department, a facility's licence).
    code = models.CharField(_("code"), max_length=50, blank=True)
    # Where it is. A provincial body sits at the province; a school or health station at its commune.
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("administrative unit"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # Service types (orgs.codes.ServiceType values) this organisation delivers.
    services = models.JSONField(_("services offered"), default=list, blank=True)
    school_level = models.CharField(_("school level"), max_length=20, choices=SchoolLevel.choices, blank=True)
    boarding = models.CharField(_("boarding"), max_length=20, choices=Boarding.choices, blank=True)
    active = models.BooleanField(_("in operation"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["province", "kind", "active"], name="orgs_org_province_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"], condition=~Q(code=""), name="orgs_org_kind_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind=OrgKind.SCHOOL) | (Q(school_level="") & Q(boarding="")),
                name="orgs_org_school_fields_only_for_schools",
            ),
        ]

    def __str__(self) -> str:
        return self.name
