"""The request boundary: one unit of work per request, finished in one place.

Every view is wrapped by `unit_of_work` when the app is built (`install`): if the view returns, its
changes (and the audit events of what it showed) are committed once; if it raises, they are rolled
back and the error handlers answer. Views never call `db.session.commit()`.

A view that changes something says what it loads, what it checks and what it does, and hands the
rest to one of two helpers:

- `submit(form, perform, render=..., done=..., then=...)` for a form: validate, perform, flash,
  redirect; on a refusal from the service, roll back and show the form again with what was typed
  and the message next to its field.
- `press(perform, done=..., then=...)` for a button with no fields: perform, flash, redirect; on a
  refusal, roll back and flash it.

`NotAllowed` is never caught here: a missing or forbidden object stays a plain 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, flash, redirect
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from therapy_portal import audit
from therapy_portal.errors import DomainError, NotAllowed
from therapy_portal.extensions import db
from therapy_portal.formtools import attach_error

T = TypeVar("T")
Target = str | Callable[[Any], str]


def unit_of_work(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Commit what the view did if it returned; roll it back if it raised."""

    @wraps(view)
    def run(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        try:
            response = view(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return response

    run.unit_of_work = True  # type: ignore[attr-defined]
    return run


def install(app: Flask) -> None:
    """Wrap every registered view (call after the blueprints are registered)."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint == "static" or getattr(view, "unit_of_work", False):
            continue
        app.view_functions[endpoint] = unit_of_work(view)


def refused(error: DomainError) -> None:
    """Undo the request's changes after a service refused; keep the audit events that must stay."""
    db.session.rollback()
    audit.flush_after_rollback()


def _target(then: Target, result: Any) -> str:
    return then(result) if callable(then) else then


def submit(
    form: FlaskForm,
    perform: Callable[[], T],
    *,
    render: Callable[[], ResponseReturnValue],
    then: Target,
    done: str | None = None,
    status: int | None = None,
) -> ResponseReturnValue:
    """Handle a form's POST: the whole pattern of a view that changes something.

    `render` shows the page again with `form` (the user's input kept); it is called when the form
    is invalid or the service refuses. `then` is the address to go to after success (or a function
    of what `perform` returned). The status of a re-shown page is `status`, or the refusal's own
    (400 for invalid input).
    """
    if not form.validate_on_submit():
        return _again(render, status or 400)
    try:
        result = perform()
    except NotAllowed:
        raise
    except DomainError as error:
        refused(error)
        attach_error(form, error)
        return _again(render, status or error.status)
    if done:
        flash(done)
    return redirect(_target(then, result))


def press(
    perform: Callable[[], T],
    *,
    then: Target,
    done: str | None = None,
    back: str | None = None,
) -> ResponseReturnValue:
    """Handle a button with no fields: perform, flash `done`, redirect to `then`.

    A refusal is rolled back and flashed as an error, and the browser goes to `back` (or `then`).
    """
    try:
        result = perform()
    except NotAllowed:
        raise
    except DomainError as error:
        refused(error)
        flash(error.message, "error")
        if back is None and callable(then):
            raise TypeError("press(): give `back` when `then` depends on the result") from error
        return redirect(back or _target(then, None))
    if done:
        flash(done)
    return redirect(_target(then, result))


def _again(render: Callable[[], ResponseReturnValue], status: int) -> ResponseReturnValue:
    page = render()
    if isinstance(page, tuple):
        return page
    return page, status
