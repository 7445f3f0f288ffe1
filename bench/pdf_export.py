"""Benchmark: the app's PDF export against WeasyPrint alone, and a cached re-export.

    python bench/pdf_export.py [--reps 15]

Creates the app on a temporary SQLite database, seeds one signed DAP note (digest, two addenda)
and eight weeks of CSI-4 answers from both partners (so the PDF carries a measure chart), then,
with the render worker warm, measures for each repetition:

* direct:  WeasyPrint rendering the note's exact HTML and chart in this process
           (`render_pdf_bytes`: the same deny-all fetcher, print stylesheet and PDF/UA-1 variant);
* first:   `export_note_pdf(...)` with the PDF cache emptied (load, verify signatures, load the
           answers and draw the chart, build the HTML, render in the sandboxed worker, check the
           PDF, store in the cache, audit);
* cached:  `export_note_pdf(...)` again (verify, load the answers and fingerprint the chart for
           the cache key, cache hit, audit).

It prints the medians and the two ratios (targets: first/direct <= 1.15, cached/first <= 0.05).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PARAGRAPH = (
    "Sam described feeling unheard when weekend plans changed at short notice; Alex said they "
    "withdraw when a conversation opens with criticism. We mapped the pursue-withdraw cycle and "
    "practised a soft start-up twice, with coaching. Both noticed the shift in tone. "
)


def seed():
    from sqlalchemy import select

    from therapy_portal.extensions import db
    from therapy_portal.measures import score
    from therapy_portal.models import Couple, CoupleMember, CoupleTherapist, Practice, User
    from therapy_portal.models.measures import MeasureResponse, MeasureSchedule
    from therapy_portal.notes import addenda, services
    from therapy_portal.notes.services import NoteInput, SessionFacts

    practice = Practice(
        name="Riverside Couples Therapy",
        timezone="America/New_York",
        address="120 River Street, Suite 4, Hudson, NY 12534",
        phone="(518) 555-0142",
    )
    db.session.add(practice)
    db.session.flush()
    therapist = User(
        practice_id=practice.id,
        role="therapist",
        name="Maya Chen",
        email="maya@example.org",
        credentials="LMFT",
        password_hash=None,
    )
    couple = Couple(
        practice_id=practice.id,
        display_name="Rivera & Brooks",
        confidentiality_policy="no_secrets",
        policy_agreed_on=date(2026, 1, 5),
    )
    db.session.add_all([therapist, couple])
    db.session.flush()
    db.session.add(
        CoupleTherapist(
            practice_id=practice.id, couple_id=couple.id, therapist_id=therapist.id, role="primary"
        )
    )
    partners = []
    for label, name in (("A", "Sam Rivera"), ("B", "Alex Brooks")):
        partner = User(
            practice_id=practice.id,
            role="client",
            name=name,
            email=f"{label.lower()}@example.org",
            password_hash=None,
        )
        db.session.add(partner)
        db.session.flush()
        partners.append(partner)
        db.session.add(
            CoupleMember(
                practice_id=practice.id, couple_id=couple.id, user_id=partner.id, label=label
            )
        )
    facts = SessionFacts(
        date.today() - timedelta(days=1),
        clock(17, 0),
        clock(17, 50),
        "both",
        "90847",
        "in_person",
        "dap",
    )
    schedule = MeasureSchedule(
        practice_id=practice.id,
        couple_id=couple.id,
        instrument="csi4",
        starts_on=date.today() - timedelta(weeks=8),
    )
    db.session.add(schedule)
    db.session.flush()
    for week in range(8):
        for partner, answers in zip(
            partners, ([2, 3, 2 + week % 3, 3], [1, 2, 2, 2 + week % 2]), strict=True
        ):
            result = score("csi4", answers)
            db.session.add(
                MeasureResponse(
                    practice_id=practice.id,
                    couple_id=couple.id,
                    schedule_id=schedule.id,
                    partner_id=partner.id,
                    period_index=week,
                    instrument="csi4",
                    answers={str(n): v for n, v in enumerate(result.items, start=1)},
                    total=result.total,
                    band=result.band,
                    distressed=result.distressed,
                    mean=result.mean,
                    flags=list(result.flags),
                    taken_at=datetime.combine(schedule.period_start(week), clock(12), tzinfo=UTC),
                )
            )
    note = services.create_note(therapist, couple, facts)
    services.save_draft(
        therapist,
        note,
        NoteInput(
            facts,
            {"data": PARAGRAPH * 6, "assessment": PARAGRAPH * 3, "plan": PARAGRAPH * 2},
            interventions="EFT cycle mapping; soft start-up coaching.",
            risk_screening="Screened individually for IPV and self-harm: none reported.",
            next_session="Same time next week",
            digest="Since the last session\nHomework\n- Completed by both: Memory letter\n"
            "- Overdue: State of us check-in",
        ),
        note.version,
    )
    services.sign_note(therapist, note)
    addenda.add_addendum(
        therapist,
        note,
        "correction",
        "Swapped scores",
        "The CSI-4 scores were swapped: Sam 14, Alex 12.",
    )
    addenda.add_addendum(
        therapist,
        note,
        "late_entry",
        "Phone call",
        "Alex called on Tuesday to confirm the next appointment.",
    )
    db.session.commit()
    return db.session.scalar(select(User).where(User.id == therapist.id)), note.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()

    from pypdf import PdfReader
    from sqlalchemy import delete

    from therapy_portal import create_app
    from therapy_portal.extensions import db
    from therapy_portal.measures.note_charts import note_charts
    from therapy_portal.models.notes import NotePdfCache
    from therapy_portal.notes import export, reading
    from therapy_portal.pdf import prewarm_pool, render_pdf_bytes, shutdown_pool

    with tempfile.TemporaryDirectory() as folder:
        uri = f"sqlite:///{folder}/bench.sqlite3"
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": uri, "TESTING": False})
        with app.app_context():
            db.create_all()
            therapist, note_id = seed()
            note, integrity = reading.view_note(therapist, note_id)
            tz = therapist.practice.timezone
            charts = note_charts(therapist, note.couple, note.session_date, tz)
            assert charts, "the bench note should carry a measure chart"
            html = export.note_html(note, integrity, therapist.practice, charts)
            assets = {chart.asset_name: chart.svg for chart in charts}
            db.session.commit()
            prewarm_pool()

            def first() -> float:
                db.session.execute(delete(NotePdfCache))
                db.session.commit()
                started = time.perf_counter()
                result = export.export_note_pdf(therapist, note_id)
                elapsed = time.perf_counter() - started
                db.session.commit()
                assert not result.cached
                return elapsed

            def cached() -> float:
                started = time.perf_counter()
                result = export.export_note_pdf(therapist, note_id)
                elapsed = time.perf_counter() - started
                db.session.commit()
                assert result.cached
                return elapsed

            def direct() -> float:
                started = time.perf_counter()
                render_pdf_bytes(html, title="Session note", assets=assets)
                return time.perf_counter() - started

            pages = len(
                PdfReader(io.BytesIO(render_pdf_bytes(html, title="x", assets=assets))).pages
            )

            direct(), first(), cached()  # warm-up: imports, fonts, template compilation
            times: dict[str, list[float]] = {"direct": [], "first": [], "cached": []}
            for _ in range(args.reps):  # interleaved, so drift affects all three alike
                times["direct"].append(direct())
                times["first"].append(first())
                times["cached"].append(cached())
            shutdown_pool()

    medians = {k: statistics.median(v) for k, v in times.items()}
    print(f"repetitions: {args.reps} (medians; HTML {len(html):,} characters, {pages} pages)")
    for key, label in (
        ("direct", "WeasyPrint in-process (direct)"),
        ("first", "app export, first (uncached)"),
        ("cached", "app export, cached"),
    ):
        print(f"  {label:<32} {medians[key] * 1000:8.1f} ms")
    first_ratio = medians["first"] / medians["direct"]
    cached_ratio = medians["cached"] / medians["first"]
    print(
        f"first export / direct WeasyPrint: {first_ratio:.3f}  (target <= 1.15) "
        f"{'OK' if first_ratio <= 1.15 else 'OVER'}"
    )
    print(
        f"cached re-export / first export:  {cached_ratio:.3f}  (target <= 0.05) "
        f"{'OK' if cached_ratio <= 0.05 else 'OVER'}"
    )


if __name__ == "__main__":
    main()
