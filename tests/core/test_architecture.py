"""Architecture as a test (issue 9): the import contracts, and the shape of views, modules and
functions read with `ast`.

- No `db.session.commit()` in a view module: the request boundary commits (boundary.py).
- No view body over 20 lines, no module over 300 lines, no function over 50 lines.
- Every route declares its access, checked when the app is built (`check_routes_declared`).

`KNOWN_DEBT` lists today's offenders so the suite passes while the renovation removes them. An
entry that no longer offends fails the test too: delete it, so the list only ever shrinks.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Blueprint

from therapy_portal import create_app
from therapy_portal.policy import public

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "therapy_portal"
MAX_VIEW_BODY = 20
MAX_FUNCTION = 50
MAX_MODULE = 300
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}

# The accepted exceptions ("path" for modules, "path:function" otherwise).
KNOWN_DEBT: dict[str, set[str]] = {
    "commit_in_view": set(),
    "long_view": set(),
    "long_module": set(),
    # Each reads as one list of steps (settings layers, error handlers, request hooks); splitting
    # them would scatter the list (docs/architecture.md, "Known debt").
    "long_function": {
        "therapy_portal/errors.py:register_error_handlers",
        "therapy_portal/settings.py:load_settings",
    },
}


@dataclass(frozen=True)
class Offence:
    kind: str
    where: str
    size: int = 0


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _is_view(node: ast.AST) -> bool:
    """A function decorated with `@<blueprint>.get(...)`, `.post(...)`, `.route(...)` …"""
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    for decorator in node.decorator_list:
        call = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(call, ast.Attribute) and call.attr in ROUTE_DECORATORS:
            return True
    return False


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from the first statement after the docstring to the end of the function."""
    body = node.body
    if (
        len(body) > 1
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]
    return node.end_lineno - body[0].lineno + 1


def _is_commit(node: ast.AST) -> bool:
    """`db.session.commit()` (any object's `.session.commit()`)."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "session"
    )


def _functions(tree: ast.AST):
    """Every function with its qualified name (`Class.method`, `outer.inner`)."""

    def walk(node: ast.AST, prefix: str):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    yield name, child
                yield from walk(child, f"{name}.")
            else:
                yield from walk(child, prefix)

    yield from walk(tree, "")


def offences_in(path: Path, name: str | None = None) -> list[Offence]:
    name = name or _name(path)
    text = path.read_text()
    tree = ast.parse(text)
    found: list[Offence] = []
    lines = len(text.splitlines())
    if lines > MAX_MODULE:
        found.append(Offence("long_module", name, lines))
    functions = list(_functions(tree))
    is_view_module = any(_is_view(node) for _, node in functions)
    for qualname, node in functions:
        where = f"{name}:{qualname}"
        size = node.end_lineno - node.lineno + 1
        if size > MAX_FUNCTION:
            found.append(Offence("long_function", where, size))
        if _is_view(node) and _body_lines(node) > MAX_VIEW_BODY:
            found.append(Offence("long_view", where, _body_lines(node)))
        if is_view_module and any(_is_commit(n) for n in ast.walk(node)):
            found.append(Offence("commit_in_view", where))
    if is_view_module:
        top_level = [n for n in tree.body if not isinstance(n, ast.FunctionDef | ast.ClassDef)]
        if any(_is_commit(n) for statement in top_level for n in ast.walk(statement)):
            found.append(Offence("commit_in_view", f"{name}:<module>"))
    return found


def all_offences() -> list[Offence]:
    return [offence for path in _modules() for offence in offences_in(path)]


def test_import_contracts_hold():
    """`lint-imports` (the contracts in pyproject.toml) passes; `make test` runs it first too."""
    exe = Path(sys.executable).with_name("lint-imports")
    command = [str(exe if exe.exists() else shutil.which("lint-imports")), "--no-cache"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def _contract(contract_id: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["id"] == contract_id)


def _view_modules() -> set[str]:
    modules = set()
    for path in _modules():
        if any(_is_view(node) for _, node in _functions(ast.parse(path.read_text()))):
            modules.add(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return modules


@pytest.mark.parametrize("contract_id", ["policy", "services", "views"])
def test_the_contracts_name_every_view_module(contract_id):
    """A new view module (`routes_x.py`, `views_x.py`) joins the contracts' view lists."""
    listed = set(_contract(contract_id)["forbidden_modules"])
    area_routes = {m for m in _view_modules() if m.count(".") == 2 and m.endswith(".routes")}
    assert _view_modules() - area_routes <= listed
    assert "therapy_portal.*.routes" in listed


@pytest.mark.parametrize("kind", sorted(KNOWN_DEBT))
def test_no_new_architecture_debt(kind):
    found = {o.where: o.size for o in all_offences() if o.kind == kind}
    new = sorted(
        f"{w} ({found[w]} lines)" if found[w] else w for w in found.keys() - KNOWN_DEBT[kind]
    )
    assert not new, f"{kind}: {', '.join(new)}"
    paid = sorted(KNOWN_DEBT[kind] - found.keys())
    assert not paid, f"{kind} no longer offends, so remove it from KNOWN_DEBT: {', '.join(paid)}"


SAMPLE_VIEWS = (
    """
from flask import Blueprint
from therapy_portal.extensions import db

bp = Blueprint("sample", __name__)


@bp.post("/save")
def save():
    db.session.commit()
    return ""


@bp.get("/long")
def long_view():
    \"\"\"A docstring does not count.\"\"\"
"""
    + "    x = 1\n" * 21
    + """    return x


def helper():
"""
    + "    y = 1\n" * 50
    + """    return y
"""
)


def test_the_checks_find_each_kind_of_offence(tmp_path):
    path = tmp_path / "views.py"
    path.write_text(SAMPLE_VIEWS + "\n" * 240)
    found = {(o.kind, o.where) for o in offences_in(path, "views.py")}
    assert found == {
        ("commit_in_view", "views.py:save"),
        ("long_view", "views.py:long_view"),
        ("long_function", "views.py:helper"),
        ("long_module", "views.py"),
    }


def test_a_commit_outside_view_modules_and_a_short_view_pass(tmp_path):
    path = tmp_path / "services.py"
    path.write_text(
        "from therapy_portal.extensions import db\n\n\ndef cli():\n    db.session.commit()\n"
    )
    assert offences_in(path, "services.py") == []


def test_a_route_without_an_access_rule_stops_the_app_from_starting(monkeypatch):
    from therapy_portal import blueprints

    real = blueprints.register_blueprints
    undeclared = Blueprint("undeclared", __name__)
    undeclared.add_url_rule("/undeclared", "page", lambda: "no policy")
    declared = Blueprint("declared", __name__)
    declared.add_url_rule("/declared", "page", public(lambda: "public"))

    def register(app, extra):
        real(app)
        app.register_blueprint(extra)

    config = {"SQLALCHEMY_DATABASE_URI": "sqlite://"}
    monkeypatch.setattr(blueprints, "register_blueprints", lambda app: register(app, declared))
    assert "declared.page" in create_app("testing", config).view_functions
    monkeypatch.setattr(blueprints, "register_blueprints", lambda app: register(app, undeclared))
    with pytest.raises(RuntimeError, match="undeclared.page"):
        create_app("testing", config)
