"""The cases of a child on the child's timeline in the registry (for viewers who may read them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.access import scope_for
from mangnon.accounts.roles import Action
from mangnon.registry import timeline
from mangnon.registry.models import Child
from mangnon.registry.selectors import ChildFacts

from .models import Case


def _case_entries(viewer: Any, child: Child, facts: ChildFacts) -> Iterable[timeline.TimelineEntry]:
    visible = scope_for(viewer, Action.CASE_VIEW).q("admin_unit")
    for case in Case.objects.filter(visible, child=child).order_by("received_at", "pk"):
        url = reverse("cases:detail", args=[case.pk])
        yield timeline.TimelineEntry(
            timezone.localtime(case.received_at).date(),
            "case_opened",
            _("Case %(number)s opened") % {"number": case.number},
            url,
        )
        if case.closed_at is not None:
            yield timeline.TimelineEntry(
                timezone.localtime(case.closed_at).date(),
                "case_closed",
                _("Case %(number)s closed") % {"number": case.number},
                url,
            )


timeline.register("cases", _case_entries)
