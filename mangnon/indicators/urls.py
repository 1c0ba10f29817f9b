from django.urls import path

from . import dashboard_views, entry_views, target_views

app_name = "indicators"

urlpatterns = [
    # Dashboard (dashboard_views.py): the indicators of a unit and year, one indicator in depth.
    path("", dashboard_views.dashboard, name="dashboard"),
    path("export.xlsx", dashboard_views.dashboard_export, name="dashboard_export"),
    path("catalogue/", target_views.catalogue, name="catalogue"),
    # Entered data (entry_views.py): data sets per unit and period, their approval and lock.
    path("data/", entry_views.overview, name="data"),
    path("data/<str:data_set>/<int:unit_id>/<str:period>/", entry_views.entry, name="entry"),
    path("data/<str:data_set>/<int:unit_id>/<str:period>/submit/", entry_views.submit, name="submit"),
    path("data/<str:data_set>/<int:unit_id>/<str:period>/approve/", entry_views.approve, name="approve"),
    path("data/<str:data_set>/<int:unit_id>/<str:period>/return/", entry_views.send_back, name="return"),
    path("data/<str:data_set>/<int:unit_id>/<str:period>/unlock/", entry_views.unlock, name="unlock"),
    path("data/<str:data_set>/<int:unit_id>/<str:period>/history/", entry_views.history, name="history"),
    # Targets (target_views.py): each unit's yearly targets, revisable with history.
    path("targets/", target_views.target_list, name="targets"),
    path("targets/<str:code>/<int:unit_id>/<int:year>/", target_views.target_edit, name="target_edit"),
    # One indicator: trend, breakdown by child unit and by category, links to the records behind it.
    path("<str:code>/", dashboard_views.indicator_detail, name="detail"),
    path("<str:code>/export.xlsx", dashboard_views.detail_export, name="detail_export"),
]
