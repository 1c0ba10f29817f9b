"""Who may read and write periodic reports.

The officers of a unit (REPORT_WRITE there) write its reports and read their drafts; the unit's
leadership and chairperson (REPORT_READ) read the finalised ones. A report outside the reader's scope,
or a draft to a reader who may not write it, is 404: its existence is not revealed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from mangnon.accounts.access import check_at_unit, pk_or_404, scope_for
from mangnon.accounts.roles import Action
from mangnon.geo.models import AdminUnit

from .models import Report, ReportStatus


def reports_for(viewer: Any) -> QuerySet[Report]:
    """The reports `viewer` may read: finalised ones in their reading scope, drafts in their writing one."""
    readable = scope_for(viewer, Action.REPORT_READ)
    writable = scope_for(viewer, Action.REPORT_WRITE)
    return Report.objects.filter(
        (readable.q("admin_unit") & Q(status=ReportStatus.FINAL)) | writable.q("admin_unit")
    ).select_related("admin_unit")


def get_report_for_user(user: Any, pk: Any) -> Report:
    report = reports_for(user).filter(pk=pk_or_404(pk)).first()
    if report is None:
        raise Http404
    return report


def check_write(user: Any, unit: AdminUnit) -> None:
    """Http404 outside the user's reading scope, PermissionDenied where they read but may not write."""
    check_at_unit(user, unit, Action.REPORT_READ, Action.REPORT_WRITE)


def can_write(user: Any, report: Report) -> bool:
    return scope_for(user, Action.REPORT_WRITE).contains(report.admin_unit)
