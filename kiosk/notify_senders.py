"""The senders of the citizen's text messages (DESIGN.md "Notifications"): plug-ins behind one
small interface, picked by the hall file's ``[notify] sender``.

- ``webhook``: a JSON POST to a gateway of the hall's own (optionally HMAC-signed);
- ``aliyun``: Alibaba Cloud SMS ``SendSms`` (API 2017-05-25, RPC style: a signed GET whose
  query is signed with HMAC-SHA1 over the sorted, percent-encoded parameters);
- ``tencent``: Tencent Cloud SMS ``SendSms`` (API 2021-01-11, a JSON POST signed with
  TC3-HMAC-SHA256).

Formats and signatures follow the providers' public API documentation; endpoints are in the
hall file, so tests point them at a local recording server. stdlib HTTP only (urllib): a sender
runs in the notify worker's thread, with a timeout, never in a request. Qt-free.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import quote, urlsplit

from kiosk.config import AliyunSms, NotifySettings, TencentSms, WebhookSender


@dataclass(frozen=True)
class Message:
    """One text message: which ticket and kind (its idempotency key), to whom, and what."""

    ticket_id: str
    kind: str  # ahead | turn
    phone: str
    params: dict = field(default_factory=dict)  # number, ahead, window

    @property
    def key(self) -> str:
        """The message's idempotency key: the same ticket and kind are one message."""
        return f"{self.ticket_id}:{self.kind}"

    def text(self) -> str:
        """The message in plain Chinese (the webhook's ``text``; SMS providers fill templates)."""
        number = self.params.get("number", "")
        if self.kind == "turn":
            return f"请 {number} 号到 {self.params.get('window', '')} 号窗口办理。"
        return f"您的 {number} 号前面还有 {self.params.get('ahead', 0)} 人，请回到大厅等候叫号。"


class SendError(Exception):
    """A message was not sent. ``retry``: a later attempt may succeed (an outage, a timeout, a
    rate limit); False: it never will (a refused template, a bad key) and retrying wastes money."""

    def __init__(self, reason: str, retry: bool = True):
        super().__init__(reason)
        self.retry = retry


class Sender(Protocol):
    """What the notify worker needs of a sender."""

    name: str

    def send(self, message: Message) -> None:
        """Send ``message`` or raise SendError."""


def _http(request: urllib.request.Request, timeout: float) -> tuple[int, bytes]:
    """(status, body) of ``request``; a SendError when the server cannot be reached."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - http(s) only, checked in config
            return answer.status, answer.read(65536)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(65536) if exc.fp else b""
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(f"cannot reach the sender: {reason}") from None


def _status_error(status: int, body: bytes) -> SendError:
    """The SendError of an HTTP answer that was not a success: 4xx (but 408/429) is final."""
    retry = status >= 500 or status in (408, 429)
    return SendError(f"HTTP {status}: {body[:200].decode('utf-8', 'replace')}", retry=retry)


class Webhook:
    """POSTs ``{"id", "ticket", "kind", "phone", "text", "params"}`` to the hall's gateway; the
    ``Idempotency-Key`` header (ticket:kind) lets the gateway drop a repeat of a message whose
    answer was lost. Any 2xx is a success."""

    name = "webhook"

    def __init__(self, settings: WebhookSender, timeout: float):
        self.settings = settings
        self.timeout = timeout

    def send(self, message: Message) -> None:
        """POST the message."""
        body = json.dumps({"id": message.key, "ticket": message.ticket_id, "kind": message.kind,
                           "phone": message.phone, "text": message.text(), "params": message.params},
                          ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": message.key}
        if self.settings.secret:
            digest = hmac.new(self.settings.secret.encode(), body, hashlib.sha256).hexdigest()
            headers["X-Hall-Signature"] = f"sha256={digest}"
        status, answer = _http(urllib.request.Request(self.settings.url, body, headers, method="POST"), self.timeout)
        if not 200 <= status < 300:
            raise _status_error(status, answer)


def aliyun_encode(text: str) -> str:
    """Alibaba Cloud's percent-encoding: RFC 3986 unreserved characters kept, everything else
    %XX of its UTF-8 bytes (so a space is %20, ``*`` is %2A and ``~`` stays)."""
    return quote(text, safe="-_.~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    """The RPC signature: Base64(HMAC-SHA1(secret + "&", method&%2F&encode(sorted query)))."""
    query = "&".join(f"{aliyun_encode(k)}={aliyun_encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{aliyun_encode('/')}&{aliyun_encode(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class Aliyun:
    """Alibaba Cloud SMS: ``SendSms`` with the template of the message's kind; the answer's
    ``Code`` is ``OK`` on success. ``OutId`` carries the idempotency key for the hall's records."""

    name = "aliyun"

    def __init__(self, settings: AliyunSms, timeout: float, clock=None, nonce=None):  # noqa: ANN001
        self.settings = settings
        self.timeout = timeout
        self._now = clock or (lambda: datetime.now(UTC))
        self._nonce = nonce or (lambda: uuid.uuid4().hex)

    def params(self, message: Message) -> dict[str, str]:
        """The signed request's parameters (common and SendSms ones), without Signature."""
        s = self.settings
        template = s.template_turn if message.kind == "turn" else s.template_ahead
        return {
            "AccessKeyId": s.access_key_id, "Action": "SendSms", "Format": "JSON", "RegionId": s.region,
            "SignatureMethod": "HMAC-SHA1", "SignatureNonce": self._nonce(), "SignatureVersion": "1.0",
            "Timestamp": self._now().strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25",
            "PhoneNumbers": message.phone, "SignName": s.sign_name, "TemplateCode": template,
            "TemplateParam": json.dumps({k: str(v) for k, v in message.params.items()}, ensure_ascii=False),
            "OutId": message.key,
        }

    def send(self, message: Message) -> None:
        """Sign and send; a ``Code`` other than OK is an error (throttling ones are retried)."""
        params = self.params(message)
        params["Signature"] = aliyun_signature(params, self.settings.access_key_secret)
        query = "&".join(f"{aliyun_encode(k)}={aliyun_encode(v)}" for k, v in params.items())
        url = f"{self.settings.endpoint.rstrip('/')}/?{query}"
        status, answer = _http(urllib.request.Request(url, method="GET"), self.timeout)
        code = _json(answer).get("Code")
        if status == 200 and code == "OK":
            return
        if status != 200 and code is None:
            raise _status_error(status, answer)
        retry = status >= 500 or "LIMIT" in str(code).upper() or "THROTTL" in str(code).upper()
        raise SendError(f"Aliyun refused the message: {code}: {_json(answer).get('Message', '')}", retry=retry)


