from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "mangnon.reports"
    label = "reports"
