"""Children's participation: their voices and how they were answered, the children's council (mounted
at /participation/)."""

from django.urls import URLPattern

app_name = "participation"
urlpatterns: list[URLPattern] = []
