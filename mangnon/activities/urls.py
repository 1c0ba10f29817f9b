"""Activity pages: sessions, courses, forums and their tallies, campaigns (mounted at /activities/)."""

from django.urls import URLPattern

app_name = "activities"
urlpatterns: list[URLPattern] = []
