"""Many halls in one PostgreSQL database, and the city view of them (DESIGN.md "Many halls in
one database").

Each hall lives in a schema of its own, ``hall_<code>`` (``kiosk.store.Store(url, hall=code)``):
every row, token, statistic and event of the hall is there, and the engine's statements, which
never name a schema, run unchanged. The city is the set of hall schemas of the database. Its own
accounts and console sessions are in the schema ``city`` (the tables of ``kiosk.accounts`` and
``kiosk.console.sessions``, in a store of their own).

A hall server started with ``--city`` (``City``) reads the other halls for the city view: in
read-only transactions whose ``search_path`` names one hall at a time, so nothing it does can
change a hall. Each hall server records its name, time zone and public address in its own
``meta`` table when it starts (``record_profile``): what the city view shows of a hall it has no
hall file for.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, create_engine, delete, insert, text
from sqlalchemy.pool import NullPool

from kiosk import store as db
from kiosk.city_models import CityReport, CityRow
from kiosk.config import HallConfig
from kiosk.domain import HallError, State
from kiosk.stats import compute_halls

PROFILE_KEY = "hall_profile"
"""The ``meta`` row where a hall server records what the city view shows of its hall."""
_HALLS = text("SELECT table_schema FROM information_schema.tables WHERE table_name = 'tickets' "
              "AND table_schema LIKE 'hall\\_%' ORDER BY table_schema")
_WAITING = (State.WAITING.value, State.HELD.value)
"""The states of a ticket still waiting to be served (held ones come back to the queue)."""


def _codes(conn: Connection) -> list[str]:
    names = conn.execute(_HALLS).scalars().all()
    return [name[len("hall_"):] for name in names if db.HALL_CODE.match(name[len("hall_"):])]


def hall_codes(url: str) -> list[str]:
    """The codes of the halls whose tables are in the database of ``url``, sorted."""
    engine = create_engine(db.database_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return _codes(conn)
    finally:
        engine.dispose()


def record_profile(store: db.Store, config: HallConfig) -> None:
    """Record the hall's names, time zone and public address in its ``meta`` (a hall server's
    start with ``--hall``): the city view names the hall and cuts its days with them."""
    info = config.hall
    profile = json.dumps({"code": info.code, "name": info.name.model_dump(), "timezone": info.timezone,
                          "public_url": info.public_url}, ensure_ascii=False)
    with store.write() as conn:
        conn.execute(delete(db.meta).where(db.meta.c.key == PROFILE_KEY))
        conn.execute(insert(db.meta).values(key=PROFILE_KEY, value=profile))


@dataclass(frozen=True)
class CityHall:
    """One hall of the city as the city view shows it."""

    code: str
    name: dict[str, str]
    timezone: str
    public_url: str | None


class HallReader:
    """Read-only transactions in one hall's schema, on the city's connections: the ``store`` that
    ``kiosk.stats.compute`` reads (it only calls ``read``)."""

    def __init__(self, engine, code: str):  # noqa: ANN001 - the city store's Engine
        self.engine, self.code, self.schema = engine, code, db.hall_schema(code)

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """One snapshot of the hall, in a READ ONLY transaction: PostgreSQL refuses any write in
        it, whatever a caller tries."""
        with self.engine.connect() as conn, conn.begin():
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # Transaction-scoped (is_local): the pooled connection goes back with the city's path.
            conn.execute(text("SELECT set_config('search_path', :s, true)"), {"s": self.schema})
            yield conn


class City:
    """The city view over a database: its halls, their figures, the city's accounts."""

    def __init__(self, url: str, template: HallConfig, data_dir=None):  # noqa: ANN001 - a Path
        """``template``: the serving hall's own file, whose services, windows and priorities name
        the rows of a hall's breakdown (the halls of a city share their catalogue of services);
        each hall's name, code and time zone come from its recorded profile."""
        self.store = db.Store(url, data_dir=data_dir, schema=db.CITY_SCHEMA)
        self.template = template

    def close(self) -> None:
        """Release the city's connections."""
        self.store.close()

    def halls(self) -> list[CityHall]:
        """Every hall of the database, by code, with its recorded name (its code when the hall
        has never been served with ``--hall``): one query for them all."""
        with self.store.read() as conn:
            codes = _codes(conn)
            if not codes:
                return []
            # The codes are checked names (HALL_CODE): written into the statement as they are.
            union = " UNION ALL ".join(f"SELECT '{code}', (SELECT value FROM hall_{code}.meta WHERE key = "
                                       f"'{PROFILE_KEY}')" for code in codes)
            profiles = dict(conn.execute(text(union)).all())
        return [self._hall(code, profiles.get(code)) for code in codes]

    def _hall(self, code: str, raw: str | None) -> CityHall:
        try:
            found = json.loads(raw) if raw else {}
            name = {"zh": str(found["name"]["zh"]), "en": str(found["name"]["en"])}
            ZoneInfo(found["timezone"])
            return CityHall(code, name, found["timezone"], str(found.get("public_url") or "") or None)
        except (ValueError, KeyError, TypeError):  # never served with --hall, or a damaged row
            return CityHall(code, {"zh": code, "en": code}, self.template.hall.timezone, None)

    def config_of(self, hall: CityHall) -> HallConfig:
        """The template hall file with this hall's code, names and time zone."""
        info = self.template.hall.model_copy(update={"name": self.template.hall.name.model_copy(update=hall.name),
                                                     "timezone": hall.timezone})
        return self.template.model_copy(update={"hall": info})

    def waiting(self, halls: list[CityHall], day: str) -> dict[str, int]:
        """Tickets of ``day`` waiting (or held) now in each hall, by code: one query."""
        if not halls:
            return {}
        states = ", ".join(f"'{state}'" for state in _WAITING)
        union = " UNION ALL ".join(f"SELECT '{h.code}', count(*) FROM hall_{h.code}.tickets WHERE day = :day "
                                   f"AND state IN ({states})" for h in halls)
        with self.store.read() as conn:
            return {code: int(n) for code, n in conn.execute(text(union), {"day": day}).all()}

    def report(self, start: date, end: date, *, threshold_min: int = 30, now: float, today: str,
               only: str | None = None, by: str = "service") -> CityReport:
        """The figures of every hall (``kiosk.stats``, one row per hall: its report's totals)
        and the city's total, pooled from every hall's tickets (a p90 of all waits, not a mean
        of the halls' p90s); ``only``: one hall, whose report's rows (by ``by``) come too."""
        halls = self.halls()
        if only is not None:
            halls = [h for h in halls if h.code == only]
            if not halls:
                raise HallError("not_found", f"the city has no hall {only!r}; leave the hall filter empty "
                                "to see every hall")
        readers = [(HallReader(self.store.engine, h.code), self.config_of(h)) for h in halls]
        reports, total = compute_halls(readers, start, end, by, threshold_min=threshold_min, now=now,
                                       total_label={"zh": "全市合计", "en": "City total"})
        waiting = self.waiting(halls, today)
        rows = [CityRow(code=h.code, name=h.name, public_url=h.public_url, waiting=waiting.get(h.code, 0),
                        figures=r.totals) for h, r in zip(halls, reports, strict=True)]
        return CityReport(start=start, end=end, threshold_min=threshold_min, halls=rows, total=total,
                          waiting=sum(r.waiting for r in rows), detail=reports[0] if only is not None else None)

