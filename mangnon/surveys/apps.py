from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "mangnon.surveys"
    label = "surveys"

    def ready(self) -> None:
        from . import navigation  # noqa: F401  (menu entry)
