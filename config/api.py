"""The one JSON API, /api/v1/. Each app contributes a router from its own api.py."""

from __future__ import annotations

from ninja import NinjaAPI

from mangnon.accounts.api import router as accounts_router
from mangnon.accounts.auth import api_auth
from mangnon.cases.api import router as cases_router
from mangnon.core.api import Utf8JSONRenderer, install_error_handlers
from mangnon.geo.api import router as geo_router
from mangnon.intake.api import router as intake_router
from mangnon.orgs.api import router as orgs_router
from mangnon.registry.api import router as registry_router

api = NinjaAPI(
    title="Măng Non API",
    version="1",
    description="Child-protection information system. Authenticate with `Authorization: Bearer <token>` "
    "(`mangnon token create USERNAME`) or a browser session.",
    urls_namespace="api-v1",
    auth=api_auth,
    renderer=Utf8JSONRenderer(),
)
install_error_handlers(api)
api.add_router("/", accounts_router)
api.add_router("/geo", geo_router)
api.add_router("/children", registry_router)
api.add_router("/cases", cases_router)
api.add_router("/incidents", "mangnon.cases.incident_api.router")
api.add_router("/referrals", "mangnon.cases.referral_api.router")
api.add_router("/orgs", orgs_router)
api.add_router("/contacts", intake_router)
api.add_router("/disbursements", "mangnon.support.api.router")
api.add_router("/activities", "mangnon.activities.api.router")
api.add_router("/clubs", "mangnon.activities.club_api.router")
api.add_router("/care-models", "mangnon.activities.club_api.care_models_router")
api.add_router("/voices", "mangnon.participation.api.router")
api.add_router("/rollups", "mangnon.core.rollup_api.router")
api.add_router("/indicators", "mangnon.indicators.api.router")
api.add_router("/reports", "mangnon.reports.api.router")
api.add_router("/surveys", "mangnon.surveys.api.router")
