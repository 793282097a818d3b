"""A hall database made before migrations (``create_all`` + add-the-missing-columns, no
``alembic_version``) brought up to the baseline schema, to be stamped 0001 after.

The same logic the store ran at every open before Alembic, aimed at the frozen baseline rather
than at the code's tables: missing tables made, missing (nullable) columns added, the indexes of
the baseline made where absent, and tokens from before token ids numbered in the order they
were made.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, inspect, select, update

from kiosk.migrations.baseline import schema


def bring_to_baseline(conn: Connection) -> None:
    """Make the database of ``conn`` hold every table, column and index of the baseline."""
    schema.create_all(conn)
    inspector = inspect(conn)
    for table in schema.sorted_tables:
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable:  # every column added after the first release is nullable
                raise RuntimeError(f"cannot add the non-null column {table.name}.{column.name} to an old database")
            kind = column.type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')
        for index in table.indexes:
            index.create(conn, checkfirst=True)
    _number_tokens(conn)


def _number_tokens(conn: Connection) -> None:
    tokens = schema.tables["tokens"]
    unnumbered = conn.execute(select(tokens.c.token_hash).where(tokens.c.id.is_(None))
                              .order_by(tokens.c.created_at, tokens.c.token_hash)).scalars().all()
    if unnumbered:
        last = conn.execute(select(func.max(tokens.c.id))).scalar() or 0
        for number, token_hash in enumerate(unnumbered, start=last + 1):
            conn.execute(update(tokens).where(tokens.c.token_hash == token_hash).values(id=number))
