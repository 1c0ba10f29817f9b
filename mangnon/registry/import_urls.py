from django.urls import path

from . import import_views

app_name = "registry_import"
urlpatterns = [
    path("", import_views.import_home, name="home"),
    path("template.xlsx", import_views.import_template, name="template"),
    path("<int:pk>/", import_views.job_detail, name="job"),
    path("<int:pk>/progress", import_views.job_progress, name="progress"),
    path("<int:pk>/confirm", import_views.job_confirm, name="confirm"),
    path("<int:pk>/resume", import_views.job_resume, name="resume"),
]
