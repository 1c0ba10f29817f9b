from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mangnon.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import (
            calendar_views,  # noqa: F401 - the calendar page registers its menu entry on import
            metrics,
            notifications,
            rollups,
        )

        # Every app's figures, declared in its own metrics.py; all models are loaded by now.
        metrics.autodiscover()
        # The notification kinds each app words, declared in its own notify.py.
        notifications.autodiscover()
        # The roll-up sections of programme work, declared in each app's rollups.py.
        rollups.autodiscover()
