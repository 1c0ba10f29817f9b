from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "mangnon.intake"
    label = "intake"

    def ready(self) -> None:
        from . import navigation  # noqa: F401  (menu entries)
