from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mangnon.core"
    label = "core"
    verbose_name = "Core"
