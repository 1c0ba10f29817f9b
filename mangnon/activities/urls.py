"""Activity pages: sessions, courses, forums and their tallies, campaigns (mounted at /activities/)."""

from django.urls import path

from . import (
    calendar_views,
    club_views,
    import_views,
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
    path("calendar/", calendar_views.calendar, name="calendar"),
    path("clubs/", club_views.club_list, name="clubs"),
    path("clubs/<int:pk>/", club_views.club_detail, name="club"),
    path("care-models/", club_views.care_model_list, name="care_models"),
    path("import/", import_views.import_start, name="import"),
]
