from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "mangnon.orgs"
    label = "orgs"
