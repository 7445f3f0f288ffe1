"""Benchmark: every therapist and partner page on a 200-couple and a large database, one run.

    python bench/seed.py postgresql://postgres@127.0.0.1:5432/bench_small
    python bench/seed.py postgresql://postgres@127.0.0.1:5432/bench_large --large
    python bench/pages.py --small postgresql://postgres@127.0.0.1:5432/bench_small \\
                          --large postgresql://postgres@127.0.0.1:5432/bench_large

It starts one ``gunicorn -w 2 -k sync`` per database on 127.0.0.1 (``--port`` and the next
port), signs in on each as the seed's therapist and partner through the real forms (CSRF token
read from the page; the therapist answers the second-step code with the seed's TOTP secret),
checks that every page answers 200, and drives each page with ``wrk`` (8 connections, the
session cookie sent by a Lua script), on the small database and then the large one. The
therapist's landing page is whatever ``/`` redirects them to; pages are named by endpoint, and
an endpoint this checkout lacks is skipped with a message. It prints requests per second, p50
and p99 per page, the ratio to ``/healthz`` measured just before the page on the same server,
the large/small p50 ratio, whether the targets were met, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import sign_in, start_server, wrk  # noqa: E402

# (name, endpoint, URL arguments filled from IDS_SQL). An endpoint the app does not have (a page
# another branch adds, such as today.index) is skipped with a message, so the list can name
# pages before they land. The therapist's landing page is whatever "/" redirects them to.
THERAPIST_PAGES = [
    ("today", "today.index", {}),
    ("caseload", "caseload.index", {}),
    ("couple", "caseload.detail", {"couple_id": "couple"}),
    ("couple homework", "homework.couple_homework", {"couple_id": "couple"}),
    ("assignment", "homework.assignment_detail", {"assignment_id": "assignment"}),
    ("review queue", "homework.review_queue", {}),
    ("review page", "homework.review", {"occurrence_id": "waiting"}),
    ("notes list", "notes.index", {}),
    ("couple notes", "notes.couple_notes", {"couple_id": "couple"}),
    ("note view", "notes.detail", {"note_id": "note"}),
    ("progress", "measures.progress_page", {"couple_id": "couple"}),
    ("library", "homework.library", {}),
    ("assign", "homework.assign", {"couple_id": "couple"}),
]
PARTNER_PAGES = [
    ("partner home", "partner.home", {}),
    ("partner answer", "homework.answer", {"occurrence_id": "upcoming"}),
    ("partner check-ins", "measures.partner_index", {}),
]
IDS_SQL = {
    "couple": "SELECT min(id) FROM couple",
    "assignment": "SELECT min(id) FROM assignment WHERE couple_id = {couple}",
    "waiting": "SELECT min(id) FROM occurrence WHERE couple_id = {couple} "
    "AND reviewed_at IS NULL AND submitted_count > 0",
    "note": "SELECT max(id) FROM session_note WHERE couple_id = {couple}",
    "upcoming": "SELECT min(id) FROM occurrence WHERE couple_id = {couple} "
    "AND due_on >= current_date",
}


def page_ids(url: str) -> dict[str, int]:
    ids: dict[str, int] = {}
    with psycopg.connect(url) as conn:
        for key, sql in IDS_SQL.items():
            ids[key] = conn.execute(sql.format(**ids)).fetchone()[0]
    return ids


def url_map():
    """This checkout's routes (the app built on a throwaway SQLite database)."""
    from therapy_portal import create_app

    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"}).url_map


def resolve(pages: list, ids: dict[str, int], urls) -> list[tuple[str, str]]:
    """(name, path) of each page whose endpoint exists; the others are skipped, saying so."""
    known = {rule.endpoint for rule in urls.iter_rules()}
    adapter = urls.bind("127.0.0.1")
    found = []
    for name, endpoint, args in pages:
        if endpoint not in known:
            print(f"skipped {name}: this checkout has no endpoint {endpoint}", flush=True)
            continue
        found.append((name, adapter.build(endpoint, {k: ids[v] for k, v in args.items()})))
    return found


class Site:
    """One database behind its own gunicorn, with a therapist and a partner signed in."""

    def __init__(self, url: str, port: int) -> None:
        self.ids = page_ids(url)
        self.base = f"http://127.0.0.1:{port}"
        self.server = start_server(url, port)
        try:
            self.therapist = sign_in(self.base, "therapist1@bench.example")
            self.partner = sign_in(self.base, f"p{self.ids['couple']}a@bench.example")
        except BaseException:
            self.stop()
            raise

    def landing(self) -> str:
        """The path "/" sends the signed-in therapist to."""
        return urllib.parse.urlsplit(
            self.therapist[1].open(self.base + "/", timeout=60).geturl()
        ).path

    def measure(self, path: str, who: str | None, seconds: int, connections: int) -> tuple:
        cookie, opener = getattr(self, who) if who else (None, None)
        if opener is not None:
            for _ in range(3):  # warm the workers and check the page answers 200
                if opener.open(self.base + path, timeout=60).status != 200:
                    raise SystemExit(f"{self.base}{path} did not answer 200")
        return wrk(self.base + path, cookie, seconds, connections)

    def stop(self) -> None:
        self.server.terminate()
        self.server.wait(timeout=30)


