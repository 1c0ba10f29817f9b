"""`mangnon cases notify [--now]`: the deadline notifications, for server administrators and timers.

Without `--now` the command only enqueues the task (cases.tasks.notify_deadlines) for the task worker
(`mangnon db_worker`) and returns at once; a systemd timer or cron entry runs it every 15 minutes.
`--now` runs the same work in this process and prints what it did. Output is English, like the other
operator commands.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from mangnon.cases import notify
from mangnon.cases.tasks import notify_deadlines


class Command(BaseCommand):
    help = "Case work: notify caseworkers and supervisors of overdue and due-soon deadlines."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        run = sub.add_parser(
            "notify",
            help="Enqueue the deadline notifications for the task worker (run it every 15 minutes).",
        )
        run.add_argument("--now", action="store_true", help="Run them here and now instead of enqueuing.")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            getattr(self, f"_{options['subcommand']}")(options)

    def _notify(self, options: dict[str, Any]) -> None:
        if options["now"]:
            result = notify.notify_deadlines()
            self.stdout.write(
                f"{result.cases} open cases overdue or due within 24 hours; "
                f"{result.notifications} new notifications."
            )
            return
        queued = notify_deadlines.enqueue()
        self.stdout.write(f"Deadline notifications enqueued (task result {queued.id}).")
