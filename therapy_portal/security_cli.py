"""Commands for the audit chain, encryption keys and database roles."""

from __future__ import annotations

import click
from flask import Flask

from therapy_portal.extensions import db


def register_security_commands(app: Flask) -> None:
    from therapy_portal import audit_chain, crypto, db_roles, keys

    @app.cli.group("audit")
    def audit_group() -> None:
        """The audit log."""

    @audit_group.command("verify")
    def audit_verify() -> None:
        """Check every practice's hash chain; name the first broken link and exit 1."""
        checked, breaks = audit_chain.verify()
        if breaks:
            for broken in breaks:
                click.echo(f"BROKEN: {broken}", err=True)
            raise SystemExit(1)
        click.echo(f"Audit log intact: {checked} events verified.")

    @app.cli.group("keys")
    def keys_group() -> None:
        """Encryption keys for data at rest."""

    @keys_group.command("generate")
    def keys_generate() -> None:
        """Print a new random key to add to ENCRYPTION_KEYS as `id:key`."""
        click.echo(crypto.generate_key())

    @keys_group.command("rotate")
    @click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 10_000))
    def keys_rotate(batch_size: int) -> None:
        """Re-encrypt every stored value under the current (first) key, batch by batch."""
        report = keys.rotate(batch_size=batch_size)
        current = crypto.keyring().current
        click.echo(
            f"Re-encrypted {report.rewritten} values under key {current!r}; "
            f"{report.remaining} left under other keys."
        )
        if report.remaining:
            raise SystemExit(1)

    @app.cli.group("roles")
    def roles_group() -> None:
        """PostgreSQL roles."""

    @roles_group.command("grant-app")
    @click.argument("role")
    def roles_grant_app(role: str) -> None:
        """Give the portal's ROLE its privileges (audit_event: SELECT and INSERT only)."""
        with db.engine.begin() as conn:
            statements = db_roles.grant_app_role(conn, role)
        click.echo(f"Granted {role}: {len(statements)} statements.")
