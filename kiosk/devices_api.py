"""The devices endpoints (DESIGN.md §5, "Devices"): a device reports its own state; guides and
hall IT list every device with its last report.

``install_devices(app, engine)`` adds them to the hall server (one call in ``create_app``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, Request, Response

from kiosk import device_status
from kiosk.device_models import Alert, DeviceReport, DeviceView
from kiosk.tokens import Identity

_REPORT_DOC = """A device's own state: its version and program, its printer's, reader's and signs'
states (each optional, with a short plain detail), its outbox's pending count and its uptime.
Any device token may report; the device is the token's (its role, name or window), never the
body's. Devices report at start, every `[policy] device_report_s` seconds (default 30) and at once
when a part changes; a `devstate` hall event goes out only when a part's state changes or the
device is back after being offline."""


async def _any_device(request: Request, authorization: str | None = Header(default=None)) -> Identity:
    return request.app.state.auth.check(authorization, ())


async def _guide(request: Request, authorization: str | None = Header(default=None)) -> Identity:
    return request.app.state.auth.check(authorization, ("guide",))


def devices_router() -> APIRouter:
    """The devices routes, to include in the hall server's app."""
    router = APIRouter(prefix="/api/v1", tags=["devices"])

    @router.post("/devices/status", status_code=204, description=_REPORT_DOC)
    def report_status(request: Request, body: DeviceReport,
                      who: Annotated[Identity, Depends(_any_device)]) -> Response:
        address = request.client.host if request.client else ""
        device_status.record(request.app.state.engine, who, body, address)
        return Response(status_code=204)

    @router.get("/devices", response_model=list[DeviceView],
                description="Every device with its last report, and every device with a token that never "
                            "reported (seen = false); offline = not seen for more than three report intervals. "
                            "Guide or admin.")
    def list_devices(request: Request, _who: Annotated[Identity, Depends(_guide)]) -> list[DeviceView]:
        return device_status.devices(request.app.state.engine)

    @router.get("/devices/alerts", response_model=list[Alert],
                description="The devices' problems: paper out or low, a failed reader or sign bus, "
                            "kiosks offline. Guide or admin.")
    def list_alerts(request: Request, _who: Annotated[Identity, Depends(_guide)]) -> list[Alert]:
        return device_status.device_alerts(request.app.state.engine)

    return router


def install_devices(app: FastAPI, engine) -> None:  # noqa: ANN001 - the HallEngine (app.state.engine)
    """Add the devices API to the hall server's ``app``."""
    app.include_router(devices_router())
