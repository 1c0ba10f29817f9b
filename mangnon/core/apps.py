from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mangnon.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # The calendar page registers its menu entry on import.
        from . import calendar_views  # noqa: F401
