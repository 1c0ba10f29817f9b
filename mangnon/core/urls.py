from django.urls import path

from . import calendar_views, notification_views, views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/remove/", calendar_views.calendar_exception_remove, name="calendar_remove"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/read/", notification_views.notification_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", notification_views.notification_read, name="notification_read"),
]
