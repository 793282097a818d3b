"""The hall's web console, served by the hall server under ``/console`` (DESIGN.md §5).

``install_console(app, engine, hall_file=…)`` adds the sign-in pages, the static files and every
page module ``kiosk/console/page_<name>.py`` found in this package (its ``router`` and its
``PAGE`` for the top bar): adding a page is adding a file.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import re
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from kiosk.console import auth
from kiosk.console.i18n import words
from kiosk.console.web import (
    STATIC,
    ConsoleState,
    NeedSignIn,
    Page,
    Refused,
    csrf_checked,
    render,
    wants_html,
)

__all__ = ["Page", "install_console"]

STATIC_NAME = re.compile(r"^[a-z0-9_-]{1,40}\.(css|js|svg|png)$")
MEDIA = {"css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml",
         "png": "image/png"}


def install_console(app: FastAPI, engine, *, hall_file: Path | None = None) -> ConsoleState:  # noqa: ANN001
    """Add the console to the hall server's ``app`` over ``engine``; ``hall_file`` is the hall
    file ``kiosk serve`` read (the settings page writes it back)."""
    console = app.state.console = ConsoleState(engine, hall_file)
    _install_handlers(app)
    app.include_router(auth.router)
    _install_static(app)
    for module in page_modules():
        console.pages.append(module.PAGE)
        # Every state-changing request of every page must carry the session's CSRF token.
        app.include_router(module.router, dependencies=[Depends(csrf_checked)])
    console.pages.sort(key=lambda p: (p.order, p.name))

    @app.get("/console", include_in_schema=False)
    def console_root() -> Response:
        return RedirectResponse("/console/", status_code=308)

    return console


def page_modules() -> list:
    """The page modules of this package (``page_*.py``), imported, by name."""
    found = []
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        if info.name.startswith("page_"):
            found.append(importlib.import_module(f"{__name__}.{info.name}"))
    return found


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(NeedSignIn)
    async def _need_sign_in(request: Request, _exc: NeedSignIn) -> Response:
        if wants_html(request):  # a page, or a form posted after the session ended: sign in again
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            target = target if request.method == "GET" else "/console/"
            return RedirectResponse(f"/console/login?next={quote(target, safe='')}", status_code=303)
        return JSONResponse({"status": 401, "code": "unauthorized",
                             "detail": "sign in to the console first (/console/login)"}, status_code=401)

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> Response:
        if not wants_html(request):
            detail = words(request)[exc.key]
            return JSONResponse({"status": exc.status, "code": exc.key, "detail": detail}, status_code=exc.status)
        return render(request, "refused.html", status=exc.status, key=exc.key, code=exc.status)


def _install_static(app: FastAPI) -> None:
    cache: dict[str, tuple[bytes, str]] = {}

    @app.get("/console/static/{name}", include_in_schema=False)
    def static(request: Request, name: str) -> Response:
        """The console's own CSS and JS, with an ETag; the pages ask for them by content hash, so
        a browser may keep them a day."""
        path = STATIC / name
        if not STATIC_NAME.match(name) or not path.is_file():
            raise Refused(404, "not_found")
        if name not in cache:
            data = path.read_bytes()
            cache[name] = data, '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        data, etag = cache[name]
        headers = {"ETag": etag, "Cache-Control": "public, max-age=86400"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(data, media_type=MEDIA[name.rsplit(".", 1)[1]], headers=headers)
