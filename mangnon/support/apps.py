from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "mangnon.support"
    label = "support"
