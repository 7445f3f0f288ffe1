"""The email outbox: rows written with the change that caused them, delivered by the worker.

`queue_email` adds a row to the current transaction and asks for a `deliver_outbox` task once that
transaction commits (`MAIL_DELIVER_ON_COMMIT`), so an invitation leaves within seconds; the worker's
periodic sweep and `flask send-reminders` deliver anything left over.

Emails never carry PHI: a greeting, a sentence saying something is waiting, and a link.

Each email is written in its recipient's language (`queue_email_for`, `i18n.for_person`): the
subject, body and footer when it is queued, and a personal link's sentence when the worker
delivers it (`mail_links`), whoever's request caused it.
"""

from __future__ import annotations

import smtplib
import sys
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from therapy_portal.devmail import store as dev_mailbox
from therapy_portal.extensions import db
from therapy_portal.i18n import N_, for_person, gettext
from therapy_portal.mail_links import body_for_delivery
from therapy_portal.models import OutboxEmail, User, utcnow

FOOTER = N_(
    "This message was sent by your practice's Therapy Portal. "
    "If you did not expect it, you can ignore it."
)


def queue_email(
    to: str,
    subject: str,
    body: str,
    *,
    kind: str = "notice",
    practice_id: int | None = None,
    dedupe_key: str | None = None,
    invitation_id: int | None = None,
) -> OutboxEmail | None:
    """Add an email to the outbox in the current transaction. A repeated dedupe key is a no-op."""
    if dedupe_key is not None:
        existing = db.session.scalar(
            select(OutboxEmail).where(OutboxEmail.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return None
    email = OutboxEmail(
        to_address=to,
        subject=subject,
        body=f"{body}\n\n{gettext(FOOTER)}",
        kind=kind,
        practice_id=practice_id,
        dedupe_key=dedupe_key,
        invitation_id=invitation_id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(email)
    except IntegrityError:
        return None
    if current_app.config.get("MAIL_DELIVER_ON_COMMIT"):
        from therapy_portal import tasks

        tasks.after_commit("deliver_outbox")
    return email


def queue_email_for(
    person: User,
    subject: str,
    body: str,
    *,
    kind: str = "notice",
    practice_id: int | None = None,
    dedupe_key: str | None = None,
    invitation_id: int | None = None,
    **values: object,
) -> OutboxEmail | None:
    """Queue an email to `person`, written in their language.

    `subject` and `body` are catalogue messages (marked with `N_`); `%(name)s` placeholders in
    them are filled from `values` (links, dates: nothing a partner wrote, no PHI)."""
    with for_person(person):
        return queue_email(
            person.email,
            gettext(subject, **values),
            gettext(body, **values),
            kind=kind,
            practice_id=practice_id,
            dedupe_key=dedupe_key,
            invitation_id=invitation_id,
        )


@dataclass(frozen=True)
class SentMail:
    """A message as the "outbox-only" backend (tests) delivered it; kept in memory only."""

    to: str
    subject: str
    body: str


def _deliver(email: OutboxEmail, body: str) -> None:
    cfg = current_app.config
    backend = cfg["MAIL_BACKEND"]
    if backend == "console":
        print(f"--- email to {email.to_address}: {email.subject}\n{body}\n---", file=sys.stdout)
    elif backend == "file":
        path = Path(cfg["MAIL_FILE"])
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"To: {email.to_address}\nSubject: {email.subject}\n\n{body}\n\n")
    elif backend == "smtp":
        message = EmailMessage()
        message["From"] = cfg["MAIL_FROM"]
        message["To"] = email.to_address
        message["Subject"] = email.subject
        message.set_content(body)
        with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=20) as smtp:
            if cfg["SMTP_STARTTLS"]:
                smtp.starttls()
            if cfg.get("SMTP_USERNAME"):
                smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"])
            smtp.send_message(message)
    elif backend == "outbox-only":
        sent = SentMail(email.to_address, email.subject, body)
        current_app.extensions.setdefault("sent_mail", []).append(sent)
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")


def send_pending(limit: int = 100) -> tuple[int, int]:
    """Deliver unsent emails once each. Returns (sent, failed). Safe to run from cron.

    An email with a personal link (invitation, password reset, sign-in link) gets it here, and
    only its hash is stored (`mail_links`); one whose link can no longer be made is cancelled.
    """
    stmt = (
        select(OutboxEmail)
        .where(
            OutboxEmail.sent_at.is_(None),
            OutboxEmail.cancelled_at.is_(None),
            OutboxEmail.attempts < 5,
        )
        .order_by(OutboxEmail.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    sent = failed = 0
    for email in db.session.scalars(stmt).all():
        body = body_for_delivery(email)
        if body is None:
            email.cancelled_at = utcnow()
            continue
        email.attempts += 1
        try:
            _deliver(email, body)
        except (OSError, smtplib.SMTPException) as exc:
            email.last_error = type(exc).__name__
            failed += 1
        else:
            email.sent_at = utcnow()
            dev_mailbox.keep(email, body)
            sent += 1
    db.session.commit()
    return sent, failed
