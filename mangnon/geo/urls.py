from django.urls import path

from . import views

app_name = "geo"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/children", views.unit_children, name="children"),
]
