from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "mangnon.demo"
    label = "demo"
