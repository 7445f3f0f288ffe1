"""Per-account throttling in the database (auth/throttle.py): failures slow one address down and
then ask for a second step or an emailed link, but never lock the owner out."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.factories import PASSWORD, give_code, login
from tests.mailbox import SIGN_IN, latest_link_in
from therapy_portal.extensions import db
from therapy_portal.models import LoginFailure, OutboxEmail

# Per account, in the database: the owner is never locked out. --------------------------------


def _from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _fail_from_many_addresses(app, email: str, times: int) -> None:
    for i in range(times):
        attacker = _from(app, f"203.0.113.{i + 1}")
        assert login(attacker, email, "wrong password here").status_code == 401


def test_the_owner_still_signs_in_with_password_and_code_after_many_failures(app, world):
    email = world.emails["therapist"]
    _fail_from_many_addresses(app, email, 12)
    owner = _from(app, "198.51.100.7")
    response = login(owner, email, PASSWORD)
    assert response.status_code == 302 and response.location.endswith("/today")
    assert owner.get("/couples").status_code == 200


def test_the_owner_is_emailed_once_when_failures_pile_up(app, world):
    email = world.emails["therapist"]
    _fail_from_many_addresses(app, email, 8)
    with app.app_context():
        subjects = db.session.scalars(
            select(OutboxEmail.subject).where(OutboxEmail.to_address == email)
        ).all()
    assert subjects == ["Several failed sign-ins to your Therapy Portal account"]


def test_after_many_failures_a_password_alone_needs_an_emailed_link(app, world):
    email = world.emails["partner_a"]  # a partner without a second factor
    _fail_from_many_addresses(app, email, 5)
    owner = _from(app, "198.51.100.7")
    response = login(owner, email, PASSWORD)
    assert response.status_code == 200 and b"Check your email" in response.data
    assert owner.get("/home").status_code == 302  # not signed in by the password alone
    link = latest_link_in(app, email, SIGN_IN)
    assert owner.get(link).status_code == 200  # opening the link (mail scanners do) spends nothing
    done = owner.post(link)
    assert done.status_code == 302 and done.location.endswith("/home")
    assert owner.get("/home").status_code == 200
    assert owner.post(link).status_code == 410  # once


def test_failures_from_one_address_slow_that_address_down_not_the_owner(app, world):
    email = world.emails["therapist"]
    attacker = _from(app, "203.0.113.9")
    for _ in range(3):
        login(attacker, email, "wrong password here")
    assert login(attacker, email, PASSWORD).status_code == 429
    assert login(_from(app, "198.51.100.7"), email, PASSWORD).status_code == 302
    # Once the delay has passed, the address may try again.
    with app.app_context():
        for row in db.session.scalars(select(LoginFailure)):
            row.last_failed_at -= timedelta(seconds=5)
        db.session.commit()
    assert login(attacker, email, PASSWORD).status_code == 302


def test_the_delay_grows_and_is_capped(app, world):
    app.config["LOGIN_DELAY_MAX_SECONDS"] = 4
    email = world.emails["therapist"]
    attacker = _from(app, "203.0.113.9")
    waits = []
    for _ in range(6):
        with app.app_context():
            for row in db.session.scalars(select(LoginFailure)):
                row.last_failed_at -= timedelta(seconds=60)
            db.session.commit()
        login(attacker, email, "wrong password here")
        with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
            from therapy_portal.auth import throttle

            waits.append(throttle.wait_seconds(email, "203.0.113.9"))
    assert waits == [0, 0, 1, 2, 4, 4]


def test_unknown_and_known_accounts_answer_alike_after_many_failures(app, world):
    _fail_from_many_addresses(app, world.emails["partner_a"], 6)
    _fail_from_many_addresses(app, "ghost@example.com", 6)
    known = login(_from(app, "198.51.100.7"), world.emails["partner_a"], "still wrong pass")
    unknown = login(_from(app, "198.51.100.8"), "ghost@example.com", "still wrong pass")
    assert known.status_code == unknown.status_code == 401
    assert known.data.replace(world.emails["partner_a"].encode(), b"X") == unknown.data.replace(
        b"ghost@example.com", b"X"
    )


def test_a_wrong_second_step_code_counts_as_a_failure(app, world):
    email = world.emails["therapist"]
    client = _from(app, "203.0.113.9")
    for _ in range(3):
        client.post("/login", data={"email": email, "password": PASSWORD})
        give_code(client, "000000")
    with app.app_context():
        from therapy_portal.auth import throttle

        assert throttle.wait_seconds(email, "203.0.113.9") >= 1
