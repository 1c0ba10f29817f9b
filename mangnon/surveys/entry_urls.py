"""Filled in by the entry pages."""

urlpatterns: list = []
