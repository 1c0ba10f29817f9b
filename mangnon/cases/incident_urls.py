"""The incident pages, mounted at /cases/incidents/ (config/urls.py)."""

from django.urls import path

from . import incident_navigation  # noqa: F401  (the register's menu entry)
from . import incident_views as views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    # export.xlsx?start=&end=&commune=&form=&setting= : the register's filters
    path("export.<str:fmt>", views.incident_export, name="export"),
    path("new/", views.incident_record, name="record"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/edit/", views.incident_edit, name="edit"),
    path("<int:pk>/victims/", views.victim_add, name="victim_add"),
    path("<int:pk>/perpetrators/", views.perpetrator_add, name="perpetrator_add"),
    path("<int:pk>/legal-steps/", views.legal_step_add, name="legal_step_add"),
]
