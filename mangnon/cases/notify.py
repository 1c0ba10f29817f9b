"""Deadline notifications: who is told that a case's next deadline is overdue or due soon, and the words.

`notify_deadlines(now)` (run by the task in cases.tasks every 15 minutes) looks at every open case whose
next deadline has passed or falls within DUE_SOON (24 hours) and notifies

- its caseworker, and
- the supervisors of its commune: users with CASE_SUPERVISE whose scope covers the case's unit,

each only while their CASE_VIEW scope covers the case's unit (a caseworker who has moved on is not
told), so nobody outside the case's scope is ever notified, and every link leads to a page the
recipient may open. One notification per (case, deadline, state): the key names the deadline row and
"overdue" or "due_soon", so a run in the same hour sends nothing new, a deadline that was due soon is
announced once more when it passes, and a new deadline (the next step's) starts afresh.

The work is set-based: cases are read in batches by primary key, with their open deadlines and the
memberships of the people concerned in a few queries per batch; scopes are computed once per distinct
set of membership units, and recipients once per admin unit. Nothing is done per case per user in the
database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mangnon.accounts.access import EMPTY_SCOPE, Scope, scope_of_units
from mangnon.accounts.models import Membership
from mangnon.accounts.roles import Action, roles_allowed
from mangnon.core.calendar import VN_TZ
from mangnon.core.formatting import vi_datetime
from mangnon.core.notifications import Kind, Message, notifications_send, register
from mangnon.geo.models import AdminUnit

from . import referral_notify  # noqa: F401  (its kinds: core discovers `notify` modules only)
from .codes import DeadlineKind
from .models import Case, Deadline
from .selectors import DUE_SOON, due_soon_q, overdue_q

CASE_OVERDUE = "case_overdue"
CASE_DUE_SOON = "case_due_soon"
BATCH = 500  # cases per round of queries


# --- wording (at display time, in the reader's language) ----------------------------------------------


def _words(params: Any) -> dict[str, str]:
    try:
        deadline = str(DeadlineKind(params["deadline"]).label)
    except ValueError:
        deadline = str(params["deadline"])
    due = datetime.fromisoformat(params["due_at"]).astimezone(VN_TZ)
    return {"number": str(params["number"]), "deadline": deadline, "due": vi_datetime(due)}


def _overdue(params: Any) -> str:
    return _("Overdue: case %(number)s — %(deadline)s, due %(due)s") % _words(params)


def _due_soon(params: Any) -> str:
    return _("Due soon: case %(number)s — %(deadline)s, due %(due)s") % _words(params)


register(Kind(CASE_OVERDUE, "cases", _overdue))
register(Kind(CASE_DUE_SOON, "cases", _due_soon))


# --- who may be told -----------------------------------------------------------------------------------


class _Scopes:
    """Users' scopes for one action on one day, from their memberships (one query per call of `load`),
    each distinct set of units worked out once."""

    def __init__(self, action: Action, day: date, by_units: dict[frozenset[int], Scope]) -> None:
        self.action = action
        self.day = day
        self.of_user: dict[int, Scope] = {}
        self._by_units = by_units  # shared: a set of units covers the same whatever the role

    def load(self, users: Q) -> None:
        memberships = (
            Membership.objects.active(self.day)
            .filter(users, role__in=sorted(roles_allowed(self.action)), user__is_active=True)
            .select_related("admin_unit")
        )
        units: dict[int, dict[int, AdminUnit]] = defaultdict(dict)
        for m in memberships:
            units[m.user_id][m.admin_unit_id] = m.admin_unit
        for user_id, held in units.items():
            key = frozenset(held)
            if key not in self._by_units:
                self._by_units[key] = scope_of_units(list(held.values()))
            self.of_user[user_id] = self._by_units[key]


@dataclass(frozen=True)
class NotifyResult:
    cases: int  # open cases overdue or due soon
    notifications: int  # notifications created by this run


def _first_open_deadlines(case_ids: list[int]) -> dict[int, tuple[int, str, datetime]]:
    """Each case's earliest open deadline: case id -> (deadline id, kind, due at)."""
    rows = (
        Deadline.objects.filter(case_id__in=case_ids, met_at__isnull=True, cancelled=False)
        .order_by("case_id", "due_at", "pk")
        .values_list("case_id", "pk", "kind", "due_at")
    )
    first: dict[int, tuple[int, str, datetime]] = {}
    for case_id, pk, kind, due_at in rows:
        first.setdefault(case_id, (pk, kind, due_at))
    return first


def notify_deadlines(now: datetime | None = None) -> NotifyResult:
    """Notify the caseworker and supervisors of every open case whose next deadline is overdue or due
    within DUE_SOON at `now`; idempotent (see the module's docstring)."""
    moment = now or timezone.now()
    day = timezone.localdate(moment)
    due = overdue_q(moment) | due_soon_q(moment)

    by_units: dict[frozenset[int], Scope] = {}
    supervisors = _Scopes(Action.CASE_SUPERVISE, day, by_units)
    supervisors.load(Q())
    viewers = _Scopes(Action.CASE_VIEW, day, by_units)  # caseworkers, loaded as their cases come up
    units: dict[int, AdminUnit] = {}
    told_in_unit: dict[int, list[int]] = {}  # unit id -> the supervisors whose scope covers it

    seen = created = 0
    last = 0
    while True:
        batch = list(
            Case.objects.filter(due, pk__gt=last)
            .order_by("pk")
            .values_list("pk", "number", "admin_unit_id", "caseworker_id")[:BATCH]
        )
        if not batch:
            break
        last = batch[-1][0]
        seen += len(batch)

        new_units = {unit_id for _, _, unit_id, _ in batch} - units.keys()
        if new_units:
            units.update(AdminUnit.objects.in_bulk(sorted(new_units)))
        new_workers = {w for *_, w in batch if w is not None} - viewers.of_user.keys()
        if new_workers:
            viewers.load(Q(user_id__in=sorted(new_workers)))
            for w in new_workers:
                viewers.of_user.setdefault(w, EMPTY_SCOPE)  # no membership today: told nothing
        deadlines = _first_open_deadlines([pk for pk, *_ in batch])

        messages: list[Message] = []
        for pk, number, unit_id, worker in batch:
            found = deadlines.get(pk)
            if found is None:
                continue
            deadline_id, kind, due_at = found
            if due_at >= moment + DUE_SOON:
                continue  # the case's next_due_at was behind its deadlines; its own step corrects it
            unit = units[unit_id]
            if unit_id not in told_in_unit:
                told_in_unit[unit_id] = sorted(
                    u for u, scope in supervisors.of_user.items() if scope.contains(unit)
                )
            recipients = set(told_in_unit[unit_id])
            if worker is not None and viewers.of_user[worker].contains(unit):
                recipients.add(worker)
            messages.extend(_messages(recipients, pk, number, deadline_id, kind, due_at, moment))
        created += len(notifications_send(messages))
    return NotifyResult(cases=seen, notifications=created)


def _messages(
    recipients: Iterable[int],
    case_id: int,
    number: str,
    deadline_id: int,
    kind: str,
    due_at: datetime,
    now: datetime,
) -> list[Message]:
    overdue = due_at < now
    params = {"case": case_id, "number": number, "deadline": kind, "due_at": due_at.isoformat()}
    link = reverse("cases:detail", args=[case_id])
    state = "overdue" if overdue else "due_soon"
    key = f"cases.deadline:{deadline_id}:{state}"
    code = CASE_OVERDUE if overdue else CASE_DUE_SOON
    return [Message(r, code, params, link, key) for r in sorted(recipients)]
