"""`flask run-demo` (what `make run` runs): one process migrates, loads the demo and serves,
quietly, with the address and the demo logins printed last; a second start loads nothing again.

The time to the first 200 is measured by bench/startup.py (`make run`, warm); here the bound is
only a generous one, since CI shares its two cores with the rest of the suite.
"""

from __future__ import annotations

import os
import sys

from bench.startup import ROOT, free_port, measure

GENEROUS_SECONDS = 90


def _start(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "FLASK_APP": "therapy_portal:create_app",
        "THERAPY_PORTAL_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        # Deprecation warnings shown (they fail below); pygal's old-style import hook's
        # ImportWarning stays hidden, as Python hides it by default.
        "PYTHONWARNINGS": "default,ignore::ImportWarning",
    }
    command = [sys.executable, "-m", "flask", "run-demo", "--port", str(port)]
    command += ["--no-worker", "--no-remember"]
    return measure(command, f"http://127.0.0.1:{port}/login", env=env, cwd=ROOT, timeout=120)


def test_run_demo_serves_quietly_with_the_logins_last_and_loads_the_demo_once(tmp_path):
    first = _start(tmp_path)
    assert first.seconds < GENEROUS_SECONDS
    assert "Loaded the demo practice." in first.lines
    again = _start(tmp_path)
    assert "Loaded the demo practice." not in again.lines
    for start in (first, again):
        text = "\n".join(start.lines)
        assert start.logins_last, text
        assert "Therapy Portal is running at http://127.0.0.1:" in text
        assert "warning" not in text.lower() and "Traceback" not in text, text
        assert len(start.lines) <= 25, text
