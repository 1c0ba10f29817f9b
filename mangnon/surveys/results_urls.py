"""Filled in by the results pages."""

urlpatterns: list = []
