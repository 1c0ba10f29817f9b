from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "mangnon.indicators"
    label = "indicators"
