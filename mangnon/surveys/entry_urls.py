"""The paper entry pages: staff type in paper questionnaires (SURVEY_ENTER)."""

from django.urls import path

from . import entry_views

urlpatterns = [
    path("rounds/<int:pk>/enter/", entry_views.enter, name="enter"),
]
