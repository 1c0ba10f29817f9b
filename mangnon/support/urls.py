"""Support pages: programmes, disbursements, gifts, alternative care (mounted at /support/)."""

from django.urls import URLPattern

app_name = "support"
urlpatterns: list[URLPattern] = []
