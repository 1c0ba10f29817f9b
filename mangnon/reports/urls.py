"""The documents Măng Non writes: the Decree 56 forms of a case, and the periodic reports' pages."""

from django.urls import URLPattern, path, re_path

from . import periodic_views, views

app_name = "reports"
urlpatterns: list[URLPattern] = [
    re_path(
        r"^cases/(?P<pk>[0-9]+)/forms/(?P<form>0[1-6])\.(?P<fmt>docx|pdf)$",
        views.case_form,
        name="case_form",
    ),
    path("periodic/", periodic_views.periodic_list, name="periodic_list"),
    path("periodic/new/", periodic_views.periodic_new, name="periodic_new"),
    path("periodic/<int:pk>/", periodic_views.periodic_detail, name="periodic_detail"),
    path("periodic/<int:pk>/details/", periodic_views.details_edit, name="periodic_details"),
    path("periodic/<int:pk>/refresh/", periodic_views.report_refresh, name="periodic_refresh"),
    path("periodic/<int:pk>/finalise/", periodic_views.report_finalise, name="periodic_finalise"),
    path("periodic/<int:pk>/new-version/", periodic_views.report_new_version, name="periodic_new_version"),
    path("periodic/<int:pk>/sections/<slug:key>/", periodic_views.section_show, name="periodic_section"),
    path(
        "periodic/<int:pk>/sections/<slug:key>/edit/",
        periodic_views.section_edit,
        name="periodic_section_edit",
    ),
    path("periodic/<int:pk>/files/", periodic_views.file_request, name="periodic_file_request"),
    path(
        "periodic/<int:pk>/files/<int:file_id>/",
        periodic_views.file_download,
        name="periodic_file",
    ),
    path(
        "periodic/<int:pk>/files/<int:file_id>/progress/",
        periodic_views.file_progress,
        name="periodic_file_progress",
    ),
]
