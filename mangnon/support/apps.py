from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "mangnon.support"
    label = "support"

    def ready(self) -> None:
        # The registry counts children "assisted" through a hook, never importing this app.
        from mangnon.registry.selectors import set_assisted_counter

        from .selectors import assisted_count

        set_assisted_counter(assisted_count)
