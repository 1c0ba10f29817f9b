from django.urls import path

from . import contact_views, views

app_name = "intake"
urlpatterns = [
    path("", contact_views.contact_list, name="list"),
    path("new/", views.contact_new, name="new"),
    path("new/previous", views.previous_caller, name="previous"),
    path("new/children", views.child_search, name="children"),
    path("emergencies/", views.emergencies, name="emergencies"),
    path("<int:pk>/", contact_views.contact_detail, name="detail"),
    path("<int:pk>/edit/", contact_views.contact_edit, name="edit"),
    path("<int:pk>/children/", contact_views.contact_children, name="children_add"),
    path(
        "<int:pk>/children/<int:entry>/register/", contact_views.contact_register_child, name="register_child"
    ),
]
