"""Reads for printing a case's Decree 56 forms (Mẫu 01-06): which forms the case has filled in, the
steps that filled them, and the child's carers.

The caller has loaded the case through `access.get_case_for_user`, so these take the case, not a viewer.
The reports app prints from them; cases never imports reports.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Case, CaseStep
from .workflow import Form

PRINTABLE = (Form.M01, Form.M02, Form.M03, Form.M04, Form.M05, Form.M06)


def forms_filled(case: Case) -> list[str]:
    """The codes ("01".."06") of the forms some step of the case filled in, in the decree's order."""
    found = set(case.steps.exclude(form="").values_list("form", flat=True).distinct())
    return [f.value for f in PRINTABLE if f.value in found]


def form_steps(case: Case) -> list[CaseStep]:
    """Every step of the case that filled in a form, oldest first, with who took it (one query)."""
    return list(case.steps.exclude(form="").select_related("actor").order_by("at", "pk"))


def latest_step(steps: list[CaseStep], form: str, *, before: CaseStep | None = None) -> CaseStep | None:
    """The most recent of `steps` (as `form_steps` gives them) that filled in `form`; with `before`, the
    most recent one taken before that step (the plan a decision approved, the decision a review
    followed)."""
    found = None
    for step in steps:
        if before is not None and (step.at, step.pk) >= (before.at, before.pk):
            break
        if step.form == form:
            found = step
    return found


@dataclass(frozen=True)
class Carer:
    full_name: str
    relationship: str  # a registry.codes.Relationship code
    birth_year: int | None
    is_primary: bool


def child_carers(case: Case) -> list[Carer]:
    """The child's current carers from the registry, the primary carer first."""
    rows = (
        case.child.caregivers.select_related("person")
        .filter(end_date__isnull=True)
        .order_by("-is_primary", "pk")
    )
    return [Carer(r.person.full_name, r.relationship, r.person.birth_year, r.is_primary) for r in rows]
