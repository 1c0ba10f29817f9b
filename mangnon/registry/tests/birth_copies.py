"""The check that every child's copies of its birth (Child.born_on, Child.born_in) equal its person's."""

from __future__ import annotations

from mangnon.registry.models import Child


def children_out_of_step() -> list[int]:
    """The children whose copies differ from their person's date and year of birth."""
    rows = Child.objects.values_list(
        "pk", "born_on", "born_in", "person__date_of_birth", "person__birth_year"
    )
    return [pk for pk, on, year, dob, birth_year in rows if (on, year) != (dob, birth_year)]