def run(args) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """Both databases served at once; each page is measured on the small database and then on
    the large one, so a change in the machine's load hits both columns alike. Right before
    each page, ``/healthz`` is measured on the same server, and the page's ratio is to that
    figure: on a shared machine whose load drifts within a minute, a ratio to one ``/healthz``
    figure from the start of the run would mostly measure the drift. Each page is measured
    ``--rounds`` times on each database (alternating which goes first) and each figure's median
    is reported. Results: (req/s, p50 ms, p99 ms, ratio)."""
    urls = url_map()
    sites: list[Site] = []
    try:
        for n, url in enumerate((args.small, args.large)):
            sites.append(Site(url, args.port + n))
        landing = sites[0].landing()
        if sites[1].landing() != landing:
            raise SystemExit("the two databases land the therapist on different pages")
        therapist = [(f"landing ({landing})", landing)] + [
            (name, path)
            for name, path in resolve(THERAPIST_PAGES, sites[0].ids, urls)
            if path != landing
        ]
        plan = [("/healthz", "/healthz", None)]
        plan += [(name, path, "therapist") for name, path in therapist]
        plan += [(n, p, "partner") for n, p in resolve(PARTNER_PAGES, sites[0].ids, urls)]
        small: dict[str, tuple] = {}
        large: dict[str, tuple] = {}
        for name, path, who in plan:
            if args.only and name != "/healthz" and args.only not in name:
                continue
            runs: list[list[tuple]] = [[], []]
            for r in range(args.rounds):
                for n in (0, 1) if r % 2 == 0 else (1, 0):  # alternate which goes first
                    runs[n].append(_against_healthz(sites[n], path, who, args))
            small[name], large[name] = _median(runs[0]), _median(runs[1])
            figures = " ".join(f"{x:.3f}" for x in small[name] + large[name])
            print(f"measured {name}: {figures}", file=sys.stderr, flush=True)
        return small, large
    finally:
        for site in sites:
            site.stop()


def _against_healthz(site: Site, path: str, who: str | None, args) -> tuple:
    for _ in range(3):  # on a saturated machine wrk can finish no request in the time given
        base = site.measure("/healthz", None, max(2, args.seconds // 2), args.connections)
        if base[0] > 0:
            break
    else:
        raise SystemExit("/healthz answered nothing in three tries: the machine is saturated")
    rps, p50, p99 = site.measure(path, who, args.seconds, args.connections)
    return rps, p50, p99, rps / base[0]


def _median(runs: list[tuple]) -> tuple:
    """Each figure's median over the rounds."""
    return tuple(statistics.median(r[i] for r in runs) for i in range(4))


def report(small: dict, large: dict, therapist_names: list[str]) -> None:
    print(
        f"{'page':<26} | {'200 couples: req/s  p50 ms  p99 ms  x healthz':<46}"
        f"| {'large: req/s  p50 ms  p99 ms  x healthz':<41}| p50 large/small"
    )
    for name in small:
        s, g = small[name], large[name]
        print(
            f"{name:<26} | {s[0]:>17.1f} {s[1]:>7.1f} {s[2]:>7.1f} {s[3]:>9.3f}     "
            f"| {g[0]:>12.1f} {g[1]:>7.1f} {g[2]:>7.1f} {g[3]:>9.3f}  "
            f"| {g[1] / s[1]:>6.2f}"
        )
    landing = next((n for n in small if n.startswith("landing")), None)
    if landing:
        ratio = small[landing][3]
        print(
            f"landing at 200 couples: {ratio:.3f}x /healthz (target >= 0.10): "
            f"{'met' if ratio >= 0.10 else 'NOT met'}"
        )
    worst = max(
        ((large[n][1] / small[n][1], n) for n in small if n in therapist_names), default=None
    )
    if worst:
        print(
            f"worst therapist p50 large/small: {worst[0]:.2f} ({worst[1]}; target <= 1.5): "
            f"{'met' if worst[0] <= 1.5 else 'NOT met'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", required=True, help="URL of the seed's 200-couple database")
    parser.add_argument("--large", required=True, help="URL of the seed's --large database")
    parser.add_argument(
        "--port", type=int, default=5200, help="the small database's server; the large one's is +1"
    )
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each page")
    parser.add_argument("--only", help="run only the pages whose name contains this")
    args = parser.parse_args()
    before = os.getloadavg()
    started = time.monotonic()
    small, large = run(args)
    after = os.getloadavg()
    partner_names = {name for name, _e, _a in PARTNER_PAGES}
    therapist = [n for n in small if not n.startswith("/healthz") and n not in partner_names]
    report(small, large, therapist)
    print(
        f"load average before: {before[0]:.2f} {before[1]:.2f} {before[2]:.2f}; "
        f"after: {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}; "
        f"{os.cpu_count()} CPUs; {time.monotonic() - started:.0f} s; "
        f"wrk -t1 -c{args.connections} -d{args.seconds}s x {args.rounds} rounds, "
        "gunicorn -w 2 -k sync"
    )


if __name__ == "__main__":
    main()
