"""Benchmark: how long `make run` takes to serve, and how much it prints.

    python bench/startup.py                 # three warm starts of `make run` on a free port
    python bench/startup.py --runs 5 -- -o .venv/.installed   # extra arguments go to make

Each run starts `make run PORT=<free port>` in its own process group, polls /login until it
answers 200, waits a second for the output to settle, then stops the group with SIGINT (as a
Ctrl-C would). It prints, per run, the seconds to the first 200, the lines printed and whether
the demo logins came last, then the median and the load average (a busy machine is slower).
A warm start is a venv that is installed (its stamp newer than pyproject.toml) and a database
that exists: run `make run` once before measuring.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAST_LINE = "partner"  # the demo logins end with the partners' lines


@dataclass
class Start:
    seconds: float
    lines: list[str]

    @property
    def logins_last(self) -> bool:
        printed = [line for line in self.lines if line.strip()]
        # Request log lines (" - - [") may follow once the poll reached the server.
        settled = [line for line in printed if " - - [" not in line]
        return bool(settled) and settled[-1].strip().startswith(LAST_LINE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(command: list[str], url: str, *, env=None, cwd=ROOT, timeout: float = 120) -> Start:
    """Start `command`, time its first 200 from `url`, stop it; its output lines included."""
    with tempfile.TemporaryFile(mode="w+") as out:
        began = time.monotonic()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            seconds = _first_200(url, began, timeout, process)
            time.sleep(1)
            out.flush()
            out.seek(0)
            lines = out.read().splitlines()  # what a person sees once it settles
        finally:
            _stop(process)
        return Start(seconds, lines)


def _first_200(url: str, began: float, timeout: float, process: subprocess.Popen) -> float:
    while time.monotonic() - began < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {process.returncode}) before serving")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return time.monotonic() - began
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"no 200 from {url} within {timeout} s")


def _stop(process: subprocess.Popen) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=10)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("make_args", nargs="*", help="extra arguments for make (after --)")
    args = parser.parse_args()
    times = []
    for run in range(1, args.runs + 1):
        port = free_port()
        start = measure(
            ["make", "--no-print-directory", *args.make_args, "run", f"PORT={port}"],
            f"http://127.0.0.1:{port}/login",
        )
        times.append(start.seconds)
        print(
            f"run {run}: first 200 after {start.seconds:.1f} s, {len(start.lines)} lines printed, "
            f"logins last: {start.logins_last}"
        )
    print(f"median {statistics.median(times):.1f} s; load average {os.getloadavg()[0]:.1f}")
    sys.exit(0 if max(times) <= 15 else 1)


if __name__ == "__main__":
    main()
