from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "mangnon.intake"
    label = "intake"
