"""Access expectations for core, auth, admin, caseload and partner routes."""

from __future__ import annotations

from tests.factories import World

ALL = (
    "anonymous",
    "partner_a",
    "partner_b",
    "other_partner",
    "therapist",
    "other_therapist",
    "admin",
)


def only(allowed: tuple[str, ...], anonymous: str = "login") -> dict[str, str]:
    return {
        who: ("ok" if who in allowed else anonymous if who == "anonymous" else "denied")
        for who in ALL
    }


EVERYONE = {who: "ok" for who in ALL}
SIGNED_IN = only(ALL[1:])
THERAPIST_C1 = only(("therapist",))
ANY_THERAPIST = only(("therapist", "other_therapist"))
ADMIN = only(("admin",))
PARTNERS = only(("partner_a", "partner_b", "other_partner"))
STAFF = only(("therapist", "other_therapist", "admin"))

EXPECTED = {
    "core.healthz": EVERYONE,
    "core.index": {**EVERYONE, "anonymous": "login"},
    "core.favicon": EVERYONE,
    # The style page exists in development only: not found in testing (and production).
    "core.style_page": only((), anonymous="denied"),
    "auth.login": EVERYONE,
    "auth.logout": EVERYONE,
    # Logging out ends on the login page, for everyone.
    "POST auth.logout": {who: "login" for who in ALL},
    "auth.accept_invitation": EVERYONE,
    "auth.change_password": SIGNED_IN,
    # The second step only works half-way through signing in; otherwise it sends to the login.
    "auth.verify": {who: "login" for who in ALL},
    "auth.enrol": {who: "login" for who in ALL},
    "auth.security": SIGNED_IN,
    "auth.set_up_totp": SIGNED_IN,
    "auth.remove_totp": SIGNED_IN,
    "auth.new_recovery_codes": SIGNED_IN,
    "auth.forget_devices": SIGNED_IN,
    # Session 999999 is nobody's: not found for everyone signed in.
    "auth.end_session": only(()),
    "auth.end_other_sessions": SIGNED_IN,
    "auth.passkey_register_options": STAFF,
    "auth.passkey_register": STAFF,
    # Nobody has passkey 1 in the test world.
    "auth.remove_passkey": only(()),
    # Without a sign-in in progress these answer 400 with a JSON message.
    "auth.passkey_login_options": EVERYONE,
    "auth.passkey_login": EVERYONE,
    "auth.session_status": EVERYONE,
    "auth.keep_alive": SIGNED_IN,
    "auth.password_strength": EVERYONE,
    "auth.forgot_password": EVERYONE,
    "auth.reset_password": EVERYONE,
    "auth.sign_in_link": EVERYONE,
    "admin.therapists": ADMIN,
    "admin.audit_log": ADMIN,
    "admin.audit_export": ADMIN,
    "admin.deactivate": ADMIN,
    "admin.reactivate": ADMIN,
    "admin.resend": ADMIN,
    "admin_couples.couples": ADMIN,
    "admin_couples.care_team_edit": ADMIN,
    "admin_couples.emergency_record": {**ADMIN, "admin": "denied"},  # no grant in the world
    "admin_couples.emergency_end": {**ADMIN, "admin": "denied"},
    "admin.reset_second_factor": ADMIN,
    "admin.practice_security": ADMIN,
    "admin.partners": ADMIN,
    "admin.end_sessions": ADMIN,
    "admin.end_all_sessions": ADMIN,
    "admin.reassign_couples": ADMIN,
    "caseload.index": ANY_THERAPIST,
    "caseload.clear_search": ANY_THERAPIST,
    "caseload.create": ANY_THERAPIST,
    "caseload.detail": THERAPIST_C1,
    "caseload.edit": THERAPIST_C1,
    "caseload.access_log": THERAPIST_C1,
    "caseload.add_partner": THERAPIST_C1,
    "caseload.close": THERAPIST_C1,
    "caseload.reopen": THERAPIST_C1,
    "caseload.resend_invitation": THERAPIST_C1,
    "partner.home": PARTNERS,
    "partner.stop_boosters": PARTNERS,
    # Development and tests only (production has no such route): see tests/core/test_devmail.py.
    "devmail.mailbox": EVERYONE,
}


def params(world: World) -> dict:
    return {
        "couple_id": world.couple_ids["c1"],
        "user_id": world.ids["other_therapist"],
        "label": "A",
        "token": "not-a-real-token",
        "grant_id": 1,
        "passkey_id": 1,
        "session_id": 999999,
    }
