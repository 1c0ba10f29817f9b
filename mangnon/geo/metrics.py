"""Geography's one figure (DESIGN.md §2): how many communes a unit has, the denominator of every
"share of communes" indicator. Found at start-up by `core.metrics.autodiscover()`.

Geography is public reference data (selectors.py) that every role reads, so, like the selectors, the
figure takes no scope of its own: the reader that asks for it (an indicator) has checked the unit.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from mangnon.core.metrics import Figure, Period, data_element

from .models import AdminUnit, Level
from .selectors import in_geography_q

COMMUNE_LEVELS = (Level.COMMUNE, Level.SPECIAL_ZONE)  # a special zone (đặc khu) is commune-level


@data_element("geo.communes", name=_("Communes (commune-level units)"), owner="geo")
def communes(*, unit: AdminUnit, period: Period, viewer: Any, by: tuple[str, ...]) -> Figure:
    """The commune-level units in `unit`'s geography on the period's last day: for a pre-reform unit
    its communes of that day; for a current unit in a year before the reform, the communes that were
    merged into it (in_geography_q)."""
    units = AdminUnit.objects.valid_on(period.end).filter(in_geography_q(unit, ""), level__in=COMMUNE_LEVELS)
    return Figure(total=units.count())
