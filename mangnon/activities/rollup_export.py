"""The roll-up page's figures as a file (XLSX or CSV): one line per figure, each saying what it counts.

The same unit and period as the page (the same form, the same default: this year so far at the
viewer's widest current unit) and the same roll-up (`rollups.rollup`). Every line carries its unit of
count in a column of its own: activities, person-times (lượt người: a person who came twice counts
twice), persons (người: each person on the rosters once) or copies of materials, so a figure copied
out of the sheet keeps its meaning. Aggregates only, no names: not audited, as the page is not.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from mangnon.accounts.access import can
from mangnon.accounts.roles import Action
from mangnon.core.export import download
from mangnon.geo.models import AdminUnit

from . import rollups
from .codes import ActivityKind, Group, MaterialKind, TallySex
from .forms import RollupForm
from .views import _units

FORMATS = ("xlsx", "csv")
WIDTHS = (24, 12, 12, 34, 30, 18, 12, 30)


def headings() -> list[str]:
    return [
        _("Unit"),
        _("From"),
        _("To"),
        _("Figure"),
        _("Group or kind"),
        _("Sex"),
        _("Number"),
        _("Counted in"),
    ]


def figure_rows(result: rollups.ActivityRollup, unit: AdminUnit) -> Iterator[list[object]]:
    """The roll-up's figures, one line each, with the unit of count in the last column."""
    activities, person_times, persons, copies = (
        _("activities"),
        _("person-times"),
        _("persons, each once"),
        _("copies"),
    )
    kinds, groups, sexes = dict(ActivityKind.choices), dict(Group.choices), dict(TallySex.choices)

    def line(figure: str, what: str, sex: str, n: int, counted_in: str) -> list[object]:
        return [unit.name, result.start, result.end, figure, what, sex, n, counted_in]

    everything = _("All activities")
    yield line(_("Activities"), everything, "", result.activities, activities)
    yield line(_("Participation"), everything, "", result.person_times, person_times)
    yield line(_("Persons on the rosters"), everything, "", result.unique_persons, persons)
    for code, n in result.activities_by_kind.items():
        yield line(_("Activities"), str(kinds[code]), "", n, activities)
        yield line(_("Participation"), str(kinds[code]), "", result.person_times_by_kind[code], person_times)
    for group in Group.values:
        for sex in TallySex.values:
            n = result.person_times_by_group_sex[group][sex]
            yield line(_("Participation"), str(groups[group]), str(sexes[sex]), n, person_times)
        yield line(
            _("Persons on the rosters"),
            str(groups[group]),
            "",
            result.unique_persons_by_group[group],
            persons,
        )
    for sex in TallySex.values:
        yield line(
            _("Persons on the rosters"), "", str(sexes[sex]), result.unique_persons_by_sex[sex], persons
        )
    for code, label in MaterialKind.choices:
        if result.material_items_by_kind[code]:
            yield line(_("Materials"), str(label), "", result.material_quantity_by_kind[code], copies)


@require_GET
@login_required
def rollup_export(request: HttpRequest, fmt: str) -> StreamingHttpResponse | FileResponse:
    if fmt not in FORMATS:
        raise Http404
    if not can(request.user, Action.ACTIVITY_VIEW):
        raise PermissionDenied
    units = _units(request.user, Action.ACTIVITY_VIEW)
    today = timezone.localdate()
    unit = min(units, key=lambda u: (u.valid_to is not None, len(u.path)), default=None)
    start: date = today.replace(month=1, day=1)
    end: date = today
    if request.GET.get("unit"):
        form = RollupForm(request.GET, units=units)
        if not form.is_valid():
            raise Http404  # the page's links carry a valid form; a hand-made bad one gets nothing
        unit, start, end = form.chosen_unit(), form.cleaned_data["start"], form.cleaned_data["end"]
    if unit is None:
        raise Http404
    result = rollups.rollup(viewer=request.user, unit=unit, start=start, end=end)
    return download(
        fmt=fmt,
        headings=headings(),
        rows=figure_rows(result, unit),
        filename=f"hoat-dong-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}",
        sheet_title=_("Activity figures"),
        widths=WIDTHS,
    )
