from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "mangnon.indicators"
    label = "indicators"

    def ready(self) -> None:
        from . import navigation  # noqa: F401  (menu entry)
