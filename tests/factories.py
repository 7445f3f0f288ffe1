"""Small functions that build test data. Each flushes; callers commit when they need to."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import count
from urllib.parse import urlsplit

import pyotp
from sqlalchemy import select

from therapy_portal.extensions import db
from therapy_portal.models import Couple, CoupleMember, CoupleTherapist, Practice, Role, User
from therapy_portal.passwords import hash_password

PASSWORD = "correct horse battery"
_seq = count(1)


def make_practice(name: str = "Harbor Practice") -> Practice:
    practice = Practice(name=name, timezone="America/New_York")
    db.session.add(practice)
    db.session.flush()
    return practice


def make_user(
    practice: Practice,
    role: str = Role.THERAPIST,
    *,
    name: str | None = None,
    email: str | None = None,
    password: str | None = PASSWORD,
    active: bool = True,
    credentials: str = "",
    mfa: bool | None = None,
) -> User:
    """A user; staff get a TOTP secret (the practice requires it), so `login` can give codes."""
    n = next(_seq)
    enrol = mfa if mfa is not None else role in (Role.ADMIN, Role.THERAPIST)
    user = User(
        practice_id=practice.id,
        role=role,
        name=name or f"{role.title()} {n}",
        email=(email or f"{role}{n}@example.com").lower(),
        credentials=credentials,
        password_hash=hash_password(password) if password else None,
        active=active,
        totp_secret=pyotp.random_base32() if enrol else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_couple(
    therapist: User,
    *,
    name: str | None = None,
    partners: int = 2,
    co_therapist: User | None = None,
    policy: str = "no_secrets",
    status: str = "active",
) -> Couple:
    couple = Couple(
        practice_id=therapist.practice_id,
        display_name=name or f"Couple {next(_seq)}",
        confidentiality_policy=policy,
        policy_agreed_on=date.today() - timedelta(days=3),
        status=status,
    )
    db.session.add(couple)
    db.session.flush()
    db.session.add(
        CoupleTherapist(
            practice_id=couple.practice_id,
            couple_id=couple.id,
            therapist_id=therapist.id,
            role="primary",
        )
    )
    if co_therapist is not None:
        db.session.add(
            CoupleTherapist(
                practice_id=couple.practice_id,
                couple_id=couple.id,
                therapist_id=co_therapist.id,
                role="co",
            )
        )
    practice = db.session.get(Practice, couple.practice_id)
    for label in "AB"[:partners]:
        partner = make_user(practice, Role.CLIENT, name=f"Partner {label} of {couple.display_name}")
        db.session.add(
            CoupleMember(
                practice_id=couple.practice_id, couple_id=couple.id, user_id=partner.id, label=label
            )
        )
    db.session.flush()
    return couple


def one_partner_couple_input(email: str, name: str = "Ivy Invited"):
    """What the "add a couple" form gives the service: one partner, invited at `email`."""
    from therapy_portal.caseload.services import CoupleInput, PartnerInput

    return CoupleInput(
        display_name="Invited Pair",
        partner_a=PartnerInput(name, email),
        partner_b=None,
        confidentiality_policy="no_secrets",
        policy_agreed_on=date(2026, 9, 9),
    )


def partner(couple: Couple, label: str) -> User:
    return db.session.scalar(
        select(User)
        .join(CoupleMember, CoupleMember.user_id == User.id)
        .where(CoupleMember.couple_id == couple.id, CoupleMember.label == label)
    )


@dataclass
class World:
    """Identities for authorization tests, as ids and emails (safe outside a session)."""

    ids: dict[str, int]
    emails: dict[str, str]
    couple_ids: dict[str, int]


def build_world() -> World:
    p1 = make_practice("Practice One")
    p2 = make_practice("Practice Two")
    admin = make_user(p1, Role.ADMIN, name="Admin One")
    therapist = make_user(p1, Role.THERAPIST, name="Therapist X", credentials="LMFT")
    other_therapist = make_user(p1, Role.THERAPIST, name="Therapist Y")
    far_therapist = make_user(p2, Role.THERAPIST, name="Therapist Z")
    c1 = make_couple(therapist, name="Couple One")
    c2 = make_couple(other_therapist, name="Couple Two")
    c3 = make_couple(far_therapist, name="Couple Three")
    users = {
        "admin": admin,
        "therapist": therapist,
        "other_therapist": other_therapist,
        "far_therapist": far_therapist,
        "partner_a": partner(c1, "A"),
        "partner_b": partner(c1, "B"),
        "other_partner": partner(c2, "A"),
    }
    db.session.commit()
    return World(
        ids={k: u.id for k, u in users.items()},
        emails={k: u.email for k, u in users.items()},
        couple_ids={"c1": c1.id, "c2": c2.id, "c3": c3.id},
    )


def login(client, email: str, password: str = PASSWORD, follow: bool = False):
    """Sign in as a person would: password, then (if enrolled) a fresh code from their app."""
    response = finish_login(
        client, client.post("/login", data={"email": email, "password": password}), email
    )
    if follow and response.status_code in (301, 302, 303):
        return client.get(response.location, follow_redirects=True)
    return response


def finish_login(client, response, email: str):
    """After the password step: give the second-step code when the portal asks for one.

    Like most people, the helper ticks "remember this device", so signing in again in the same
    client (browser) skips the code, as it would for them; a code works only once per 30 s.
    """
    if response.status_code == 302 and urlsplit(response.location).path == "/login/verify":
        return give_code(client, totp_code(client.application, email), remember="y")
    return response


def give_code(client, code: str, **fields):
    """Answer the second-step page (with its CSRF token when the app checks CSRF)."""
    data = {"code": code, **fields}
    if client.application.config.get("WTF_CSRF_ENABLED", True):
        page = client.get("/login/verify").get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        data["csrf_token"] = match.group(1) if match else ""
    return client.post("/login/verify", data=data)


def totp_code(app, email: str) -> str:
    """A code the server has not seen yet for this user (a code works once per 30 s step).

    Uses the previous, current or next step (the server allows one step of drift), and waits
    for the next step only when all three were spent by earlier logins in the same test.
    """
    with app.app_context():
        user = db.session.scalar(
            select(User).where(User.email == email.lower(), User.password_hash.is_not(None))
        )
        secret, last = user.totp_secret, user.totp_last_step
    totp = pyotp.TOTP(secret)
    while True:
        now = time.time()
        step = totp.timecode(datetime.fromtimestamp(now, UTC))
        # The previous step stops working at the next boundary: use it only well before that.
        earliest = step - 1 if now % 30 < 20 else step
        candidate = earliest if last is None else max(earliest, last + 1)
        if candidate <= step + 1:
            return totp.generate_otp(candidate)
        time.sleep(30 - now % 30 + 0.1)


def next_page_url(html: str | bytes) -> str | None:
    """The "Next page" link of a keyset pager (`_macros/pagination.html`), unescaped."""
    import re
    from html import unescape

    text = html.decode() if isinstance(html, bytes) else html
    match = re.search(r'<a href="([^"]+)" rel="next">', text)
    return unescape(match.group(1)) if match else None
