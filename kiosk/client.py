"""The hall client: the engine's interface, spoken over HTTP to a hall server.

Errors come back as the same ``HallError`` the engine raises (its code read from the
problem+json body), and a server that cannot be reached is a ``HallUnreachable``, so callers
handle one set of exceptions whether the hall runs in-process or on a server.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.case_models import Case
from kiosk.clerk_models import SignIn, WindowSignIn
from kiosk.device_models import DeviceReport
from kiosk.domain import HallError
from kiosk.models import (
    PAGE_TOKEN,
    ActionRequest,
    Appointment,
    Call,
    Catalog,
    HallEvent,
    HelpCall,
    HelpRequest,
    IssueRequest,
    QueueEntry,
    ServiceChange,
    Ticket,
    WindowChange,
    WindowClerk,
)
from kiosk.rating_models import Rating, RatingRequest

if TYPE_CHECKING:
    import requests

    from kiosk.models import CheckIn


def _http():
    """The requests package, imported on first use: a standalone kiosk (its hall in-process)
    never speaks HTTP, and requests with urllib3, idna and charset_normalizer is 6 MB and 40 ms
    of a start, while every kiosk needs ``HallUnreachable`` from here."""
    import requests

    return requests


class HallUnreachable(Exception):
    """The hall server did not answer (down, network cut, timed out, or failing with 5xx)."""


def page_token(status_url: str) -> str | None:
    """The page token in a ticket's ``status_url`` (``<public_url>/p/<token>``, its last path
    segment), or None when it has none (a ticket from before page tokens)."""
    head, _, token = status_url.rstrip("/").rpartition("/")
    return token if head.endswith("/p") and re.fullmatch(PAGE_TOKEN, token) else None


TICKETS_PAGE = 500
"""Tickets asked for per page of ``GET /tickets`` (the server's largest page, kiosk.ticket_pages)."""

NOT_TRUSTED = "the hall server's certificate is not trusted: check link.ca_file"


def ca_path(ca_file: str, config_dir: Path | str | None) -> str:
    """``[link] ca_file`` as a path: relative to the kiosk file's folder; empty stays empty."""
    if not ca_file:
        return ""
    path = Path(ca_file).expanduser()
    return str(path if path.is_absolute() or config_dir is None else Path(config_dir) / path)


def ca_problem(ca_file: str) -> str | None:
    """Why ``ca_file`` cannot serve to check the hall server's certificate, or None."""
    if not ca_file:
        return None
    import ssl  # here: a standalone kiosk needs none of it

    try:
        ssl.create_default_context(cafile=ca_file)
    except FileNotFoundError:
        return f"the CA file {ca_file} (link.ca_file) does not exist; copy ca.crt from the hall server there"
    except PermissionError:
        return f"the CA file {ca_file} (link.ca_file) cannot be read by this user; fix its permissions"
    except (ssl.SSLError, OSError, ValueError) as exc:
        return (f"the CA file {ca_file} (link.ca_file) holds no usable certificate ({exc}); "
                f"copy ca.crt from the hall server again")
    return None


class HallClient:
    """A hall server seen through its HTTP API v1.

    An ``https`` url is checked against ``ca_file`` (the hall CA, ``kiosk tls init``), or the
    system's trusted CAs when it is empty.
    """

    def __init__(self, url: str, token: str, timeout: float = 3.0, ca_file: str = ""):
        self.root = url.rstrip("/")  # the phone page's routes (/p/<token>/…) sit beside the API
        self.base = self.root + "/api/v1"
        self.timeout = timeout
        self.session = _http().Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        # Checked here, and again while it is wrong (a technician may copy the file in while the
        # kiosk runs): a missing CA file must read as such, not as requests' OSError (which is
        # no RequestException) or as an untrusted server.
        self._ca_file = ca_file
        self._ca_problem = ca_problem(ca_file)
        # Given on every call: requests lets REQUESTS_CA_BUNDLE override a session's own verify.
        self.verify: str | bool = ca_file or True
        self._catalog_etag: str | None = None
        self._catalog: Catalog | None = None
        self._lock = threading.Lock()

    def _request(self, method: str, path: str, *, json_body: object = None, headers: dict | None = None,
                 params: dict | None = None, timeout: float | None = None, root: bool = False) -> requests.Response:
        self._check_ca()
        try:
            url = (self.root if root else self.base) + path
            response = self.session.request(method, url, json=json_body, headers=headers,
                                            params=params, timeout=timeout or self.timeout, verify=self.verify)
        except _http().exceptions.SSLError as exc:
            raise HallUnreachable(_tls_failure(self.base, exc)) from exc
        except _http().RequestException as exc:
            raise HallUnreachable(f"hall server at {self.base} unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise HallUnreachable(f"hall server failed with HTTP {response.status_code}")
        if response.status_code >= 400:
            raise _hall_error(response)
        return response

    def _check_ca(self) -> None:
        if self._ca_problem:
            self._ca_problem = ca_problem(self._ca_file)
            if self._ca_problem:
                raise HallUnreachable(self._ca_problem)

    def health(self) -> dict:
        """Liveness and version of the server."""
        return self._request("GET", "/health").json()

    def catalog(self) -> Catalog:
        """The catalog, revalidated with its ETag so an unchanged one costs no body."""
        headers = {"If-None-Match": self._catalog_etag} if self._catalog_etag else None
        response = self._request("GET", "/catalog", headers=headers)
        with self._lock:
            if response.status_code == 304 and self._catalog is not None:
                return self._catalog
            self._catalog = Catalog.model_validate_json(response.content)
            self._catalog_etag = response.headers.get("ETag")
            return self._catalog

    def issue(self, req: IssueRequest, idempotency_key: str | None = None) -> Ticket:
        """Issue a ticket; the same key and body always give the same ticket."""
        key = idempotency_key or uuid.uuid4().hex
        response = self._request("POST", "/tickets", json_body=req.model_dump(mode="json", exclude_none=True),
                                 headers={"Idempotency-Key": key})
        return Ticket.model_validate_json(response.content)

    def remote_check_in(self, body: CheckIn, device: str = "") -> Ticket:
        """A citizen who took a place from the phone (线上取号) checks in here: its ticket
        (``POST /remote-tickets/check-in``; the server names the kiosk by its token, ``device``
        is for the in-process hall's sake and not sent)."""
        response = self._request("POST", "/remote-tickets/check-in",
                                 json_body=body.model_dump(mode="json", exclude_none=True))
        return Ticket.model_validate_json(response.content)

    def leave_phone(self, token: str, phone: str) -> str:
        """Leave a citizen's mobile number for the "N people ahead" and "your turn" texts of the
        ticket whose page token is ``token`` (``POST /p/<token>/notify``, the phone page's own
        route: the kiosk asks as the citizen's phone would). Returns the number masked as the
        hall stored it (138****8000). A HallError says why the hall refused (texts off, the
        ticket ended); the number never appears in an error or a log."""
        if not re.fullmatch(PAGE_TOKEN, token):
            raise HallError("not_found", "this ticket has no page on the hall server")
        response = self._request("POST", f"/p/{token}/notify", json_body={"phone": phone}, root=True)
        return str(response.json().get("phone", ""))

    def request_help(self, screen: str = "", device: str = "") -> HelpCall:
        """A citizen at this kiosk asks for staff; the server names the kiosk by its token
        (``device`` is for the in-process hall's sake and not sent)."""
        body = HelpRequest(screen=screen).model_dump(mode="json")
        return HelpCall.model_validate_json(self._request("POST", "/help", json_body=body).content)

    def report_status(self, report: DeviceReport, device: str = "", window: int | None = None) -> None:
        """Tell the hall this device's state (``POST /devices/status``); the server names the
        device by its token (``device`` and ``window`` are for the in-process hall's sake and
        not sent)."""
        self._request("POST", "/devices/status", json_body=report.model_dump(mode="json", exclude_none=True))

    def ticket(self, ticket_id: str) -> Ticket:
        """One ticket."""
        return Ticket.model_validate_json(self._request("GET", f"/tickets/{ticket_id}").content)

    def tickets(self, day: str | None = None, service: str | None = None, state: str | None = None,
                id_sealed: str | None = None) -> list[Ticket]:
        """A day's tickets, filtered; ``id_sealed`` (a card's number sealed to the hall's key)
        asks for that card holder's tickets of the day instead (``POST /tickets/search``)."""
        if id_sealed:
            body = {"id_sealed": id_sealed, **({"day": day} if day else {})}
            found = [Ticket.model_validate(t) for t in self._request("POST", "/tickets/search", json_body=body).json()]
            return [t for t in found if (not service or t.service == service) and (not state or t.state == state)]
        params = {"day": day, "service": service, "state": state, "limit": TICKETS_PAGE}
        params = {k: v for k, v in params.items() if v}
        found: list[Ticket] = []
        while True:  # the hall answers a page at a time; X-Next-Cursor names the next one
            response = self._request("GET", "/tickets", params=params)
            found.extend(Ticket.model_validate(t) for t in response.json())
            cursor = response.headers.get("X-Next-Cursor")
            if not cursor:
                return found
            params["cursor"] = cursor

    def act(self, ticket_id: str, action: str, req: ActionRequest | None = None) -> Ticket:
        """Apply a counter or guide action."""
        body = (req or ActionRequest()).model_dump(mode="json", exclude_none=True)
        return Ticket.model_validate_json(self._request("POST", f"/tickets/{ticket_id}/{action}", json_body=body).content)

    def rate(self, ticket_id: str, req: RatingRequest) -> Rating:
        """Rate a ticket's service (the token says which channel: a rater's window, a kiosk)."""
        body = req.model_dump(mode="json")
        return Rating.model_validate_json(self._request("POST", f"/tickets/{ticket_id}/rating", json_body=body).content)

    def list_cases(self, state: str | None = None, kind: str | None = None,
                   overdue: bool | None = None) -> list[Case]:
        """Cases by deadline (``overdue`` True: past it, still owing the answer); a guide's
        (a counter token gets 403, the 办不成事 window's its own kind only)."""
        params = {"state": state, "kind": kind, "overdue": None if overdue is None else str(overdue).lower()}
        params = {k: v for k, v in params.items() if v}
        return [Case.model_validate(c) for c in self._request("GET", "/cases", params=params).json()]

    def call_next(self, window: int, actor: str = "") -> Call | None:
        """Call the next ticket for ``window``; None when nobody waits."""
        response = self._request("POST", f"/windows/{window}/call-next")
        return None if response.status_code == 204 else Call.model_validate_json(response.content)

    def sign_in(self, window: int, code: str, pin: str | None = None, *, card_sealed: str | None = None,
                actor: str = "") -> WindowSignIn:
        """Sign clerk ``code`` in at ``window`` (the server takes the actor from the token)."""
        body = SignIn(code=code, pin=pin, card_sealed=card_sealed).model_dump(mode="json", exclude_none=True)
        response = self._request("POST", f"/windows/{window}/sign-in", json_body=body)
        return WindowSignIn.model_validate_json(response.content)

    def sign_out(self, window: int, actor: str = "") -> WindowSignIn:
        """Sign out whoever is signed in at ``window``."""
        return WindowSignIn.model_validate_json(self._request("POST", f"/windows/{window}/sign-out").content)

    def window_clerk(self, window: int) -> WindowClerk | None:
        """Who is signed in at ``window`` now."""
        return WindowSignIn.model_validate_json(self._request("GET", f"/windows/{window}/clerk").content).clerk

    def window_clerk_photo(self, window: int) -> bytes | None:
        """The photo of the clerk signed in at ``window`` (PNG or JPEG bytes, checked by the
        server), or None when there is none to show (nobody, no photo, an unusable file)."""
        try:
            response = self._request("GET", f"/windows/{window}/clerk/photo")
        except HallError as exc:
            if exc.code == "not_found":
                return None
            raise
        return response.content

    def change_window(self, number: int, change: WindowChange) -> None:
        """Pause or resume a window."""
        self._request("POST", f"/windows/{number}", json_body=change.model_dump(mode="json"))

    def change_service(self, code: str, change: ServiceChange) -> Catalog:
        """Pause, resume or change today's quota of a service."""
        body = change.model_dump(mode="json", exclude_none=True)
        return Catalog.model_validate_json(self._request("POST", f"/services/{code}", json_body=body).content)

    def add_appointments(self, items: list[Appointment]) -> int:
        """Upload booked slots."""
        body = [a.model_dump(mode="json", exclude_none=True) for a in items]
        return self._request("POST", "/appointments", json_body=body).json()["imported"]

    def queue(self) -> list[QueueEntry]:
        """Per-service queue state."""
        return [QueueEntry.model_validate(e) for e in self._request("GET", "/queue").json()]

    def calls(self, after: int = 0, limit: int = 50) -> list[Call]:
        """Recent calls after a sequence number."""
        return [Call.model_validate(c) for c in self._request("GET", "/calls", params={"after": after, "limit": limit}).json()]

    def follow(self, after: int | None, stop: threading.Event,
               on_status: Callable[[str], None] = lambda _s: None) -> Iterator[HallEvent]:
        """Hall events as they happen, resuming with Last-Event-ID after any disconnect.

        ``on_status`` hears ``connected`` and ``reconnecting`` so a screen can show a mark.
        """
        seq, delay = after, 0.2
        while not stop.is_set():
            try:
                for event in self._stream(seq, stop, on_status):
                    seq, delay = event.seq, 0.2
                    yield event
            except (_http().RequestException, HallUnreachable, HallError):
                pass
            if stop.is_set():
                return
            on_status("reconnecting")
            stop.wait(delay)
            delay = min(delay * 2, 5.0)

    def _stream(self, seq: int | None, stop: threading.Event, on_status: Callable[[str], None]) -> Iterator[HallEvent]:
        self._check_ca()
        headers = {"Accept": "text/event-stream"}
        if seq is not None:
            headers["Last-Event-ID"] = str(seq)
        with self.session.get(self.base + "/events", headers=headers, stream=True,
                              timeout=(self.timeout, 30), verify=self.verify) as response:
            if response.status_code >= 400:
                raise HallUnreachable(f"event stream refused with HTTP {response.status_code}")
            on_status("connected")
            yield from parse_sse(response.iter_lines(decode_unicode=True), stop)

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()


def parse_sse(lines: Iterator[str], stop: threading.Event | None = None) -> Iterator[HallEvent]:
    """Turn Server-Sent Events lines into HallEvents (comments and unknown fields skipped)."""
    fields: dict[str, str] = {}
    for line in lines:
        if stop is not None and stop.is_set():
            return
        if line is None:
            continue
        if line == "":
            if "data" in fields and "id" in fields:
                yield HallEvent(seq=int(fields["id"]), type=fields.get("event", "ticket"),
                                data=json.loads(fields["data"]))
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            fields[name] = f"{fields[name]}\n{value}" if name == "data" and name in fields else value


def _tls_failure(base: str, exc: Exception) -> str:
    """A failed TLS exchange in plain words, from the TLS library's own reason found in the
    exception chain requests and urllib3 wrap around it."""
    import ssl

    seen: BaseException | None = exc
    for _depth in range(10):  # the chain is short; never follow a loop in it
        if seen is None:
            break
        if isinstance(seen, ssl.SSLCertVerificationError):
            return f"{NOT_TRUSTED} ({base}: {seen.verify_message or 'certificate verify failed'})"
        if isinstance(seen, ssl.SSLError):
            return (f"TLS with the hall server at {base} failed ({seen.reason or seen}): an https link.url "
                    f"needs a server started with --tls-cert, an http one a server without")
        seen = seen.__cause__ or seen.__context__ or next(
            (a for a in getattr(seen, "args", ()) if isinstance(a, BaseException)), None)
    return f"{NOT_TRUSTED} ({base}: {exc})"


def _hall_error(response: requests.Response) -> HallError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    extra = {k: v for k, v in body.items() if k not in ("type", "status", "title", "detail", "code")}
    return HallError(body.get("code", "validation_error"), body.get("detail", response.reason or "refused"), extra)


def wait_for_server(url: str, timeout: float = 15.0, ca_file: str = "") -> None:
    """Block until ``url``'s health endpoint answers, or raise HallUnreachable."""
    requests = _http()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url.rstrip("/") + "/api/v1/health", timeout=1, verify=ca_file or True).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise HallUnreachable(f"hall server at {url} did not start within {timeout:.0f} s")
