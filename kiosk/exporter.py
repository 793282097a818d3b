"""Export of ratings and cases to the provincial 好差评 platform (DESIGN.md §4 Export).

Every rating and every change of a case becomes an item of the ``export_items`` outbox, written
in the same transaction as the rating or the change (so nothing stored is left unexported).
``Exporter.send_due`` hands due items to its sinks, oldest first: ``JsonlSink`` appends them to
one JSON-lines file per day (fsync'd, append-only); ``WebhookSink`` POSTs each to the platform.
A sink that fails is retried later with a doubling pause (up to ``[export] max_backoff_s``);
an item is delivered when every sink has it. Delivery is at least once: after a crash between
a send and its record an item goes again, under the same idempotency key (``key``, also sent
as the ``Idempotency-Key`` header), which the platform uses to drop the repeat.

Fields are English keys, each the national evaluation data's field named in ``FIELD_NAMES``
(办件编号 is ``project_no``, the ticket id). A rating's free-text comment stays in the hall: it
may hold whatever a citizen typed, names included.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, insert, select, update

from kiosk import store as db
from kiosk.case_settings import ExportSettings
from kiosk.config import HallConfig
from kiosk.workdays import hall_date

log = logging.getLogger(__name__)

FIELD_NAMES = {
    "key": "数据唯一标识（幂等键）",
    "kind": "数据类别（rating 评价 / case 整改或办不成事）",
    "hall": "政务服务中心编码",
    "project_no": "办件编号",
    "service_code": "事项编码",
    "window": "窗口编号",
    "clerk": "工作人员工号",
    "level": "评价等级（5 非常满意 … 1 非常不满意）",
    "reasons": "差评原因编码",
    "time": "评价（或变更）时间",
    "channel": "评价渠道（window 窗口评价器 / kiosk 自助终端 / qr 二维码）",
    "subject": "评价对象（service 窗口服务 / kiosk 自助终端服务）",
    "case_no": "工单编号",
    "case_type": "工单类型（rectify 差评整改 / unresolved 办不成事）",
    "state": "工单状态",
    "action": "处理环节",
    "deadline": "办结时限",
    "citizen_level": "群众对整改或答复的评价",
}
"""Every exported key and the national data field it carries (the mapping the platform's
adapter reads)."""


def _iso(ts: float, config: HallConfig) -> str:
    return datetime.fromtimestamp(ts, ZoneInfo(config.hall.timezone)).isoformat()


def _add(conn: Connection, key: str, kind: str, payload: dict, config: HallConfig, now: float) -> None:
    """Queue one item (a key already queued is left as it is: the first payload stands)."""
    if not config.export.enabled:
        return
    if conn.execute(select(db.export_items.c.id).where(db.export_items.c.id == key)).first() is not None:
        return
    day = hall_date(now, ZoneInfo(config.hall.timezone)).isoformat()
    seq = (conn.execute(select(func.max(db.export_items.c.seq))).scalar() or 0) + 1  # under the write lock
    conn.execute(insert(db.export_items).values(
        id=key, seq=seq, kind=kind, day=day, payload=json.dumps({"key": key, **payload}, ensure_ascii=False),
        created_at=now, attempts=0, next_at=now, sent_to="[]", last_error=""))


def rating_key(rating: dict) -> str:
    """The key of a rating, for its export item and its case: ``rating:<ticket id>`` for the
    service at the window, ``rating:<ticket id>:kiosk`` for the kiosk's self-service."""
    subject = rating.get("subject") or "service"
    return f"rating:{rating['ticket_id']}" + ("" if subject == "service" else f":{subject}")


def enqueue_rating(conn: Connection, rating: dict, config: HallConfig, now: float) -> None:
    """Queue a rating (a ``ratings`` row as a dict) for export, in its write transaction."""
    reasons = rating.get("reasons") or []
    if isinstance(reasons, str):
        reasons = json.loads(reasons)
    at = rating.get("at") or now
    _add(conn, rating_key(rating), "rating", {
        "kind": "rating", "hall": config.hall.code, "project_no": rating["ticket_id"],
        "service_code": rating.get("service"), "window": rating.get("window"), "clerk": rating.get("clerk"),
        "level": int(rating["level"]), "reasons": list(reasons), "time": _iso(float(at), config),
        "channel": rating.get("channel"), "subject": rating.get("subject") or "service",
    }, config, now)


def enqueue_case(conn: Connection, row: dict, config: HallConfig, history_id: int, action: str, now: float) -> None:
    """Queue one step of a case (its ``cases`` row after the step) for export."""
    _add(conn, f"case:{row['id']}:{history_id}", "case", {
        "kind": "case", "hall": config.hall.code, "case_no": row["id"], "case_type": row["kind"],
        "state": row["state"], "action": action, "project_no": row["ticket_id"],
        "service_code": row["service"], "services": json.loads(row["services"] or "[]"), "window": row["window"],
        "clerk": row["clerk"], "level": row["level"], "reasons": json.loads(row["reasons"] or "[]"),
        "channel": row["channel"], "deadline": _iso(row["deadline_at"], config), "time": _iso(now, config),
        "citizen_level": row["citizen_level"],
    }, config, now)


