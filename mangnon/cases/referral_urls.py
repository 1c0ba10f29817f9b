"""Referral pages, mounted at /cases/referrals/ (config/urls.py); and the writes of the case page's
services section, which live with them (/cases/referrals/case/<case id>/services/…)."""

from django.urls import path

from . import referral_views as views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("send/", views.referral_send, name="send"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/accept/", views.referral_accept, name="accept"),
    path("<int:pk>/reject/", views.referral_reject, name="reject"),
    path("case/<int:pk>/services/", views.service_add, name="service_add"),
    path("case/<int:pk>/services/<int:service>/", views.service_change, name="service_change"),
]
