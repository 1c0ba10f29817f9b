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
]
