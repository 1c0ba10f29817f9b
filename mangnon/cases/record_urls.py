"""The case record (notes, home visits, conferences, attachments), mounted under /cases/ (config/urls.py)."""

from django.urls import path

from . import record_views

app_name = "case_record"
urlpatterns = [
    path("<int:pk>/notes/", record_views.note_add, name="notes"),
    path("<int:pk>/notes/<int:note>/", record_views.note_edit, name="note_edit"),
    path("<int:pk>/attachments/", record_views.attachment_add, name="attachments"),
    path("<int:pk>/attachments/<int:att>/", record_views.attachment_download, name="attachment"),
    path("<int:pk>/attachments/<int:att>/delete/", record_views.attachment_delete, name="attachment_delete"),
]
