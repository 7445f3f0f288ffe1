"""The request boundary: one commit on success, a rollback on error, forms shown again as typed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired

from therapy_portal import boundary
from therapy_portal.errors import DomainError, NotAllowed
from therapy_portal.extensions import db
from therapy_portal.models import Practice


class NameForm(FlaskForm):
    name = StringField(validators=[InputRequired()])


def _names_seen_elsewhere(app) -> set[str]:
    """What another connection sees: only committed rows."""
    with db.engine.connect() as other:
        return set(other.scalars(sa.select(Practice.name)))


def test_every_view_is_wrapped_once(app):
    for endpoint, view in app.view_functions.items():
        if endpoint != "static":
            assert getattr(view, "unit_of_work", False), endpoint
    assert boundary.unit_of_work(lambda: "") is not None
    before = dict(app.view_functions)
    boundary.install(app)  # installing twice wraps nothing twice
    assert app.view_functions == before


def test_a_view_that_returns_is_committed(app):
    @boundary.unit_of_work
    def view():
        db.session.add(Practice(name="Committed Practice"))
        return "ok"

    with app.test_request_context("/"):
        assert view() == "ok"
        assert "Committed Practice" in _names_seen_elsewhere(app)


def test_a_view_that_raises_is_rolled_back(app):
    @boundary.unit_of_work
    def view():
        db.session.add(Practice(name="Rolled Back Practice"))
        db.session.flush()
        raise DomainError("no")

    with app.test_request_context("/"):
        with pytest.raises(DomainError):
            view()
        assert "Rolled Back Practice" not in _names_seen_elsewhere(app)
        assert db.session.scalar(sa.select(Practice).filter_by(name="Rolled Back Practice")) is None


def _post(app, data):
    return app.test_request_context("/", method="POST", data={**data})


@pytest.fixture
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False
    yield
    app.config["WTF_CSRF_ENABLED"] = True


def test_submit_success_flashes_and_redirects_to_the_result(app, no_csrf):
    with _post(app, {"name": "Harbor"}):
        form = NameForm()

        def perform():
            practice = Practice(name=form.name.data)
            db.session.add(practice)
            db.session.flush()
            return practice

        response = boundary.submit(
            form,
            perform,
            render=lambda: "form page",
            then=lambda practice: f"/practices/{practice.id}",
            done="Saved.",
        )
        assert response.status_code == 302
        assert response.location.startswith("/practices/")
        assert get_flashed_messages() == ["Saved."]


def test_submit_refusal_rolls_back_and_shows_the_form_again_with_the_message(app, no_csrf):
    with _post(app, {"name": "Typed words are kept"}):
        form = NameForm()

        def perform():
            db.session.add(Practice(name="Half Done"))
            db.session.flush()
            raise DomainError("That name is taken.", field="name")

        page, status = boundary.submit(
            form, perform, render=lambda: f"form: {form.name.data}", then="/"
        )
        assert status == 400
        assert page == "form: Typed words are kept"
        assert form.name.errors == ["That name is taken."]
        assert db.session.scalar(sa.select(Practice).filter_by(name="Half Done")) is None


def test_submit_invalid_form_never_performs(app, no_csrf):
    with _post(app, {"name": ""}):
        performed = []
        page, status = boundary.submit(
            NameForm(), lambda: performed.append(1), render=lambda: "again", then="/"
        )
        assert (page, status, performed) == ("again", 400, [])


def test_not_allowed_is_never_caught(app, no_csrf):
    with _post(app, {"name": "x"}):

        def perform():
            raise NotAllowed("gone")

        with pytest.raises(NotAllowed):
            boundary.submit(NameForm(), perform, render=lambda: "", then="/")
        with pytest.raises(NotAllowed):
            boundary.press(perform, then="/")


def test_press_refusal_flashes_the_message_and_goes_back(app):
    with app.test_request_context("/", method="POST"):

        def perform():
            raise DomainError("Already signed.")

        response = boundary.press(perform, then="/done", back="/back", done="Signed.")
        assert response.location == "/back"
        assert get_flashed_messages(with_categories=True) == [("error", "Already signed.")]
        with pytest.raises(TypeError):
            boundary.press(perform, then=lambda result: "/x")


def test_confirm_asks_first_and_carries_what_was_typed(app):
    from therapy_portal import confirm

    with app.test_request_context(
        "/couples/7/close", method="POST", data={"reason": "<b>moved away</b>", "csrf_token": "t"}
    ):
        assert not confirm.given()
        page = confirm.ask(
            title="Close this couple?",
            consequences=["Both partners lose access to new homework."],
            button="Close the couple",
            back="/couples/7",
        )
        assert 'action="/couples/7/close"' in page
        assert 'name="confirmed" value="yes"' in page
        assert "Both partners lose access to new homework." in page
        assert 'name="reason" value="&lt;b&gt;moved away&lt;/b&gt;"' in page
        assert page.count('name="csrf_token"') == 1
    with app.test_request_context("/x", method="POST", data={"confirmed": "yes"}):
        assert confirm.given()
