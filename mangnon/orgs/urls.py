from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("new/", views.organisation_create, name="create"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/edit/", views.organisation_edit, name="edit"),
    path("<int:pk>/deactivate/", views.organisation_deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", views.organisation_reactivate, name="reactivate"),
]
