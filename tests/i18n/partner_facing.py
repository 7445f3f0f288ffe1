"""What a partner can see, for the translation tests: every template a partner's page, email or
PDF is drawn from, and every module whose messages reach a partner.

Keep it complete: a template or module a partner sees and that is missing here escapes the
"is it in the catalogue" tests. Staff-only templates are extracted too (docs/i18n.md) but are
not held to these tests.
"""

from __future__ import annotations

TEMPLATES = (
    # Shared layout, macros and pages (i18n-core).
    "base.html",
    "confirm.html",
    "errors/error.html",
    "_macros/forms.html",
    "_macros/pagination.html",
    "_macros/charts.html",
    "auth/accept_invitation.html",
    "auth/change_password.html",
    "auth/check_email.html",
    "auth/enrol.html",
    "auth/forgot_password.html",
    "auth/invitation_unusable.html",
    "auth/language.html",
    "auth/login.html",
    "auth/logout.html",
    "auth/recovery_codes.html",
    "auth/reset_password.html",
    "auth/reset_unusable.html",
    "auth/security.html",
    "auth/sign_in_link.html",
    "auth/verify.html",
    # A partner's copies as PDF.
    "pdf/_letterhead.html",
    "pdf/answer_copy.html",
    "pdf/consent.html",
    # The partner area (translated by the partner-area work).
    "partner/home.html",
    "homework/answer.html",
    "homework/_answer_fields.html",
    "measures/answer.html",
    "measures/partner_index.html",
    "appointments/_macros.html",
    "appointments/partner_index.html",
    "appointments/partner_detail.html",
    "messages/partner_index.html",
    "messages/thread.html",
    "messages/_emergency.html",
    "consents/partner_index.html",
    "consents/document.html",
)

# Python modules whose user-visible messages (flashes, form labels and errors, emails, PDF
# texts) reach partners; paths relative to the project root.
MODULES = (
    "therapy_portal/web.py",
    "therapy_portal/errors.py",
    "therapy_portal/passwords.py",
    "therapy_portal/mail.py",
    "therapy_portal/ui/errors.py",
    "therapy_portal/auth/flow.py",
    "therapy_portal/auth/forms.py",
    "therapy_portal/auth/invitation_delivery.py",
    "therapy_portal/auth/invitations.py",
    "therapy_portal/auth/language.py",
    "therapy_portal/auth/mfa.py",
    "therapy_portal/auth/own_sessions.py",
    "therapy_portal/auth/reset.py",
    "therapy_portal/auth/routes.py",
    "therapy_portal/auth/routes_idle.py",
    "therapy_portal/auth/routes_language.py",
    "therapy_portal/auth/routes_mfa.py",
    "therapy_portal/auth/routes_reset.py",
    "therapy_portal/auth/routes_sessions.py",
    "therapy_portal/auth/services.py",
    "therapy_portal/auth/throttle.py",
    "therapy_portal/auth/token_links.py",
    "therapy_portal/admin/services.py",  # the "second step was reset" email
    "therapy_portal/caseload/care_team.py",  # the care-team change email
    "therapy_portal/homework/reminders.py",
    "therapy_portal/homework/services/assignments.py",
    "therapy_portal/homework/services/review_actions.py",
    "therapy_portal/homework/answer_pdf.py",
    "therapy_portal/measures/checkin_reminders.py",
    "therapy_portal/appointments/reminders.py",
    "therapy_portal/messages/notify.py",
    "therapy_portal/consents/documents.py",
)
