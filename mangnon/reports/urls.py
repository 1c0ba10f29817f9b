"""The documents Măng Non writes: the Decree 56 forms of a case (and, later, the periodic reports)."""

from django.urls import URLPattern

app_name = "reports"
urlpatterns: list[URLPattern] = []
