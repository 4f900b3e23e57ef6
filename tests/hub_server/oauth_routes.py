"""The OAuth device flow that ``huggingface_hub.notebook_login`` uses (RFC 8628).

``POST /oauth/device`` hands out a device code and a user code; ``POST /oauth/token`` answers
``authorization_pending`` until a test plays the user and calls ``LocalHub.authorize_device``.
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class OAuthEndpoints:
    def __init__(self, hub) -> None:
        self.hub = hub

    def routes(self) -> list[Route]:
        return [
            Route("/oauth/device", self.device, methods=["POST"]),
            Route("/oauth/token", self.token, methods=["POST"]),
        ]

    @staticmethod
    async def _form(request: Request) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}

    async def device(self, request: Request) -> Response:
        form = await self._form(request)
        if not form.get("client_id"):
            return JSONResponse({"error": "invalid_client"}, status_code=400)
        device_code, user_code = secrets.token_hex(8), f"{secrets.randbelow(9000) + 1000}-TEST"
        with self.hub.lock:
            self.hub.device_codes[device_code] = {"user_code": user_code, "token": None}
        return JSONResponse(
            {
                "device_code": device_code,
                "user_code": user_code,
                "verification_uri": f"{self.hub.endpoint}/oauth/device/verify",
                "interval": 1,
                "expires_in": 120,
            }
        )

    async def token(self, request: Request) -> Response:
        form = await self._form(request)
        if form.get("grant_type") != DEVICE_GRANT:
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        entry = self.hub.device_codes.get(form.get("device_code", ""))
        if entry is None:
            return JSONResponse({"error": "expired_token"}, status_code=400)
        if entry["token"] is None:
            return JSONResponse({"error": "authorization_pending"}, status_code=400)
        return JSONResponse({"access_token": entry["token"], "token_type": "bearer"})
