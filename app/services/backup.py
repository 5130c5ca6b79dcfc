"""Back up and restore the whole database as one JSON document.

The format is the same whatever the backend, so a backup taken from the embedded SQLite
database restores into PostgreSQL. Exported files are not included: they are made again
from their versions, byte for byte.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import IO

from sqlalchemy import Date, DateTime, LargeBinary, func, insert, select, text

import app.models  # noqa: F401  (every table on the metadata)
from app.db import Base, session
from app.services import search_index
from app.services.errors import BadInput, Conflict

FORMAT = "plume-backup/1"


def _encode(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _decoder(column):
    kind = column.type
    if isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime):
        return datetime.fromisoformat
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, LargeBinary):
        return base64.b64decode
    return None


def dump(out: IO[str]) -> dict[str, int]:
    """Write every table's rows to `out`; returns the row count per table."""
    tables, counts = {}, {}
    for table in Base.metadata.sorted_tables:
        order = [column for column in table.primary_key.columns]
        rows = session.execute(select(table).order_by(*order)).mappings()
        tables[table.name] = [{key: _encode(value) for key, value in row.items()} for row in rows]
        counts[table.name] = len(tables[table.name])
    json.dump({"format": FORMAT, "tables": tables}, out, ensure_ascii=False)
    return counts


SEARCH_DOCUMENTS = "search_documents"


def restore(source: IO[str]) -> dict[str, int]:
    """Load a backup into an empty, migrated database, all or nothing."""
    try:
        document = json.load(source)
    except json.JSONDecodeError as exc:
        raise BadInput("backup_not_json", detail=str(exc)) from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BadInput("backup_format", format=FORMAT)
    for table in Base.metadata.sorted_tables:
        if session.scalar(select(func.count()).select_from(table)):
            raise Conflict("backup_database_not_empty", table=table.name)
    counts = {}
    for table in Base.metadata.sorted_tables:
        if table.name == SEARCH_DOCUMENTS:
            continue  # rebuilt below, in this database's own form
        rows = document["tables"].get(table.name, [])
        decoders = {c.name: _decoder(c) for c in table.columns if _decoder(c)}
        for row in rows:
            for name, decode in decoders.items():
                if row.get(name) is not None:
                    row[name] = decode(row[name])
        if rows:
            session.execute(insert(table), rows)
        counts[table.name] = len(rows)
    _reset_sequences()
    session.flush()
    counts[SEARCH_DOCUMENTS] = search_index.reindex(session.connection())
    return counts


def _reset_sequences() -> None:
    """PostgreSQL hands out ids from sequences, which a restore with explicit ids leaves behind."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        if "id" in table.columns and table.columns["id"].autoincrement is not False:
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )
