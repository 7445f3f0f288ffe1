"""COPY rows into the app's tables (psycopg), with indexes and foreign keys deferred.

Rows are dicts keyed by column name; a missing column takes the model's Python-side default
(evaluated once per table), so the generators only spell out what varies. Encrypted columns
(``models/encrypted.py``) get the same AES-GCM ciphertext the app would write, made by the
column's own type; a value the generators repeat is encrypted once and its ciphertext reused
(a shortcut only a throwaway benchmark database may take: every row still decrypts on read).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, Table

from therapy_portal.models.base import Base
from therapy_portal.models.encrypted import EncryptedText


def _defaults(table: Table) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if default is None:
            values[column.name] = None
        elif default.is_callable:
            values[column.name] = default.arg(None)
        else:
            values[column.name] = default.arg
    return values


def copy_rows(conn, table_name: str, rows: Iterable[dict[str, Any]]) -> int:
    """COPY ``rows`` into ``table_name`` on a psycopg connection; returns the row count."""
    table = Base.metadata.tables[table_name]
    columns = list(table.columns)
    defaults = _defaults(table)
    is_json = [isinstance(c.type, JSON) for c in columns]
    sealed = [c.type if isinstance(c.type, EncryptedText) else None for c in columns]
    ciphertexts: dict[tuple[str, str], str] = {}
    names = ", ".join(f'"{c.name}"' for c in columns)
    count = 0
    with conn.cursor() as cur, cur.copy(f'COPY "{table_name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            values = []
            for column, json_column, seal in zip(columns, is_json, sealed, strict=True):
                value = row.get(column.name, defaults[column.name])
                if value is not None and seal is not None:
                    value = _sealed(ciphertexts, column.name, seal, value)
                values.append(json.dumps(value) if json_column and value is not None else value)
            copy.write_row(values)
            count += 1
    return count


def _sealed(cache: dict, name: str, seal: EncryptedText, value: Any) -> str:
    key = (name, seal.encode(value))
    if key not in cache:
        cache[key] = seal.process_bind_param(value, None)
    return cache[key]


def secondary_indexes(table_names: Iterable[str]) -> list[Any]:
    """The non-unique indexes of these tables (dropped before a bulk load, rebuilt after)."""
    return [
        index
        for name in table_names
        for index in Base.metadata.tables[name].indexes
        if not index.unique
    ]


def reset_sequences(conn, table_names: Iterable[str]) -> None:
    with conn.cursor() as cur:
        for name in table_names:
            # Table names come from the models, never from input.
            sql = f'(SELECT coalesce(max(id), 0) + 1 FROM "{name}")'  # noqa: S608
            cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), {sql}, false)")
