from django.urls import include, path

from .api import api

urlpatterns = [
    path("", include("mangnon.core.urls")),
    path("", include("mangnon.accounts.urls")),
    path("geo/", include("mangnon.geo.urls")),
    path("children/", include("mangnon.registry.urls")),
    path("cases/incidents/", include("mangnon.cases.incident_urls")),
    path("cases/referrals/", include("mangnon.cases.referral_urls")),
    path("cases/", include("mangnon.cases.record_urls")),
    path("cases/", include("mangnon.cases.urls")),
    path("directory/", include("mangnon.orgs.urls")),
    path("intake/", include("mangnon.intake.urls")),
    path("support/", include("mangnon.support.urls")),
    path("activities/", include("mangnon.activities.urls")),
    path("participation/", include("mangnon.participation.urls")),
    path("indicators/", include("mangnon.indicators.urls")),
    path("reports/", include("mangnon.reports.urls")),
    path("surveys/", include("mangnon.surveys.urls")),
    path("s/", include("mangnon.surveys.public_urls")),
    path("audit/", include("mangnon.accounts.audit_urls")),
    path("registry/import/", include("mangnon.registry.import_urls")),
    path("registry/export/", include("mangnon.registry.export_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]

handler400 = "mangnon.core.views.bad_request"
handler403 = "mangnon.core.views.permission_denied"
handler404 = "mangnon.core.views.page_not_found"
handler500 = "mangnon.core.views.server_error"
