"""The 好差评 endpoints (DESIGN.md §5, "Ratings"): rate a ticket and list a day's ratings (the
citizen's own rating form is on the ticket's phone page, kiosk.phone).

An APIRouter the hall server includes before its ``/tickets/{id}/{action}`` route, which would
otherwise take ``rating`` for an action.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request

from kiosk.domain import HallError
from kiosk.rating_models import Rating, RatingRequest, rater_of
from kiosk.tokens import Identity

_RATE_DOC = """Rate the service of a ticket, once. Who may:

- a **rater** token (the window's evaluator, `kiosk tokens add --role rater --window N`): a ticket
  finished at its window within the hall's `[ratings] window_minutes` (channel `window`);
- a **kiosk** token: a ticket that kiosk issued, when the hall's `[ratings] kiosk_self_service`
  is on (channel `kiosk`: the kiosk's own self-service);
- the citizen's phone page takes the QR channel's rating at `POST /p/<token>/rating` (the
  address in the ticket's QR code, kiosk.phone): a finished ticket within `[ratings] qr_days`.
  Here a request without a token is refused: a ticket id is guessable, its page token is not.

Levels: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意. Reasons (codes of the hall's
`[[rating_reasons]]`) only with level 1 or 2. A second rating of a ticket is 409 `already_rated`.
"""


async def _optional_caller(request: Request, authorization: str | None = Header(default=None)) -> Identity | None:
    """The caller's Identity, or None without a token (the QR page); a bad token is still 401."""
    if authorization is None:
        return None
    return request.app.state.auth.identity_of(authorization)


async def _guide(request: Request, authorization: str | None = Header(default=None)) -> Identity:
    return request.app.state.auth.check(authorization, ("guide",))


def ratings_router() -> APIRouter:
    """The rating routes, to include in the hall server's app."""
    router = APIRouter(prefix="/api/v1", tags=["ratings"])

    @router.post("/tickets/{ticket_id}/rating", status_code=201, response_model=Rating, description=_RATE_DOC,
                 responses={403: {"description": "this caller may not rate this ticket (now)"},
                            409: {"description": "the ticket was already rated"}})
    def rate(request: Request, ticket_id: str, body: RatingRequest,
             who: Annotated[Identity | None, Depends(_optional_caller)]) -> Rating:
        engine = request.app.state.engine
        if who is None:  # the citizen rates on the ticket's own page, reached by its unguessable token
            raise HallError("forbidden", "a rating without a device token comes from the ticket's own page: "
                            "open the address in the ticket's QR code (/p/<token>) and rate there")
        return engine.rate(ticket_id, body, rater_of(who, engine.config.ratings.kiosk_self_service))

    @router.get("/ratings", response_model=list[Rating],
                description="A day's ratings (today by default), of one window or clerk if given; guide or admin. "
                            "A rating names the ticket, never the citizen.")
    def list_ratings(request: Request, _who: Annotated[Identity, Depends(_guide)], day: str | None = None,
                     window: Annotated[int | None, Query(ge=1, le=999, description="a window number")] = None,
                     clerk: Annotated[str | None, Query(max_length=32, description="a clerk's 工号")] = None,
                     ) -> list[Rating]:
        if day is not None:
            from datetime import date

            try:
                date.fromisoformat(day)
            except ValueError:
                raise HallError("validation_error", f"day must be YYYY-MM-DD, not {day!r}") from None
        return request.app.state.engine.ratings(day, window, clerk)

    return router
