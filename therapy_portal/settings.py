"""Configuration: TOML layers from `config/`, then the environment, then overrides.

Order: `config/default.toml` → `config/<name>.toml` → environment → `overrides`.
Secrets come only from the environment (`SECRET_KEY`, `DATABASE_URL`, `NOTE_SIGNING_KEY`,
`ENCRYPTION_KEYS`, or any key prefixed `THERAPY_PORTAL_`). Production refuses to start when a
required secret is missing, and says which.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"
ENVIRONMENTS = ("development", "testing", "production")
REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "DATABASE_URL", "NOTE_SIGNING_KEY", "ENCRYPTION_KEYS")
PROXY_FIX_KEYS = tuple(f"PROXY_FIX_X_{name}" for name in ("FOR", "PROTO", "HOST", "PORT", "PREFIX"))


class ConfigurationError(RuntimeError):
    """Raised when the configuration cannot run the portal safely."""


def environment_name(name: str | None) -> str:
    name = name or os.environ.get("THERAPY_PORTAL_ENV") or "development"
    if name not in ENVIRONMENTS:
        raise ConfigurationError(
            f"Unknown environment {name!r}; use one of {', '.join(ENVIRONMENTS)}."
        )
    return name


def database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain `postgresql://` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def remembered_base_url(instance_path: str) -> str | None:
    """The address `make run` last served (so `flask send-reminders` by hand links to it)."""
    path = Path(instance_path) / "public_base_url"
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None


def load_settings(app: Flask, name: str | None, overrides: dict[str, Any] | None = None) -> None:
    name = environment_name(name)
    app.config["ENV_NAME"] = name
    app.config.from_file(str(CONFIG_DIR / "default.toml"), load=tomllib.load, text=False)
    app.config.from_file(str(CONFIG_DIR / f"{name}.toml"), load=tomllib.load, text=False)

    missing = [key for key in REQUIRED_IN_PRODUCTION if not os.environ.get(key)]
    if name == "production" and missing:
        raise ConfigurationError(
            "Production needs these environment variables, which are not set: " + ", ".join(missing)
        )
    for key in (
        "SECRET_KEY",
        "NOTE_SIGNING_KEY",
        "ENCRYPTION_KEYS",
        "RATELIMIT_STORAGE_URI",
        "PUBLIC_BASE_URL",
        "TASK_QUEUE_URL",
        "EXPORT_STORAGE",
    ):
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    remembered = remembered_base_url(app.instance_path)
    if name == "development" and not os.environ.get("PUBLIC_BASE_URL") and remembered:
        app.config["PUBLIC_BASE_URL"] = remembered
    if os.environ.get("DATABASE_URL") and name != "testing":
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config.from_prefixed_env("THERAPY_PORTAL")
    app.config.update(overrides or {})

    # TOML has no null: `false` means "no time limit" (the token lives as long as the session).
    if app.config.get("WTF_CSRF_TIME_LIMIT") is False:
        app.config["WTF_CSRF_TIME_LIMIT"] = None

    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        raise ConfigurationError("No database configured: set DATABASE_URL.")
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(uri.format(instance=app.instance_path))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite drops pool_pre_ping semantics; keep connections simple and durable.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 15}}
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = postgres_engine_options(app.config)
    for key in PROXY_FIX_KEYS:
        value = app.config.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigurationError(
                f"{key} must be a number of proxies (0 or more), not {value!r}."
            )
    if not app.config.get("SECRET_KEY"):
        raise ConfigurationError("SECRET_KEY is not set.")
    if name == "production":
        refuse_weak_production_settings(app.config)
        check_rate_limit_storage(app.config)


def postgres_engine_options(config: dict[str, Any]) -> dict[str, Any]:
    """The engine options with `POSTGRES_SETTINGS` sent as the connection's `-c` options (kept
    after any `options` the configuration already gives)."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    settings = config.get("POSTGRES_SETTINGS") or {}
    if settings:
        connect_args = dict(options.get("connect_args") or {})
        given = connect_args.get("options", "")
        ours = " ".join(f"-c {name}={value}" for name, value in settings.items())
        connect_args["options"] = f"{given} {ours}".strip()
        options["connect_args"] = connect_args
    return options


def refuse_weak_production_settings(config: dict[str, Any]) -> None:
    """Keys shorter than 32 bytes, email over plain SMTP and the development-only pages (demo
    logins on the sign-in page, the style page) stop a production start."""
    for key in ("DEMO_LOGINS_ON_SIGN_IN", "STYLE_PAGE"):
        if config.get(key):
            raise ConfigurationError(f"{key} is for development only; turn it off.")
    for key in ("SECRET_KEY", "NOTE_SIGNING_KEY"):
        if len(str(config.get(key) or "").encode()) < 32:
            raise ConfigurationError(
                f"{key} is too short for production (use 32+ random bytes, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
            )
    plain = config.get("MAIL_BACKEND") == "smtp" and not config.get("SMTP_STARTTLS")
    if plain and not config.get("SMTP_ALLOW_PLAINTEXT"):
        raise ConfigurationError(
            "SMTP without TLS would send sign-in and reset links in clear: set SMTP_STARTTLS, "
            "or THERAPY_PORTAL_SMTP_ALLOW_PLAINTEXT=true for a relay on the same host."
        )


def check_rate_limit_storage(config: dict) -> None:
    """Refuse per-process limiter counters wherever more than one process can serve.

    With `memory://` each gunicorn worker and each host counts on its own, so "5 failed logins
    per 15 minutes" becomes 5 per process: an attacker spreading attempts over N processes gets
    N times as many. Only an operator who declares a single process (`RATELIMIT_SINGLE_PROCESS`)
    may keep it, and not when gunicorn is told to start several (`WEB_CONCURRENCY`).
    """
    if not str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        return
    workers = int(os.environ.get("WEB_CONCURRENCY") or 1)
    if config.get("RATELIMIT_SINGLE_PROCESS") and workers == 1:
        return
    raise ConfigurationError(
        "RATELIMIT_STORAGE_URI is memory://, which keeps login-throttle counters inside each "
        "process: with several gunicorn workers or hosts, every process allows its own 5 "
        "attempts, so the limits would not mean what they say. Set RATELIMIT_STORAGE_URI to a "
        "shared store (redis://host:6379/0), or, if exactly one process on one host serves the "
        "portal, set THERAPY_PORTAL_RATELIMIT_SINGLE_PROCESS=true."
        + (f" (WEB_CONCURRENCY={workers} starts several workers.)" if workers > 1 else "")
    )