class Sink(Protocol):
    """Somewhere export items go; ``send`` raises on failure (the item is retried)."""

    name: str

    def send(self, key: str, day: str, payload: str) -> None:
        """Deliver one item (``payload`` is its JSON text)."""


class JsonlSink:
    """One append-only JSON-lines file per hall day in ``folder``, fsync'd after each line."""

    name = "jsonl"

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)

    def send(self, key: str, day: str, payload: str) -> None:
        """Append the item's line to ``<day>.jsonl`` and force it to disk."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{day}.jsonl"
        fresh = not path.exists()
        with open(path, "a", encoding="utf-8") as f:
            f.write(payload + "\n")
            f.flush()
            os.fsync(f.fileno())
        if fresh:  # the new file's name must survive a power cut too
            fd = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


class WebhookSink:
    """POSTs each item to the platform with its idempotency key; any 2xx is delivered."""

    name = "webhook"

    def __init__(self, url: str, token: str = "", timeout_s: float = 10.0):
        import requests

        self.url, self.timeout_s = url, timeout_s
        self.session = requests.Session()
        self.session.headers["Content-Type"] = "application/json; charset=utf-8"
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def send(self, key: str, day: str, payload: str) -> None:
        """POST the item; raises on a refused connection, a timeout or a non-2xx answer."""
        answer = self.session.post(self.url, data=payload.encode(), headers={"Idempotency-Key": key},
                                   timeout=self.timeout_s)
        if not 200 <= answer.status_code < 300:
            raise RuntimeError(f"the platform answered {answer.status_code}")


def sinks_for(settings: ExportSettings, data_dir: Path | None = None) -> list[Sink]:
    """The sinks ``[export]`` asks for (none when it names neither); a relative ``jsonl_dir`` is
    inside ``data_dir`` (the hall server's data folder, beside hall.db)."""
    sinks: list[Sink] = []
    if settings.jsonl_dir:
        folder = Path(settings.jsonl_dir).expanduser()
        sinks.append(JsonlSink(folder if folder.is_absolute() or data_dir is None else data_dir / folder))
    if settings.webhook_url:
        sinks.append(WebhookSink(settings.webhook_url, settings.webhook_token, settings.timeout_s))
    return sinks


class Exporter:
    """Sends due export items to its sinks and records who has what (at least once)."""

    def __init__(self, store: db.Store, sinks: Sequence[Sink], max_backoff_s: float = 900.0, batch: int = 200):
        self.store, self.sinks, self.max_backoff_s, self.batch = store, list(sinks), max_backoff_s, batch
        self._resume_at = 0.0  # after a failure nothing is tried before this (the oldest item's retry)

    def pending(self) -> int:
        """How many items are not yet delivered."""
        e = db.export_items
        with self.store.read() as conn:
            return len(conn.execute(select(e.c.id).where(e.c.delivered_at.is_(None))).all())

    def send_due(self, now: float) -> int:
        """Send every item due at ``now``, oldest first; returns how many were delivered. After
        a failure everything waits for that item's retry: a platform that is down is not
        hammered, and items go in the order they were queued."""
        if not self.sinks or now < self._resume_at:
            return 0
        e = db.export_items
        with self.store.read() as conn:
            due = conn.execute(select(e.c.id, e.c.day, e.c.payload, e.c.attempts, e.c.sent_to)
                               .where(e.c.delivered_at.is_(None), e.c.next_at <= now)
                               .order_by(e.c.seq).limit(self.batch)).all()
        delivered = 0
        for key, day, payload, attempts, sent_to in due:
            if not self._send_one(key, day, payload, attempts, set(json.loads(sent_to)), now):
                break
            delivered += 1
        return delivered

    def _send_one(self, key: str, day: str, payload: str, attempts: int, sent_to: set[str], now: float) -> bool:
        e = db.export_items
        for sink in self.sinks:
            if sink.name in sent_to:
                continue
            try:
                sink.send(key, day, payload)
            except Exception as exc:  # any failure of a sink: retried, never lost
                pause = min(self.max_backoff_s, 2.0 ** attempts)
                self._resume_at = now + pause
                log.warning("export of %s to %s failed (attempt %d, next in %.0f s): %s",
                            key, sink.name, attempts + 1, pause, exc)
                with self.store.write() as conn:
                    conn.execute(update(e).where(e.c.id == key).values(
                        attempts=attempts + 1, next_at=now + pause, sent_to=json.dumps(sorted(sent_to)),
                        last_error=f"{sink.name}: {exc}"[:200]))
                return False
            sent_to.add(sink.name)
            if sink is not self.sinks[-1]:  # recorded at once: an append-only file is not written twice
                with self.store.write() as conn:
                    conn.execute(update(e).where(e.c.id == key).values(sent_to=json.dumps(sorted(sent_to))))
        with self.store.write() as conn:
            conn.execute(update(e).where(e.c.id == key).values(
                sent_to=json.dumps(sorted(sent_to)), delivered_at=now, last_error=""))
        return True
