from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "mangnon.geo"
    label = "geo"
