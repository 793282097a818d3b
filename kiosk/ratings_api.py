"""The 好差评 endpoints (DESIGN.md §5, "Ratings"): rate a ticket, list a day's ratings, and the
rating form of the ticket's QR status page.

An APIRouter the hall server includes before its ``/tickets/{id}/{action}`` route, which would
otherwise take ``rating`` for an action.
"""

from __future__ import annotations

import html
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request

from kiosk.domain import HallError, State
from kiosk.models import Ticket
from kiosk.rating_models import BAD_LEVEL, LEVELS, Rating, RatingRequest, rater_of
from kiosk.tokens import Identity

_RATE_DOC = """Rate the service of a ticket, once. Who may:

- a **rater** token (the window's evaluator, `kiosk tokens add --role rater --window N`): a ticket
  finished at its window within the hall's `[ratings] window_minutes` (channel `window`);
- a **kiosk** token: a ticket that kiosk issued, when the hall's `[ratings] kiosk_self_service`
  is on (channel `kiosk`: the kiosk's own self-service);
- **no token** (the ticket's QR status page): a finished ticket within `[ratings] qr_days`
  (channel `qr`).

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


def rating_form_html(engine, ticket: Ticket) -> str:  # noqa: ANN001 - the HallEngine
    """The QR page's rating form for a finished ticket still in its period; a thank-you for a
    rated one; nothing otherwise. The form posts JSON to the rating endpoint without a token."""
    if ticket.state != State.DONE.value:
        return ""
    if engine.rated(ticket.id):
        return "<p>感谢您的评价 Thank you for your rating.</p>"
    if not engine.qr_rating_open(ticket.id):
        return ""
    buttons = "".join(
        f"<button type=button onclick='pick({level})' style='display:block;width:100%;font-size:1.3em;"
        f"margin:.3em 0;padding:.6em'>{html.escape(name['zh'])} {html.escape(name['en'])}</button>"
        for level, name in LEVELS.items()
    )
    reasons = "".join(
        f"<label style='display:block;font-size:1.1em'><input type=checkbox value='{html.escape(r.code)}'> "
        f"{html.escape(r.name.zh)} {html.escape(r.name.en)}</label>"
        for r in engine.config.rating_reasons
    )
    url = json.dumps(f"/api/v1/tickets/{ticket.id}/rating")
    return (
        "<h2>请评价本次服务 Rate this service</h2><div id=levels>" + buttons + "</div>"
        "<div id=bad hidden><p>原因（可多选）Reasons</p>" + reasons +
        "<p><textarea id=comment maxlength=200 rows=3 style='width:100%' placeholder='意见 Comment'></textarea></p>"
        "<button type=button onclick='send()' style='font-size:1.3em;padding:.6em'>提交 Submit</button></div>"
        "<p id=result></p><script>let level=0;"
        f"function pick(l){{level=l;if(l<={BAD_LEVEL}){{document.getElementById('bad').hidden=false}}else{{send()}}}}"
        "function send(){const reasons=[...document.querySelectorAll('#bad input:checked')].map(e=>e.value);"
        "const comment=document.getElementById('comment').value;"
        f"fetch({url},{{method:'POST',headers:{{'Content-Type':'application/json'}},"
        "body:JSON.stringify({level,reasons:level<=" + str(BAD_LEVEL) + "?reasons:[],comment})})"
        ".then(r=>r.json().then(b=>{document.getElementById('result').textContent=r.ok?"
        "'感谢您的评价 Thank you for your rating.':(b.detail||'error');"
        "if(r.ok){document.getElementById('levels').hidden=true;document.getElementById('bad').hidden=true}}))}"
        "</script>"
    )
