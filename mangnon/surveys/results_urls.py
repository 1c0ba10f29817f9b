"""The results pages of survey rounds (namespace surveys)."""

from django.urls import path

from . import results_views

urlpatterns = [
    path("rounds/<int:pk>/results/", results_views.round_results, name="round_results"),
    path("rounds/<int:pk>/results.xlsx", results_views.round_results_xlsx, name="round_results_xlsx"),
]
