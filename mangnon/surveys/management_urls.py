"""Filled in by the management pages."""

urlpatterns: list = []
