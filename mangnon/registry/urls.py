from django.urls import path

from . import action_views, views

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
    path("<int:pk>/move/", action_views.child_move, name="move"),
    path("<int:pk>/merge/", action_views.child_merge, name="merge"),
    path("<int:pk>/consents/", action_views.consent_record, name="consent_record"),
    path("<int:pk>/consents/<int:item>/withdraw/", action_views.consent_withdraw, name="consent_withdraw"),
    path("<int:pk>/caregivers/", action_views.caregiver_add, name="caregiver_add"),
    path("<int:pk>/household/", action_views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/members/", action_views.household_member_add, name="household_member_add"),
    path("households/<int:pk>/status/", action_views.household_status, name="household_status"),
]
