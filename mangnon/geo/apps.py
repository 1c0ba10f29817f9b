from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "mangnon.geo"
    label = "geo"

    def ready(self) -> None:
        from . import navigation  # noqa: F401  (menu entry)
