from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mangnon.accounts"
    label = "accounts"
