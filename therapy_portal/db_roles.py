"""PostgreSQL privileges for the application's own role: it may append to the audit log, never
change it.

Migrations run as the schema owner; the portal connects as a second role that gets `SELECT`,
`INSERT`, `UPDATE` and `DELETE` on the working tables but only `SELECT` and `INSERT` on
`audit_event`. Not being the owner, it can neither disable the append-only triggers nor
`TRUNCATE` the table. `flask roles grant-app ROLE` (run as the owner after each migration)
applies this; docs/deploy.md shows the two roles.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from therapy_portal.models import Base

APPEND_ONLY_TABLES = ("audit_event",)
READ_ONLY_TABLES = ("alembic_version",)


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def grant_app_role(conn: Connection, role: str) -> list[str]:
    """Grant `role` what the portal needs and nothing more; return the statements run."""
    if conn.dialect.name != "postgresql":
        raise RuntimeError("Database roles exist on PostgreSQL only.")
    who = _quote(conn, role)
    statements = [f"GRANT USAGE ON SCHEMA public TO {who}"]
    for table in Base.metadata.sorted_tables:
        name = _quote(conn, table.name)
        statements.append(f"REVOKE ALL ON {name} FROM {who}")
        privileges = (
            "SELECT, INSERT"
            if table.name in APPEND_ONLY_TABLES
            else "SELECT, INSERT, UPDATE, DELETE"
        )
        statements.append(f"GRANT {privileges} ON {name} TO {who}")
    has_alembic = conn.execute(text("SELECT to_regclass('public.alembic_version')")).scalar()
    if has_alembic:
        statements.append(f"GRANT SELECT ON alembic_version TO {who}")
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {who}")
    for statement in statements:
        conn.execute(text(statement))
    return statements
