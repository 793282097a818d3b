"""The clerks' part of the hall API (DESIGN.md §4 Clerks, §5): managing clerks (guide and
admin tokens) and signing in and out at a window (the counter token bound to that window)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from kiosk import trust
from kiosk.clerk_models import ClerkInfo, NewClerk, SignIn, WindowSignIn
from kiosk.server import Counter, WindowKeeper, caller
from kiosk.tokens import Identity

router = APIRouter(prefix="/api/v1", tags=["clerks"])
ClerkKeeper = Annotated[Identity, Depends(caller("guide"))]


def _engine(request: Request):  # noqa: ANN202 - the app's HallEngine
    return request.app.state.engine


@router.get("/clerks", response_model=list[ClerkInfo])
def list_clerks(request: Request, _who: ClerkKeeper) -> list[ClerkInfo]:
    """Every clerk, disabled ones too; never a PIN or its hash."""
    return _engine(request).clerks()


@router.post("/clerks", status_code=201, response_model=ClerkInfo)
def add_clerk(request: Request, who: ClerkKeeper, body: NewClerk) -> ClerkInfo:
    """Register a clerk (工号, name, PIN); the PIN is kept only as its scrypt hash."""
    return _engine(request).add_clerk(body, actor=who.actor)


@router.post("/clerks/{code}/disable", response_model=ClerkInfo)
def disable_clerk(request: Request, who: ClerkKeeper, code: str) -> ClerkInfo:
    """Disable a clerk; one signed in at a window is signed out."""
    return _engine(request).disable_clerk(code, actor=who.actor)


@router.post("/windows/{number}/sign-in", response_model=WindowSignIn)
def sign_in(request: Request, who: Counter, number: int, body: SignIn) -> WindowSignIn:
    """A clerk signs in at window ``number`` with the counter token bound to it."""
    engine = _engine(request)
    engine.known_window(number)  # an unknown window is 404 before any token question
    trust.own_window(who, number)
    return engine.sign_in(number, body.code, body.pin, card_sealed=body.card_sealed, actor=f"window {number}")


@router.post("/windows/{number}/sign-out", response_model=WindowSignIn)
def sign_out(request: Request, who: WindowKeeper, number: int) -> WindowSignIn:
    """Whoever is signed in at window ``number`` signs out (the window's counter, or a guide)."""
    engine = _engine(request)
    engine.known_window(number)
    trust.own_window(who, number)
    return engine.sign_out(number, actor=f"window {number}" if who.role == "counter" else who.actor)


@router.get("/windows/{number}/clerk", response_model=WindowSignIn)
def window_clerk(request: Request, number: int, _who: Annotated[Identity, Depends(caller())]) -> Response:
    """Who is signed in at window ``number`` now (screens read it on connect)."""
    engine = _engine(request)
    engine.known_window(number)
    body = WindowSignIn(window=number, clerk=engine.window_clerk(number))
    return Response(body.model_dump_json(), media_type="application/json")


PhotoViewer = Annotated[Identity, Depends(caller("rater", "display", "counter", "guide"))]


@router.get("/windows/{number}/clerk/photo", response_class=Response,
            responses={200: {"content": {"image/png": {}, "image/jpeg": {}},
                             "description": "the photo of the clerk signed in at the window"},
                       404: {"description": "nobody signed in, no photo, or its file unusable"}})
def window_clerk_photo(request: Request, number: int, _who: PhotoViewer) -> Response:
    """The photo of the clerk signed in at window ``number`` (a PNG or JPEG the server checked;
    never a file named by the request). Not to be cached: the next clerk has another."""
    from kiosk.clerk_photos import image_kind

    data = _engine(request).window_clerk_photo(number)
    media = "image/png" if image_kind(data) == "png" else "image/jpeg"
    return Response(data, media_type=media, headers={"Cache-Control": "no-store"})
