"""Extension objects, created unbound and bound to an app in `create_app`."""

from __future__ import annotations

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from therapy_portal.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def _limiter_key() -> str:
    return get_remote_address() or "unknown"


limiter = Limiter(key_func=_limiter_key, default_limits=[], headers_enabled=False)


def login_account_key() -> str:
    """Throttle key for one account: the submitted email, normalised."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]
