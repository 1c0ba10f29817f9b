from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "mangnon.surveys"
    label = "surveys"
