"""`url_for` for templates: Flask's, with each URL's shape worked out once.

Building a URL through werkzeug's map (rule lookup, converters, quoting, twice over for the
partial build) costs several microseconds, and a list page builds one per row: Today's 60
links and the layout's 20 were a quarter of its rendering (docs/performance.md). The result
depends only on the endpoint, the values and the script root, so each shape is built once by
Flask itself and reused:

- integer values become `{name}` slots, filled with `str.format` (an int converter writes the
  digits, whatever the value); the shape is checked against Flask with a second set of values
  before it is kept;
- string values are part of the cache key (a static file's name, a thread's scope), in a cache
  of bounded size;
- anything else (another type, `_external`, `_anchor` and the other underscore options, a
  relative `.endpoint`, no request) is passed to Flask's `url_for` unchanged.

The app has no URL defaults or value preprocessors; `register` refuses to take over
`url_for` if one is ever added, since a shape could not follow what they change per request.
"""

from __future__ import annotations

from functools import lru_cache

import flask
from flask import Flask, has_request_context, request

# Values no real URL holds: replaced in Flask's output by `{name}` slots.
_MARK = 9_007_199_254_740_000
_CHECK = 8_106_001_992_001_000


def url_for(endpoint: str, **values) -> str:
    """What `flask.url_for(endpoint, **values)` gives, from a cached shape where it can."""
    if not has_request_context() or endpoint.startswith("."):
        return flask.url_for(endpoint, **values)
    spec = []  # (name, None) for an integer slot, (name, text) for a fixed value, in order
    for name, value in values.items():
        kind = type(value)
        if kind is int:
            spec.append((name, None))
        elif kind is str and not name.startswith("_"):
            spec.append((name, value))
        else:
            return flask.url_for(endpoint, **values)
    shape = _shape(request.script_root, endpoint, tuple(spec))
    if shape is None:
        return flask.url_for(endpoint, **values)
    return shape.format_map(values)


@lru_cache(maxsize=4096)
def _shape(root: str, endpoint: str, spec: tuple[tuple[str, str | None], ...]) -> str | None:
    """The URL with a `{name}` slot per integer value, or None when it cannot be made one."""

    def values(base: int) -> dict:
        return {name: base + i if text is None else text for i, (name, text) in enumerate(spec)}

    marks = values(_MARK)
    shape = flask.url_for(endpoint, **marks).replace("{", "{{").replace("}", "}}")
    for name, text in spec:
        if text is None:
            mark = str(marks[name])
            if shape.count(mark) != 1:
                return None
            shape = shape.replace(mark, "{" + name + "}")
    check = values(_CHECK)
    if shape.format_map(check) != flask.url_for(endpoint, **check):
        return None
    return shape


def register(app: Flask) -> None:
    """Templates' `url_for` is this one."""
    if any(app.url_default_functions.values()) or any(app.url_value_preprocessors.values()):
        raise RuntimeError("URL defaults change URLs per request: ui.links cannot cache shapes")
    app.jinja_env.globals["url_for"] = url_for
