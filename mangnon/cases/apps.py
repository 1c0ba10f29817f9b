from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "mangnon.cases"
    label = "cases"

    def ready(self) -> None:
        from . import navigation, timeline  # noqa: F401  (menu entries; the child's timeline entries)
