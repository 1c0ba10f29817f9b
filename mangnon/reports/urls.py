"""The documents Măng Non writes: the Decree 56 forms of a case (and, later, the periodic reports)."""

from django.urls import URLPattern, re_path

from . import views

app_name = "reports"
urlpatterns: list[URLPattern] = [
    re_path(
        r"^cases/(?P<pk>[0-9]+)/forms/(?P<form>0[1-6])\.(?P<fmt>docx|pdf)$",
        views.case_form,
        name="case_form",
    ),
]
