from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "mangnon.registry"
    label = "registry"
