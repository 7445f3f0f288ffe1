"""Run requests at the same moment: one thread per call, released together by a barrier.

Each call should use its own Flask test client, so each request gets its own app context,
session and database connection, as two browser tabs would.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import TEST_DB

TRIALS = 24
#: Races are proven on PostgreSQL (`make test` runs them there). SQLite serialises writers and
#: passes them too: set RACE_TESTS_ON_SQLITE=1 to run them on SQLite (about 80 s).
RACE_MARKS = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        TEST_DB != "postgres" and not os.environ.get("RACE_TESTS_ON_SQLITE"),
        reason="real write races run on PostgreSQL (RACE_TESTS_ON_SQLITE=1 for SQLite)",
    ),
]
#: A request that waits longer than this on a lock has deadlocked.
TIMEOUT_SECONDS = 60


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Start every call at once and return their results in order (re-raising any error)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(TIMEOUT_SECONDS)
            results[index] = call()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT_SECONDS)
    if any(thread.is_alive() for thread in threads):
        raise AssertionError("a concurrent request did not finish: a lock was never released")
    if errors:
        raise errors[0]
    return results


def assert_no_problems(problems: list[str]) -> None:
    """Fail with how many trials went wrong (each problem starts with "trial N:")."""
    trials = {p.split(":", 1)[0] for p in problems}
    assert not problems, f"{len(trials)} of {TRIALS} trials went wrong, e.g. {problems[:3]}"
