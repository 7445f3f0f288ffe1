"""Seed a PostgreSQL database for the page benchmark.

    python bench/seed.py postgresql://postgres@127.0.0.1:5432/bench_small
    python bench/seed.py postgresql://postgres@127.0.0.1:5432/bench_large --large

Default: one practice, one therapist with 200 couples. ``--large``: 4 practices of 20
therapists with 200 couples each (16,000 couples, 1.6 million homework answers, 1.7 million
check-ins, 192,000 signed notes). Every couple has a year of weekly homework (both partners
answer), a weekly CSI-4 check-in and a signed note every four weeks (see ``seed_rows``). The
first therapist of the first practice (``therapist1@bench.example``) and partner A of their first
couple (``p1a@bench.example``) sign in with ``BENCH_PASSWORD``: they see the same 200 couples
in both databases.

The schema comes from the migrations; bulk rows are loaded with COPY (secondary indexes
dropped, foreign-key triggers off), then indexed and analysed. Existing content is dropped.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg  # noqa: E402
from copyload import copy_rows, reset_sequences, secondary_indexes  # noqa: E402
from seed_rows import Ids, Prototype, checkin_rows, homework_rows, note_rows  # noqa: E402

BENCH_PASSWORD = "bench-Password-2026"  # noqa: S105 (a throwaway benchmark database)
SIGNING_KEY = "bench-only-note-signing-key"
# Staff need a second factor: all share this TOTP secret; bench/serve.py answers with it.
BENCH_TOTP_SECRET = "JBSWY3DPEHPK3PXPBENCHONLYSECRETA"  # noqa: S105
BULK = [
    "user_account",
    "couple",
    "couple_member",
    "couple_therapist",
    "assignment",
    "occurrence",
    "response",
    "measure_schedule",
    "measure_response",
    "session_note",
]
PROMPTS = [
    {"key": "noticed", "type": "long_text", "label": "What did you appreciate this week?"},
    {
        "key": "close",
        "type": "scale",
        "label": "How close did you feel?",
        "min": 0,
        "max": 10,
        "min_label": "Not at all",
        "max_label": "Very",
    },
    {"key": "next", "type": "short_text", "label": "One thing to try next week"},
]
FIELDS = {
    "p_noticed": ["They made coffee before my early shift and left a note on the cup."],
    "p_close": ["7"],
    "p_next": ["A walk after dinner on Thursday"],
}


def bench_app(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("NOTE_SIGNING_KEY", SIGNING_KEY)
    from therapy_portal import create_app

    return create_app("development")


def reset_schema(app, url: str) -> None:
    from flask_migrate import upgrade

    from therapy_portal.extensions import db
    from therapy_portal.homework.services import load_library

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    with app.app_context():
        upgrade()
        load_library()
        db.session.commit()


def people(args, password_hash: str, ids: Ids) -> tuple[list, list, list]:
    """(practices, staff users, couples as dicts with their partner ids)."""
    practices, staff, couples = [], [], []
    for p in range(1, args.practices + 1):
        practices.append({"id": p, "name": f"Bench Practice {p}", "timezone": "America/New_York"})
        for t in range(args.therapists):
            uid = ids.take("user_account")
            number = (p - 1) * args.therapists + t + 1
            staff.append(
                {
                    "id": uid,
                    "practice_id": p,
                    "role": "therapist",
                    "email": f"therapist{number}@bench.example",
                    "name": f"Therapist {number}",
                    "credentials": "LMFT",
                    "password_hash": password_hash,
                    "totp_secret": BENCH_TOTP_SECRET,
                }
            )
            for _ in range(args.couples):
                cid = ids.take("couple")
                couples.append(
                    {
                        "id": cid,
                        "practice_id": p,
                        "therapist_id": uid,
                        "therapist_name": f"Therapist {number}",
                        "partners": {"A": ids.take("user_account"), "B": ids.take("user_account")},
                    }
                )
    return practices, staff, couples


def couple_rows(couple: dict, password_hash: str, ids: Ids, policy_day: date):
    cid, pid = couple["id"], couple["practice_id"]
    users = [
        {
            "id": uid,
            "practice_id": pid,
            "role": "client",
            "email": f"p{cid}{label.lower()}@bench.example",
            "name": f"Partner {label} of Couple {cid}",
            "password_hash": password_hash,
        }
        for label, uid in couple["partners"].items()
    ]
    row = {
        "id": cid,
        "practice_id": pid,
        "display_name": f"Couple {cid:05d}",
        "confidentiality_policy": "no_secrets",
        "policy_agreed_on": policy_day,
    }
    members = [
        {
            "id": ids.take("couple_member"),
            "practice_id": pid,
            "couple_id": cid,
            "user_id": u,
            "label": label,
        }
        for label, u in couple["partners"].items()
    ]
    therapist = {
        "id": ids.take("couple_therapist"),
        "practice_id": pid,
        "couple_id": cid,
        "therapist_id": couple["therapist_id"],
        "role": "primary",
    }
    return users, [row], members, [therapist]


def prototype(app, practices: list, staff: list) -> Prototype:
    """The practice templates (made through the service) and valid answers and scores."""
    from therapy_portal.extensions import db
    from therapy_portal.homework import services
    from therapy_portal.homework.services.common import validate_answers
    from therapy_portal.measures import score
    from therapy_portal.models import User

    versions = {}
    with app.app_context():
        for practice in practices:
            first = next(s for s in staff if s["practice_id"] == practice["id"])
            template = services.create_template(
                db.session.get(User, first["id"]),
                services.TemplateInput(
                    title="Weekly appreciation",
                    family="gratitude",
                    summary="Notice and name what your partner did.",
                    instructions="Write down what you noticed and appreciated.",
                    default_mode="each_partner",
                    default_cadence="weekly",
                    prompts=PROMPTS,
                ),
            )
            version = services.latest_version(template)
            versions[practice["id"]] = version.id
            prompts = version.prompts
        db.session.commit()
        answers, errors = validate_answers(prompts, FIELDS)
        assert answers is not None, errors
        checkins = [score("csi4", [a, b, 4, 3]) for a in (3, 4, 5) for b in (2, 3, 4)]
    visibility = {p["key"]: p["visibility"] for p in prompts}
    return Prototype(versions, visibility, FIELDS, answers, checkins, date.today())


def load(app, url: str, args) -> dict[str, int]:
    from therapy_portal.models import PROGRESS_RECOUNT
    from therapy_portal.notes.signing import sign_note_fields
    from therapy_portal.passwords import hash_password

    ids = Ids({})
    password_hash = hash_password(BENCH_PASSWORD)
    practices, staff, couples = people(args, password_hash, ids)
    counts: dict[str, int] = {}
    with psycopg.connect(url) as conn:
        copy_rows(conn, "practice", practices)
        copy_rows(conn, "user_account", staff)
        reset_sequences(conn, ["practice", "user_account"])
    proto = prototype(app, practices, staff)
    with psycopg.connect(url) as conn:
        for table in BULK:
            conn.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER ALL')
        for index in secondary_indexes(BULK):
            conn.execute(f'DROP INDEX IF EXISTS "{index.name}"')
        people_rows = [couple_rows(c, password_hash, ids, proto.today) for c in couples]
        for n, table in enumerate(["user_account", "couple", "couple_member", "couple_therapist"]):
            counts[table] = copy_rows(conn, table, (r for rows in people_rows for r in rows[n]))
        with app.app_context():
            _bulk(
                conn,
                counts,
                ids,
                ["assignment", "occurrence", "response"],
                lambda i, c: homework_rows(ids, proto, c, i % args.couples),
                couples,
            )
            _bulk(
                conn,
                counts,
                ids,
                ["measure_schedule", "measure_response"],
                lambda i, c: checkin_rows(ids, proto, c),
                couples,
            )
            _bulk(
                conn,
                counts,
                ids,
                ["session_note"],
                lambda i, c: (note_rows(ids, proto, c, sign_note_fields),),
                couples,
            )
        conn.commit()
        started = time.monotonic()
        for index in secondary_indexes(BULK):
            conn.execute(str(_create_index_sql(index)))
        for table in BULK:
            conn.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER ALL')
        reset_sequences(conn, BULK)
        # COPY bypasses the ORM listener that keeps each partner's check-in progress.
        counts["checkin_progress"] = conn.execute(PROGRESS_RECOUNT).rowcount
        conn.commit()
        counts["index_seconds"] = round(time.monotonic() - started)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return counts


def _bulk(conn, counts: dict, ids: Ids, tables: list[str], rows_for, couples: list) -> None:
    """COPY each table's part of ``rows_for(i, couple)``, streaming: the generator runs once
    per table from the same starting ids, so the ids it assigns agree across the tables."""
    start = dict(ids.next)
    for n, table in enumerate(tables):
        ids.next = dict(start)
        rows = (r for i, c in enumerate(couples) for r in rows_for(i, c)[n])
        counts[table] = copy_rows(conn, table, rows)


def _create_index_sql(index):
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex

    return CreateIndex(index).compile(dialect=postgresql.dialect())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="postgresql://... (its content is replaced)")
    parser.add_argument("--large", action="store_true", help="4 x 20 therapists x 200 couples")
    parser.add_argument("--practices", type=int, default=1)
    parser.add_argument("--therapists", type=int, default=1)
    parser.add_argument("--couples", type=int, default=200)
    args = parser.parse_args()
    if args.large:
        args.practices, args.therapists, args.couples = 4, 20, 200
    url = args.url.replace("postgresql+psycopg://", "postgresql://")
    started = time.monotonic()
    app = bench_app(url.replace("postgresql://", "postgresql+psycopg://"))
    reset_schema(app, url)
    with app.app_context():
        counts = load(app, url, args)
    counts["seconds"] = round(time.monotonic() - started)
    print(" ".join(f"{k}={v:,}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
