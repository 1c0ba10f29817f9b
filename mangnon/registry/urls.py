from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.child_list, name="list"),
    path("new/", views.child_register, name="register"),
    path("new/candidates", views.candidates, name="candidates"),
    path("<int:pk>/", views.child_detail, name="detail"),
    path("<int:pk>/print/", views.child_print, name="print"),
    path("<int:pk>/edit/", views.child_edit, name="edit"),
    path("<int:pk>/circumstances/", views.circumstance_add, name="circumstance_add"),
    path("<int:pk>/circumstances/<int:item>/end/", views.circumstance_end, name="circumstance_end"),
    path("<int:pk>/risks/", views.risk_add, name="risk_add"),
    path("<int:pk>/risks/<int:item>/end/", views.risk_end, name="risk_end"),
    path("households/<int:pk>/", views.household_detail, name="household"),
]
