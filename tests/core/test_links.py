"""The templates' `url_for` (ui.links) gives Flask's URL for every route, from cached shapes."""

from __future__ import annotations

import pytest
from flask import url_for as flask_url_for

from therapy_portal.ui import links


def _samples(rule, base: int) -> dict:
    values = {}
    for i, name in enumerate(sorted(rule.arguments)):
        converter = rule._converters[name]
        if type(converter).__name__ == "IntegerConverter":
            values[name] = base + i
        elif getattr(converter, "items", None):  # any(...) of fixed words
            values[name] = sorted(converter.items)[base % len(converter.items)]
        else:
            values[name] = f"v{i}-é /x"
    return values


@pytest.mark.parametrize("script_root", ["", "/portal"])
def test_every_route_gets_flasks_url(app, script_root):
    checked = 0
    with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
        assert flask_url_for("core.index").startswith(script_root + "/")
        for rule in app.url_map.iter_rules():
            for base in (1, 73, 123456789):
                values = _samples(rule, base)
                assert links.url_for(rule.endpoint, **values) == flask_url_for(
                    rule.endpoint, **values
                ), rule.rule
                # Extra values go to the query string, integers and text alike.
                extra = dict(values, after=base, status="all & more")
                assert links.url_for(rule.endpoint, **extra) == flask_url_for(
                    rule.endpoint, **extra
                ), rule.rule
                checked += 1
    assert checked > 300


def test_the_script_root_is_part_of_the_shape(app):
    with app.test_request_context("/"):
        plain = links.url_for("notes.edit", note_id=5)
    with app.test_request_context("/", base_url="http://localhost/portal/"):
        rooted = links.url_for("notes.edit", note_id=5)
    assert rooted == "/portal" + plain


def test_options_and_other_types_go_to_flask_unchanged(app):
    with app.test_request_context("/"):
        assert links.url_for("notes.edit", note_id=5, _external=True).startswith("http://")
        assert links.url_for("notes.edit", note_id=5, _anchor="risk").endswith("#risk")
        assert links.url_for("caseload.index", after=None) == flask_url_for(
            "caseload.index", after=None
        )
        assert links.url_for("caseload.index", flag=True) == flask_url_for(
            "caseload.index", flag=True
        )


def test_without_a_request_it_is_flasks(app):
    app.config["SERVER_NAME"] = "portal.example"
    with app.app_context():
        assert links.url_for("notes.edit", note_id=5) == flask_url_for("notes.edit", note_id=5)


def test_templates_use_it_and_url_defaults_are_refused(app):
    assert app.jinja_env.globals["url_for"] is links.url_for
    app.url_default_functions.setdefault(None, []).append(lambda endpoint, values: None)
    with pytest.raises(RuntimeError, match="URL defaults"):
        links.register(app)
