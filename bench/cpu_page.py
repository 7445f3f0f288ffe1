"""CPU time per request of a page against `/healthz`, in-process, on a database made by seed.py.

    python bench/cpu_page.py postgresql://postgres@127.0.0.1:5432/bench_scale_small
    python bench/cpu_page.py URL /couples --requests 200 --rounds 5

Wall-clock ratios on a shared machine mostly measure the queue for a CPU; the CPU time the web
process spends on a request does not depend on the other processes. This builds the app as
gunicorn would, signs in as the seed's therapist with Flask's test client (bench/profile_page.py),
warms both pages, then alternates `--rounds` rounds of `--requests` requests of `/healthz` and
of the page, timing each with `time.process_time` (this process only: PostgreSQL's own work is
not counted) and `time.perf_counter`, and prints the median CPU and wall milliseconds per
request, the CPU ratio healthz/page, the SQL statements per request and the load average.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))
from profile_page import signed_in_client  # noqa: E402
from seed import SIGNING_KEY  # noqa: E402


def _timed(client, path: str, requests: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(requests):
        if client.get(path).status_code != 200:
            raise SystemExit(f"{path} did not answer 200")
    return (
        (time.process_time() - cpu) / requests * 1000,
        (time.perf_counter() - wall) / requests * 1000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="postgresql://... made by bench/seed.py")
    parser.add_argument("path", nargs="?", default="/today")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--profile", type=int, metavar="N", help="print cProfile's N costliest calls of the page"
    )
    parser.add_argument("--sql", action="store_true", help="print the page's statements once")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.url.replace("postgresql://", "postgresql+psycopg://")
    os.environ.setdefault("NOTE_SIGNING_KEY", SIGNING_KEY)
    os.environ.setdefault("RATELIMIT_ENABLED", "false")
    from therapy_portal import create_app
    from therapy_portal.extensions import db

    app = create_app("development")
    client = signed_in_client(app, "therapist1@bench.example")
    for path in ("/healthz", args.path):
        _timed(client, path, 10)
    statements = [0]

    def count(*_):
        statements[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    if args.sql:
        seen: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda c, cu, st, *r: seen.append(st))
        client.get(args.path)
        print(*(" ".join(st.split())[:300] for st in seen), sep="\n")
    if args.profile:
        profiler = cProfile.Profile(time.process_time)  # CPU, not waiting
        profiler.runcall(_timed, client, args.path, args.requests)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    figures: dict[str, list[tuple[float, float]]] = {"/healthz": [], args.path: []}
    per_request = {}
    load = os.getloadavg()
    for _ in range(args.rounds):
        for path in figures:
            statements[0] = 0
            figures[path].append(_timed(client, path, args.requests))
            per_request[path] = statements[0] / args.requests
    cpu = {p: statistics.median(c for c, _ in f) for p, f in figures.items()}
    wall = {p: statistics.median(w for _, w in f) for p, f in figures.items()}
    for path in figures:
        print(
            f"{path:<12} CPU {cpu[path]:6.2f} ms  wall {wall[path]:7.2f} ms  "
            f"{per_request[path]:.1f} statements per request"
        )
    print(
        f"CPU ratio /healthz / {args.path}: {cpu['/healthz'] / cpu[args.path]:.3f} "
        f"({args.rounds} rounds of {args.requests}; load average "
        f"{' '.join(f'{x:.2f}' for x in load)} before, "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} after)"
    )


if __name__ == "__main__":
    main()
