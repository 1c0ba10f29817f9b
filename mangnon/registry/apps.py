from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "mangnon.registry"
    label = "registry"

    def ready(self) -> None:
        from . import navigation, timeline  # noqa: F401  (menu entry; the registry's timeline entries)
