"""The survey staff pages: rounds, questionnaires, the schools of a round and their links."""

from django.urls import path

from . import feeds_views
from . import management_views as views

urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("rounds/<int:pk>/feeds/", feeds_views.round_feeds, name="round_feeds"),
    path("rounds/<int:pk>/schools/add/", views.round_schools_add, name="round_schools_add"),
    path("rounds/<int:pk>/schools/<int:school_pk>/edit/", views.round_school_edit, name="round_school_edit"),
    path(
        "rounds/<int:pk>/schools/<int:school_pk>/remove/",
        views.round_school_remove,
        name="round_school_remove",
    ),
    path("rounds/<int:pk>/schools/<int:school_pk>/link/toggle/", views.link_toggle, name="link_toggle"),
    path("rounds/<int:pk>/schools/<int:school_pk>/link/renew/", views.link_renew, name="link_renew"),
    path("rounds/<int:pk>/schools/<int:school_pk>/qr.<str:fmt>", views.link_qr, name="link_qr"),
    path("rounds/<int:pk>/links/", views.links_sheet, name="links_sheet"),
    path("questionnaires/", views.questionnaire_list, name="questionnaire_list"),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire_detail"),
    path(
        "questionnaires/<int:pk>/versions/<int:number>/file/", views.version_download, name="version_download"
    ),
]