def _json(body: bytes) -> dict:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def tencent_authorization(secret_id: str, secret_key: str, host: str, payload: bytes, timestamp: int,
                          service: str = "sms") -> str:
    """The TC3-HMAC-SHA256 ``Authorization`` header of a JSON POST to ``/`` of ``host``."""
    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical = "\n".join([
        "POST", "/", "", f"content-type:application/json; charset=utf-8\nhost:{host}\n",
        "content-type;host", hashlib.sha256(payload).hexdigest(),
    ])
    scope = f"{day}/{service}/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical.encode()).hexdigest()])

    def mac(key: bytes, text: str) -> bytes:
        return hmac.new(key, text.encode(), hashlib.sha256).digest()

    signing = mac(mac(mac(f"TC3{secret_key}".encode(), day), service), "tc3_request")
    signature = hmac.new(signing, to_sign.encode(), hashlib.sha256).hexdigest()
    return (f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, "
            f"Signature={signature}")


class Tencent:
    """Tencent Cloud SMS: ``SendSms`` to ``+86<number>`` with the template's ordered parameters;
    each number's ``SendStatusSet`` entry must say ``Ok``. ``SessionContext`` carries the key."""

    name = "tencent"

    def __init__(self, settings: TencentSms, timeout: float, clock=None):  # noqa: ANN001
        self.settings = settings
        self.timeout = timeout
        self._now = clock or (lambda: datetime.now(UTC).timestamp())

    def payload(self, message: Message) -> bytes:
        """The request body."""
        s = self.settings
        second = message.params.get("window" if message.kind == "turn" else "ahead", "")
        return json.dumps({
            "PhoneNumberSet": [f"+86{message.phone}"], "SmsSdkAppId": s.sdk_app_id, "SignName": s.sign_name,
            "TemplateId": s.template_turn if message.kind == "turn" else s.template_ahead,
            "TemplateParamSet": [str(message.params.get("number", "")), str(second)],
            "SessionContext": message.key,
        }, ensure_ascii=False).encode()

    def send(self, message: Message) -> None:
        """Sign and send; an ``Error`` or a number's non-Ok status is an error."""
        s = self.settings
        body = self.payload(message)
        host = urlsplit(s.endpoint).netloc
        timestamp = int(self._now())
        headers = {
            "Authorization": tencent_authorization(s.secret_id, s.secret_key, host, body, timestamp),
            "Content-Type": "application/json; charset=utf-8", "Host": host, "X-TC-Action": "SendSms",
            "X-TC-Timestamp": str(timestamp), "X-TC-Version": "2021-01-11", "X-TC-Region": s.region,
        }
        status, answer = _http(urllib.request.Request(s.endpoint, body, headers, method="POST"), self.timeout)
        if status != 200:
            raise _status_error(status, answer)
        response = _json(answer).get("Response", {})
        error = response.get("Error")
        if error:
            code = str(error.get("Code", ""))
            retry = code.startswith(("InternalError", "RequestLimitExceeded", "LimitExceeded"))
            raise SendError(f"Tencent refused the message: {code}: {error.get('Message', '')}", retry=retry)
        statuses = response.get("SendStatusSet") or [{}]
        code = str(statuses[0].get("Code", ""))
        if code != "Ok":
            raise SendError(f"Tencent did not send the message: {code}: {statuses[0].get('Message', '')}",
                            retry="Limit" in code)


def make_sender(settings: NotifySettings) -> Sender | None:
    """The sender the hall file picks, or None (``sender = "none"``)."""
    if settings.sender == "webhook":
        return Webhook(settings.webhook, settings.timeout_s)
    if settings.sender == "aliyun":
        return Aliyun(settings.aliyun, settings.timeout_s)
    if settings.sender == "tencent":
        return Tencent(settings.tencent, settings.timeout_s)
    return None
