"""Activity pages: sessions, courses, forums and their tallies, campaigns (mounted at /activities/)."""

from django.urls import path

from . import (
    calendar_views,
    club_views,
    import_views,
    navigation,  # noqa: F401  (the menu entry)
    rollup_export,
    views,
)

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_record, name="record"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("rollup/", views.rollup_page, name="rollup"),
    path("rollup/export/<str:fmt>/", rollup_export.rollup_export, name="rollup_export"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("calendar/", calendar_views.calendar, name="calendar"),
    path("clubs/", club_views.club_list, name="clubs"),
    path("clubs/export.<str:fmt>", club_views.club_export, name="clubs_export"),
    path("clubs/new/", club_views.club_new, name="club_new"),
    path("clubs/<int:pk>/", club_views.club_detail, name="club"),
    path("clubs/<int:pk>/edit/", club_views.club_edit, name="club_edit"),
    path("clubs/<int:pk>/close/", club_views.club_close, name="club_close"),
    path("clubs/<int:pk>/members/", club_views.member_add, name="club_member_add"),
    path("clubs/<int:pk>/members/<int:member_pk>/leave/", club_views.member_leave, name="club_member_leave"),
    path("care-models/", club_views.care_model_list, name="care_models"),
    path("care-models/new/", club_views.care_model_new, name="care_model_new"),
    path("care-models/<int:pk>/", club_views.care_model_detail, name="care_model"),
    path("care-models/<int:pk>/edit/", club_views.care_model_edit, name="care_model_edit"),
    path("import/", import_views.VIEWS.home, name="import"),
    path("import/template.xlsx", import_views.VIEWS.template, name="import_template"),
    path("import/<int:pk>/", import_views.VIEWS.job, name="import_job"),
    path("import/<int:pk>/progress", import_views.VIEWS.progress, name="import_progress"),
    path("import/<int:pk>/confirm", import_views.VIEWS.confirm, name="import_confirm"),
]
