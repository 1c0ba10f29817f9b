from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "mangnon.cases"
    label = "cases"
