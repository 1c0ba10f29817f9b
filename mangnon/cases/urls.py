from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("all/", views.case_list, name="list"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("open/", views.case_open, name="open"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/print/", views.case_print, name="print"),
    path("<int:pk>/steps/<str:to>/", views.case_step, name="step"),
    path("<int:pk>/assign/", views.case_assign, name="assign"),
]
