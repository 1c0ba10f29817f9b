"""Reasons for contact: a coded, versioned tree (Child Helpline International's framework, as used by
open helpline software). Contacts store codes, never labels, with the version they were coded under,
so labels can be reworded and a later version can add or retire codes without rewriting old contacts.

A code's parent is its prefix before the last dot. A retired code stays here (with `retired_in`) so
contacts coded with it keep a label; new contacts cannot use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CURRENT_VERSION = "2026.1"


@dataclass(frozen=True)
class Reason:
    code: str
    label: str | Promise
    since: str = "2026.1"
    retired_in: str = ""

    @property
    def parent(self) -> str:
        return self.code.rpartition(".")[0]

    @property
    def depth(self) -> int:
        return self.code.count(".")


REASONS: tuple[Reason, ...] = (
    Reason("violence", _("Violence and abuse")),
    Reason("violence.physical", _("Physical violence")),
    Reason("violence.sexual", _("Sexual abuse")),
    Reason("violence.emotional", _("Emotional abuse")),
    Reason("violence.neglect", _("Neglect")),
    Reason("violence.bullying", _("Bullying")),
    Reason("violence.child_marriage", _("Child marriage")),
    Reason("violence.child_labour", _("Child labour")),
    Reason("violence.commercial_sexual", _("Commercial sexual exploitation")),
    Reason("violence.online_sexual", _("Online sexual abuse")),
    Reason("violence.trafficking", _("Trafficking")),
    Reason("violence.other", _("Other or unspecified violence")),
    Reason("mental_health", _("Mental health")),
    Reason("mental_health.self_harm", _("Self-harm or suicidal thoughts")),
    Reason("mental_health.stress", _("Stress, anxiety or sadness")),
    Reason("mental_health.other", _("Other mental health")),
    Reason("physical_health", _("Physical health")),
    Reason("physical_health.injury", _("Injury or accident")),
    Reason("physical_health.sexual_reproductive", _("Sexual and reproductive health")),
    Reason("physical_health.other", _("Other physical health")),
    Reason("family", _("Family relationships")),
    Reason("family.conflict", _("Conflict with parents")),
    Reason("family.divorce", _("Parents' separation or divorce")),
    Reason("family.custody", _("Custody")),
    Reason("family.other", _("Other family matter")),
    Reason("peers", _("Peer relationships")),
    Reason("education", _("Education")),
    Reason("education.dropout", _("Dropping out of school")),
    Reason("education.other", _("Other education matter")),
    Reason("legal", _("Legal matters")),
    Reason("legal.birth_registration", _("Birth registration")),
    Reason("legal.nationality", _("Nationality")),
    Reason("legal.conflict_with_law", _("Child in conflict with the law")),
    Reason("legal.other", _("Other legal matter")),
    Reason("discrimination", _("Discrimination")),
    Reason("missing", _("Missing child")),
    Reason("sexuality", _("Sexuality")),
    Reason("information", _("Information about services")),
    Reason("other", _("Other or unspecified")),
)

_BY_CODE = {r.code: r for r in REASONS}


def get(code: str) -> Reason | None:
    return _BY_CODE.get(code)


def label(code: str) -> str:
    """The label of a stored code; an unknown code is shown as itself rather than hidden."""
    reason = _BY_CODE.get(code)
    return str(reason.label) if reason else code


def selectable(version: str = CURRENT_VERSION) -> Iterator[Reason]:
    """The codes a new contact may be coded with under `version`, in tree order."""
    for reason in REASONS:
        if reason.since <= version and not (reason.retired_in and reason.retired_in <= version):
            yield reason


def is_selectable(code: str, version: str = CURRENT_VERSION) -> bool:
    return any(r.code == code for r in selectable(version))


def ancestors(code: str) -> list[str]:
    """`violence.sexual` -> [`violence`]: counts by top-level reason roll codes up this way."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]
