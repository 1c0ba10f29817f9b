from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mangnon.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Signal receivers (login audit) and menu entries register themselves on import.
        from . import audit_views, navigation, signals  # noqa: F401
