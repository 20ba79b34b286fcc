"""/api/v1: the apps' routers assembled into one versioned, documented API."""

from __future__ import annotations

from entente.control_room.api import router as control_room_router
from entente.core.api import router as core_router
from entente.core.api_support import BearerToken, EntenteAPI, VerifiedSession
from entente.intelligence.api import router as intelligence_router
from entente.investigations.api import router as investigations_router
from entente.programme.api import router as programme_router
from entente.safeguarding.api import router as safeguarding_router

api = EntenteAPI(
    title="Entente API",
    version="1",
    description=(
        "The API of the joint Franco-British command. Authenticate with a bearer token "
        "(`entente create_token USERNAME`) or the browser session. Errors are RFC 9457 "
        "problem details."
    ),
    auth=[BearerToken(), VerifiedSession()],
    urls_namespace="api-1",
)
api.add_router("/", core_router)
api.add_router("/", control_room_router)
api.add_router("/", intelligence_router)
api.add_router("/", investigations_router)
api.add_router("/", safeguarding_router)
api.add_router("/", programme_router)
