"""Support pages: programmes, disbursements, gifts, alternative care (mounted at /support/)."""

from django.urls import path

from . import (
    navigation,  # noqa: F401  (the menu entry)
    views,
)

app_name = "support"
urlpatterns = [
    path("", views.disbursement_list, name="list"),
    path("new/", views.disbursement_record, name="record"),
    path("programmes/", views.programme_list, name="programmes"),
]
