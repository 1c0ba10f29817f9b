from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "mangnon.orgs"
    label = "orgs"

    def ready(self) -> None:
        from . import navigation  # noqa: F401  (menu entry)
