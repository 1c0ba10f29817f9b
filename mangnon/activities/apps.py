from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "mangnon.activities"
    label = "activities"
