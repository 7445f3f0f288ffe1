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

from tests import clock
from therapy_portal import demo
from therapy_portal.extensions import db
from therapy_portal.models import Couple, CoupleMember, Practice, Role, User
from therapy_portal.passwords import hash_password

PASSWORD = "correct horse battery"
_seq = count(1)


def make_practice(name: str = "Harbor Practice") -> Practice:
    practice = Practice(name=name, timezone=clock.TEST_PRACTICE_ZONE)
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
    """A couple with partner accounts, built by the same code as the demo's couples."""
    name = name or f"Couple {next(_seq)}"
    practice = db.session.get(Practice, therapist.practice_id)
    people = {
        label: make_user(practice, Role.CLIENT, name=f"Partner {label} of {name}")
        for label in "AB"[:partners]
    }
    return demo.add_couple(
        therapist,
        name,
        people,
        co_therapist=co_therapist,
        policy=policy,
        agreed_on=clock.today() - timedelta(days=3),
        status=status,
    )


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
class People:
    """The one test world: a practice, its therapists, their couples and partners (and, when
    asked for, an admin and a second practice with its own therapist and couple).

    Every area's fixtures are views of it (`build_world`, the homework `hw`/`site`, the notes
    `people`, the check-ins `setup`, `tests/privacy_world.py`), so a test in any area meets the
    same kinds of people made the same way. Objects belong to the session that built them.
    """

    practice: Practice
    therapist: User
    other_therapist: User
    couple: Couple
    a: User
    b: User
    admin: User | None = None
    co_therapist: User | None = None
    other_couple: Couple | None = None
    other_partner: User | None = None
    far_practice: Practice | None = None
    far_therapist: User | None = None
    far_couple: Couple | None = None


def build_people(
    *,
    practice: str = "Harbor Practice",
    therapist: str = "Therapist T",
    credentials: str = "",
    co_therapist: tuple[str, str] | None = None,
    other_therapist: str = "Therapist O",
    couple: str = "Couple C",
    policy: str = "no_secrets",
    other_couple: str | None = "Couple D",
    admin: str | None = None,
    far: tuple[str, str, str] | None = None,
) -> People:
    """Build the world, flushed (callers commit when they need to).

    `co_therapist` is (name, credentials) of the couple's co-therapist; `far` is the (practice,
    therapist, couple) names of a second practice. People are made in one fixed order.
    """
    home = make_practice(practice)
    far_practice = make_practice(far[0]) if far else None
    the_admin = make_user(home, Role.ADMIN, name=admin) if admin else None
    lead = make_user(home, Role.THERAPIST, name=therapist, credentials=credentials)
    co = None
    if co_therapist:
        co = make_user(home, Role.THERAPIST, name=co_therapist[0], credentials=co_therapist[1])
    other = make_user(home, Role.THERAPIST, name=other_therapist)
    far_therapist = make_user(far_practice, Role.THERAPIST, name=far[1]) if far else None
    theirs = make_couple(lead, name=couple, policy=policy, co_therapist=co)
    second = make_couple(other, name=other_couple) if other_couple else None
    far_couple = make_couple(far_therapist, name=far[2]) if far else None
    db.session.flush()
    return People(
        practice=home,
        therapist=lead,
        other_therapist=other,
        couple=theirs,
        a=partner(theirs, "A"),
        b=partner(theirs, "B"),
        admin=the_admin,
        co_therapist=co,
        other_couple=second,
        other_partner=partner(second, "A") if second else None,
        far_practice=far_practice,
        far_therapist=far_therapist,
        far_couple=far_couple,
    )


@dataclass
class World:
    """Identities for authorization tests, as ids and emails (safe outside a session)."""

    ids: dict[str, int]
    emails: dict[str, str]
    couple_ids: dict[str, int]


def build_world() -> World:
    """The world for HTTP tests, committed, as ids and emails (the `world` fixture)."""
    people = build_people(
        practice="Practice One",
        admin="Admin One",
        therapist="Therapist X",
        credentials="LMFT",
        other_therapist="Therapist Y",
        couple="Couple One",
        other_couple="Couple Two",
        far=("Practice Two", "Therapist Z", "Couple Three"),
    )
    users = {
        "admin": people.admin,
        "therapist": people.therapist,
        "other_therapist": people.other_therapist,
        "far_therapist": people.far_therapist,
        "partner_a": people.a,
        "partner_b": people.b,
        "other_partner": people.other_partner,
    }
    couples = {"c1": people.couple, "c2": people.other_couple, "c3": people.far_couple}
    db.session.commit()
    return World(
        ids={k: u.id for k, u in users.items()},
        emails={k: u.email for k, u in users.items()},
        couple_ids={k: c.id for k, c in couples.items()},
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
