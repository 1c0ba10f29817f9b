"""The staff pages of surveys, under /surveys/ (the pupils' pages are public_urls, under /s/)."""

from django.urls import include, path

app_name = "surveys"

urlpatterns = [
    path("", include("mangnon.surveys.management_urls")),
    path("", include("mangnon.surveys.entry_urls")),
    path("", include("mangnon.surveys.results_urls")),
]
