"""Activity pages: sessions, courses, forums and their tallies, campaigns (mounted at /activities/)."""

from django.urls import path

from . import (
    navigation,  # noqa: F401  (the menu entry)
    views,
)

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_record, name="record"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("rollup/", views.rollup_page, name="rollup"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
]
