from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "mangnon.participation"
    label = "participation"
