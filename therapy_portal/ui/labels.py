"""Plain words for what the audit log records: the codes stay in the database and the CSV
export; people read these."""

from __future__ import annotations

from therapy_portal.i18n import N_, gettext

_OBJECTS = {
    "auth": N_("Sign-in"),
    "admin": N_("Administration"),
    "admin_couples": N_("Administration"),
    "appointments": N_("Sessions"),
    "calendar": N_("Calendar link"),
    "calendar_feed": N_("Calendar link"),
    "caseload": N_("Caseload"),
    "couple": N_("Couple"),
    "homework": N_("Homework"),
    "measures": N_("Check-ins"),
    "messages": N_("Messages"),
    "note": N_("Session note"),
    "notes": N_("Session notes"),
    "note_export": N_("Notes export"),
    "partner": N_("Partner"),
    "practice": N_("Practice"),
    "practice_settings": N_("Practice settings"),
    "records": N_("Records request"),
    "safety_alert": N_(
        "Check-in flag"
    ),  # never the words a clinical page uses: admins see no alerts
}
_ACTIONS = {
    "auth.login": N_("Signed in"),
    "auth.login_failed": N_("Sign-in failed"),
    "auth.login_throttled": N_("Sign-in refused (too many tries)"),
    "auth.language_change": N_("Language changed"),
    "auth.logout": N_("Signed out"),
    "auth.mfa_enrolled": N_("Authenticator app set up"),
    "auth.mfa_failed": N_("Wrong authenticator code"),
    "auth.mfa_removed": N_("Authenticator app removed"),
    "auth.password_change": N_("Password changed"),
    "auth.password_reset": N_("Password reset"),
    "auth.reset_requested": N_("Password reset asked for"),
    "auth.session_end": N_("Session ended"),
    "auth.rate_limited": N_("Too many requests"),
    "admin.audit_view": N_("Audit log read"),
    "admin.audit_export": N_("Audit log exported"),
    "couple.view": N_("Couple's page read"),
    "couple.create": N_("Couple added"),
    "couple.update": N_("Couple's details changed"),
    "couple.close": N_("Couple closed"),
    "couple.reopen": N_("Couple reopened"),
    "homework.answer_view": N_("Homework read by a partner"),
    "homework.submit": N_("Homework submitted"),
    "homework.review_view": N_("Homework answers read"),
    "homework.give_feedback": N_("Feedback given"),
    "homework.feedback": N_("Feedback given"),
    "homework.export": N_("Homework answers downloaded"),
    "measures.view": N_("Check-in scores read"),
    "measures.answer": N_("Check-in answered"),
    "note.view": N_("Session note read"),
    "note.create": N_("Session note started"),
    "note.save": N_("Session note saved"),
    "note.sign": N_("Session note signed"),
    "note.addendum": N_("Addendum added"),
    "note.export_pdf": N_("Session note downloaded (PDF)"),
    "note.export_zip": N_("Session notes downloaded (ZIP)"),
    "records.view": N_("Records request read"),
    "safety_alert.raise": N_("Check-in flag raised"),
    "safety_alert.acknowledge": N_("Check-in flag acknowledged"),
}


def audit_label(code: str) -> str:
    """'note.export_pdf' → 'Session note downloaded (PDF)'; an unlisted code is spelled out
    ('homework.template_copy' → 'Homework: template copy')."""
    if code in _ACTIONS:
        return gettext(_ACTIONS[code])
    area, _, verb = code.partition(".")
    subject = gettext(_OBJECTS[area]) if area in _OBJECTS else area.replace("_", " ").capitalize()
    return f"{subject}: {verb.replace('_', ' ')}" if verb else subject
