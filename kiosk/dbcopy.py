"""``kiosk db copy``: a SQLite hall moved into an empty PostgreSQL database, with proof.

The target's schema is made by the migrations and every table copied in ONE transaction (a
failure leaves the target as empty as it was), under the store's write lock (a server started
on the target meanwhile waits for it). SERIAL sequences are then set past the copied ids, so
the next case, event or call continues the numbering. Afterwards each side is read on its own:
per table, its row count and a checksum of its rows (order-free: the sum of each row's SHA-256,
so the two databases' different text orders do not matter), printed side by side.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Float,
    Integer,
    Table,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError

from kiosk import store as db
from kiosk.domain import HallError
from kiosk.migrations import bring_up

BATCH = 1000  # rows per INSERT: few round trips, bounded memory


@dataclass(frozen=True)
class TableCheck:
    """One table's row count and checksum on both sides."""

    table: str
    source_rows: int
    source_sum: str
    target_rows: int
    target_sum: str

    @property
    def same(self) -> bool:
        """Both sides hold the same rows."""
        return (self.source_rows, self.source_sum) == (self.target_rows, self.target_sum)


def tables() -> list[Table]:
    """The hall's tables, in the order they are copied."""
    return list(db.metadata.sorted_tables)


def refuse_non_empty(conn: Connection, shown: str) -> None:
    """HallError when the target already holds tables (in the schema its search_path selects)."""
    names = sorted(inspect(conn).get_table_names())
    if names:
        listed = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
        raise HallError("conflict", f"the database {shown} is not empty (it holds {listed}); kiosk db copy "
                                    "only fills an empty database: make a new one (CREATE DATABASE) and give its URL")


def copy_hall(source: db.Store, target: db.Store) -> int:
    """Copy every table of ``source`` into the (empty) ``target`` in one transaction; returns
    the number of rows copied. ``target`` is a Store opened with ``migrate=False``."""
    copied, shown, step = 0, target.url or str(target.path), "the schema"
    with source.read() as src, target.write() as dst:
        refuse_non_empty(dst, shown)
        try:
            bring_up(dst)
            for table in tables():
                step = f"table {table.name}"
                copied += _copy_table(src, dst, table)
            step = "the sequences"
            for table in tables():
                _continue_serial(dst, table)
        except DBAPIError as exc:  # raised inside the transaction: all of it is rolled back
            lines = str(exc.orig).strip().splitlines()
            raise HallError("conflict", f"copying {step} into {shown} failed, so nothing was kept there (the "
                                        f"copy is one transaction): {lines[0] if lines else type(exc.orig).__name__}; "
                                        "correct the cause and copy again") from exc
    return copied


def _copy_table(src: Connection, dst: Connection, table: Table) -> int:
    rows = src.execution_options(yield_per=BATCH).execute(select(table))
    count = 0
    for batch in rows.partitions(BATCH):
        dst.execute(insert(table), [dict(row._mapping) for row in batch])
        count += len(batch)
    return count


def _continue_serial(dst: Connection, table: Table) -> None:
    """Set the SERIAL sequence of ``table`` (if it has one) past its largest copied id: rows
    copied with their ids leave the sequence at its start otherwise."""
    column = table.autoincrement_column
    if column is None or dst.dialect.name != "postgresql":
        return
    dst.execute(text(f'SELECT setval(pg_get_serial_sequence(:table, :column), '
                     f'COALESCE((SELECT MAX("{column.name}") FROM {table.name}), 0) + 1, false)'),
                {"table": table.name, "column": column.name})


def check_tables(source: db.Store, target: db.Store) -> list[TableCheck]:
    """Each table's row count and checksum, read on each side independently."""
    with source.read() as src, target.read() as dst:
        out = []
        for table in tables():
            rows_a, sum_a = table_sum(src, table)
            rows_b, sum_b = table_sum(dst, table)
            out.append(TableCheck(table.name, rows_a, sum_a, rows_b, sum_b))
        return out


def table_sum(conn: Connection, table: Table) -> tuple[int, str]:
    """The row count of ``table`` and an order-free checksum of its rows (each value in a
    canonical form by its column's type, so SQLite's 0/1 and PostgreSQL's booleans, or a whole
    number stored in a REAL, compare equal)."""
    columns = list(table.columns)
    total, count = 0, 0
    for row in conn.execution_options(yield_per=BATCH).execute(select(*columns)):
        canonical = json.dumps([_canonical(value, column) for value, column in zip(row, columns, strict=True)],
                               ensure_ascii=False)
        total += int.from_bytes(hashlib.sha256(canonical.encode()).digest(), "big")
        count += 1
    return count, f"{total % (1 << 256):064x}"[:16]


def _canonical(value: object, column: Column) -> object:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, Boolean):
        return bool(value)
    if isinstance(kind, Float):
        return float(value).hex()  # exact: no decimal rounding
    if isinstance(kind, Integer):
        return int(value)
    return str(value)
