"""The case record (notes, home visits, conferences, attachments), mounted under /cases/ (config/urls.py)."""

from django.urls import URLPattern

app_name = "case_record"
urlpatterns: list[URLPattern] = []
