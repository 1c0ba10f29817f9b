"""Children's participation: their voices and how they were answered, the children's council (mounted
at /participation/)."""

from django.urls import path

from . import (
    council_views,
    navigation,  # noqa: F401  (the menu entry)
    views,
)

app_name = "participation"
urlpatterns = [
    path("", views.board, name="board"),
    path("voices/new/", views.voice_record, name="record"),
    path("voices/<int:pk>/", views.voice_detail, name="voice"),
    path("council/", council_views.council, name="council"),
    path("council/<int:unit_id>/members/", council_views.member_add, name="council_member_add"),
    path("council/members/<int:pk>/end/", council_views.member_end, name="council_member_end"),
    path("council/<int:unit_id>/meetings/", council_views.meeting_record, name="council_meeting_add"),
    path(
        "council/meetings/<int:pk>/recommendations/",
        council_views.recommendation_record,
        name="council_recommendation_add",
    ),
]
