"""Every write of the organisation directory. Each service runs in one transaction with its audit event.

An organisation is kept by whoever holds ORG_MANAGE at its unit: a commune officer for the schools and
posts of their commune, a province officer for the whole province. Bad input raises a ValidationError
whose messages say what to fix, and nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.core import audit, idempotency
from mangnon.core.models import AuditAction
from mangnon.core.text import normalize_name
from mangnon.geo.models import AdminUnit, Level

from .access import province_id_of
from .codes import Boarding, OrgKind, SchoolLevel, ServiceType
from .models import Organisation

IDEMPOTENCY_SCOPE = "orgs.organisation.create"
# A directory entry sits at a unit that exists today: the province (provincial bodies) or a commune.
PLACEABLE_LEVELS = (Level.PROVINCE, Level.COMMUNE, Level.SPECIAL_ZONE)
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 .\-]{2,18}$")
_SERVICE_ORDER = {code: n for n, code in enumerate(ServiceType.values)}


class Conflict(Exception):
    """The organisation changed since the caller read it (stale `version`); nothing was written."""

    def __init__(self, current_version: int) -> None:
        super().__init__("conflict")
        self.current_version = current_version


@dataclass
class OrganisationData:
    name: str
    kind: str
    admin_unit: AdminUnit | None
    short_name: str = ""
    code: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    services: Sequence[str] = field(default_factory=tuple)
    school_level: str = ""
    boarding: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Creation:
    organisation: Organisation
    created: bool  # False: a retried request with the same idempotency key


FIELDS = tuple(f.name for f in fields(OrganisationData))
UPDATABLE = frozenset({*FIELDS, "active"})


def search_key(name: str, short_name: str = "", code: str = "") -> str:
    return normalize_name(f"{name} {short_name} {code}")


def clean(data: OrganisationData, *, exclude_pk: int | None = None) -> dict[str, Any]:
    """Check and normalise an organisation's fields; raise ValidationError naming every problem."""
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    name = " ".join((data.name or "").split())
    if not name:
        err("name", _("Enter the organisation's name."))
    elif len(name) > 255:
        err("name", _("The name is too long (255 characters at most)."))
    short_name = " ".join((data.short_name or "").split())
    if len(short_name) > 100:
        err("short_name", _("The short name is too long (100 characters at most)."))
    if data.kind not in OrgKind.values:
        err("kind", _("Choose the kind of organisation."))
    unit = data.admin_unit
    if unit is None:
        err("admin_unit", _("Choose where the organisation is: the province or a commune."))
    elif unit.level not in PLACEABLE_LEVELS or not unit.is_valid_on(timezone.localdate()):
        err("admin_unit", _("The place must be the province or a commune that exists today."))
    code = (data.code or "").strip()
    if len(code) > 50:
        err("code", _("The code is too long (50 characters at most)."))
    elif code and data.kind in OrgKind.values:
        taken = Organisation.objects.filter(kind=data.kind, code=code)
        if exclude_pk is not None:
            taken = taken.exclude(pk=exclude_pk)
        if taken.exists():
            err("code", _("Another organisation of this kind has this code."))
    phone = " ".join((data.phone or "").split())
    if phone and not _PHONE_RE.match(phone):
        err("phone", _("Enter a phone number in digits (spaces, dots and a leading + are allowed)."))
    email = (data.email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            err("email", _("Enter a valid e-mail address."))
    services = list(dict.fromkeys(data.services or ()))
    if any(s not in ServiceType.values for s in services):
        err("services", _("Unknown service type."))
    school_level, boarding = data.school_level or "", data.boarding or ""
    if data.kind != OrgKind.SCHOOL and (school_level or boarding):
        err("school_level", _("Only a school has a school level and boarding arrangements."))
    if school_level and school_level not in SchoolLevel.values:
        err("school_level", _("Unknown school level."))
    if boarding not in Boarding.values:
        err("boarding", _("Unknown boarding arrangement."))
    if errors or unit is None:
        raise ValidationError(errors)
    return {
        "name": name,
        "short_name": short_name,
        "search_key": search_key(name, short_name, code),
        "kind": data.kind,
        "code": code,
        "admin_unit": unit,
        "province_id": province_id_of(unit),
        "address": " ".join((data.address or "").split()),
        "phone": phone,
        "email": email,
        "services": sorted(services, key=_SERVICE_ORDER.__getitem__),
        "school_level": school_level,
        "boarding": boarding,
        "notes": (data.notes or "").strip(),
    }


def _require(actor: Any, unit: AdminUnit) -> None:
    if not scope_for(actor, Action.ORG_MANAGE).contains(unit):
        raise PermissionDenied


def _snapshot(organisation: Organisation) -> dict[str, Any]:
    out = {name: getattr(organisation, name) for name in FIELDS if name != "admin_unit"}
    out["admin_unit"] = organisation.admin_unit.code
    out["active"] = organisation.active
    return out


def organisation_create(
    *, actor: Any, data: OrganisationData, idempotency_key: str = "", request_hash: str = ""
) -> Creation:
    """Add an organisation to the directory at a unit where the actor holds ORG_MANAGE.

    With `idempotency_key`, a retried call returns the organisation the first one made.
    """
    cleaned = clean(data)
    _require(actor, cleaned["admin_unit"])

    def create() -> Organisation:
        organisation = Organisation.objects.create(**cleaned, created_by=actor)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=organisation,
            unit=organisation.admin_unit,
            changes=_snapshot(organisation),
        )
        return organisation

    organisation, created = idempotency.create_once(
        actor=actor,
        scope=IDEMPOTENCY_SCOPE,
        key=idempotency_key,
        request_hash=request_hash,
        create=create,
        load=lambda pk: Organisation.objects.get(pk=pk),
    )
    return Creation(organisation, created=created)


