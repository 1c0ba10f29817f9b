"""Support pages: programmes, disbursements, gifts, alternative care (mounted at /support/)."""

from django.urls import path

from . import (
    import_views,
    navigation,  # noqa: F401  (the menu entry)
    views,
)

app_name = "support"
urlpatterns = [
    path("", views.disbursement_list, name="list"),
    # export.xlsx?start=&end=&commune=&programme= : the list's filters
    path("export.<str:fmt>", views.disbursement_export, name="export"),
    path("new/", views.disbursement_record, name="record"),
    path("figures/", views.figures, name="figures"),
    path("gifts/", views.gift_campaigns, name="gift_campaigns"),
    path("gifts/<int:pk>/", views.gift_campaign, name="gift_campaign"),
    path("care/", views.placements, name="placements"),
    path("care/<int:pk>/", views.placement, name="placement"),
    path("programmes/", views.programme_list, name="programmes"),
    path("import/", import_views.VIEWS.home, name="import"),
    path("import/template.xlsx", import_views.VIEWS.template, name="import_template"),
    path("import/<int:pk>/", import_views.VIEWS.job, name="import_job"),
    path("import/<int:pk>/progress", import_views.VIEWS.progress, name="import_progress"),
    path("import/<int:pk>/confirm", import_views.VIEWS.confirm, name="import_confirm"),
]
