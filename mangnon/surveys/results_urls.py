"""The results pages of survey rounds and of a questionnaire's rounds together (namespace surveys)."""

from django.urls import path

from . import results_views

urlpatterns = [
    path("rounds/<int:pk>/results/", results_views.round_results, name="round_results"),
    path("rounds/<int:pk>/results.xlsx", results_views.round_results_xlsx, name="round_results_xlsx"),
    path(
        "questionnaires/<int:pk>/results/", results_views.questionnaire_results, name="questionnaire_results"
    ),
    path(
        "questionnaires/<int:pk>/results.xlsx",
        results_views.questionnaire_results_xlsx,
        name="questionnaire_results_xlsx",
    ),
]