def _data_of(organisation: Organisation) -> OrganisationData:
    values = {name: getattr(organisation, name) for name in FIELDS}
    return OrganisationData(**{**values, "services": tuple(organisation.services or ())})


def organisation_update(
    *, actor: Any, organisation: Organisation, version: int, changes: Mapping[str, Any]
) -> Organisation:
    """Change an organisation if `version` is still current (else Conflict); the diff is audited.

    Moving it to another unit needs ORG_MANAGE at both. `active` is one of the fields (the API's PATCH
    sets it either way; the pages deactivate through organisation_deactivate).
    """
    _require(actor, organisation.admin_unit)
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    before = _snapshot(organisation)
    data = replace(_data_of(organisation), **{k: v for k, v in changes.items() if k != "active"})
    cleaned = clean(data, exclude_pk=organisation.pk)
    if cleaned["admin_unit"].pk != organisation.admin_unit_id:
        _require(actor, cleaned["admin_unit"])
    if "active" in changes:
        cleaned["active"] = bool(changes["active"])
    with transaction.atomic():
        bumped = Organisation.objects.filter(pk=organisation.pk, version=version).update(
            **cleaned, version=F("version") + 1, updated_at=timezone.now()
        )
        if not bumped:
            raise Conflict(Organisation.objects.values_list("version", flat=True).get(pk=organisation.pk))
        organisation.refresh_from_db()
        changed = audit.diff(before, _snapshot(organisation))
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=organisation,
            unit=organisation.admin_unit,
            changes=changed,
        )
    return organisation


def organisation_deactivate(*, actor: Any, organisation: Organisation, version: int) -> Organisation:
    """Take an organisation out of the directory's lists (it closed or merged); records that point at it
    keep it, and it can be set active again."""
    if not organisation.active:
        _require(actor, organisation.admin_unit)
        raise ValidationError({"active": [_("This organisation is inactive already.")]})
    return organisation_update(
        actor=actor, organisation=organisation, version=version, changes={"active": False}
    )
