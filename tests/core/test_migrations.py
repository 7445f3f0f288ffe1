"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import TEST_DB, _postgres_base_url
from therapy_portal import create_app
from therapy_portal.extensions import db


@pytest.fixture
def empty_database_url(tmp_path, worker_id):
    if TEST_DB != "postgres":
        yield f"sqlite:///{tmp_path}/migrated.sqlite3"
        return
    base = _postgres_base_url()
    name = f"{base.database}_migr_{worker_id}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _diff(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_and_models_agree(empty_database_url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
    assert _diff(app) == []
    with app.app_context():
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()


def test_migrated_audit_table_is_append_only(empty_database_url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO audit_event (action, actor_role, object_type, outcome, at, "
                    "request_id, ip, detail) VALUES ('x', 'anonymous', '', 'success', "
                    "CURRENT_TIMESTAMP, '', '', '{}')"
                )
            )
        for statement in ("UPDATE audit_event SET action = 'y'", "DELETE FROM audit_event"):
            with (
                pytest.raises(sa.exc.DatabaseError, match="append-only"),
                db.engine.begin() as conn,
            ):
                conn.execute(sa.text(statement))
        db.engine.dispose()
