"""Plain words for what the audit log records: the codes stay in the database and the CSV
export; people read these."""

from __future__ import annotations

_OBJECTS = {
    "auth": "Sign-in",
    "admin": "Administration",
    "admin_couples": "Administration",
    "appointments": "Sessions",
    "calendar": "Calendar link",
    "calendar_feed": "Calendar link",
    "caseload": "Caseload",
    "couple": "Couple",
    "homework": "Homework",
    "measures": "Check-ins",
    "messages": "Messages",
    "note": "Session note",
    "notes": "Session notes",
    "note_export": "Notes export",
    "partner": "Partner",
    "practice": "Practice",
    "practice_settings": "Practice settings",
    "records": "Records request",
    "safety_alert": "Check-in flag",  # never the words a clinical page uses: admins see no alerts
}
_ACTIONS = {
    "auth.login": "Signed in",
    "auth.login_failed": "Sign-in failed",
    "auth.login_throttled": "Sign-in refused (too many tries)",
    "auth.language_change": "Language changed",
    "auth.logout": "Signed out",
    "auth.mfa_enrolled": "Authenticator app set up",
    "auth.mfa_failed": "Wrong authenticator code",
    "auth.mfa_removed": "Authenticator app removed",
    "auth.password_change": "Password changed",
    "auth.password_reset": "Password reset",
    "auth.reset_requested": "Password reset asked for",
    "auth.session_end": "Session ended",
    "auth.rate_limited": "Too many requests",
    "admin.audit_view": "Audit log read",
    "admin.audit_export": "Audit log exported",
    "couple.view": "Couple's page read",
    "couple.create": "Couple added",
    "couple.update": "Couple's details changed",
    "couple.close": "Couple closed",
    "couple.reopen": "Couple reopened",
    "homework.answer_view": "Homework read by a partner",
    "homework.submit": "Homework submitted",
    "homework.review_view": "Homework answers read",
    "homework.give_feedback": "Feedback given",
    "homework.feedback": "Feedback given",
    "homework.export": "Homework answers downloaded",
    "measures.view": "Check-in scores read",
    "measures.answer": "Check-in answered",
    "note.view": "Session note read",
    "note.create": "Session note started",
    "note.save": "Session note saved",
    "note.sign": "Session note signed",
    "note.addendum": "Addendum added",
    "note.export_pdf": "Session note downloaded (PDF)",
    "note.export_zip": "Session notes downloaded (ZIP)",
    "records.view": "Records request read",
    "safety_alert.raise": "Check-in flag raised",
    "safety_alert.acknowledge": "Check-in flag acknowledged",
}


def audit_label(code: str) -> str:
    """'note.export_pdf' → 'Session note downloaded (PDF)'; an unlisted code is spelled out
    ('homework.template_copy' → 'Homework: template copy')."""
    if code in _ACTIONS:
        return _ACTIONS[code]
    area, _, verb = code.partition(".")
    subject = _OBJECTS.get(area, area.replace("_", " ").capitalize())
    return f"{subject}: {verb.replace('_', ' ')}" if verb else subject
