"""Referral pages, mounted at /cases/referrals/ (config/urls.py)."""

from django.urls import URLPattern

app_name = "referrals"
urlpatterns: list[URLPattern] = []
