from django.urls import path

from . import import_views

app_name = "registry_export"
urlpatterns = [
    # children.xlsx?q=&commune=&group=&status= : the child list's filters
    path("children.<str:fmt>", import_views.export_children, name="children"),
]
