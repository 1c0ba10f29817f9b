"""The pupils' pages: a school's link (/s/<token>/), no account."""

from django.urls import path

from . import public_views

app_name = "survey_public"

urlpatterns = [
    path("<str:token>/", public_views.start, name="start"),
    path("<str:token>/form/", public_views.page, name="page"),
    path("<str:token>/done/", public_views.done, name="done"),
]
