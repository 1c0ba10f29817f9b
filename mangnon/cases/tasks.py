"""Background tasks of case work (django-tasks, database backend): the deadline notifications.

Tasks only translate: `notify_deadlines` owns the rules (cases.notify). `mangnon cases notify` enqueues
the task; a systemd timer or cron entry runs that every 15 minutes (docs/operations.md).
"""

from __future__ import annotations

from datetime import datetime

from django_tasks import task

from . import notify


@task()
def notify_deadlines(now: str | None = None) -> dict[str, int]:
    """Run the deadline notifications at `now` (an ISO 8601 time with its offset; default: the moment
    the worker runs it). Returns the counts, which the task's result keeps."""
    result = notify.notify_deadlines(datetime.fromisoformat(now) if now else None)
    return {"cases": result.cases, "notifications": result.notifications}
