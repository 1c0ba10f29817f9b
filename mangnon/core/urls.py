from django.urls import path

from . import calendar_views, views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/remove/", calendar_views.calendar_exception_remove, name="calendar_remove"),
]
