"""Which area provides what to which: the one place where the areas are connected.

An area never registers itself by being imported. It defines plain functions; this module names
them and `connect(app)` (called by the app factory) hands them to the registries that use them:

- `DIGEST_LINES` → `notes.digest` (a note's *since last session* digest): homework, measures.
- `RECORD_PARTS` → `notes.digest` (the parts of a records request): homework, measures,
  messages, consents.
- `FHIR_PARTS` → `notes.fhir_bundle` (a couple's record for another system): homework
  (Questionnaires and answers), measures (check-in totals as Observations).
- `REMINDERS` → `reminders` (`flask send-reminders` and the periodic task): homework, measures,
  sessions.
- `DEMO_DATA` → `demo` (`flask seed-demo`, after the people): homework, measures, notes,
  consents (before sessions: online sessions need them), sessions, messages, plans (a signed
  plan; a supervised therapist's note awaiting co-signature).
- `LINK_MAKERS` → `mail_links` (personal links made at delivery): accounts (invitation, reset,
  sign-in link).
- `JOB_GIVE_UP` → `tasks.jobs` (what fails a job's subject when the sweep gives up): notes.
- `SESSION_GUARDS` → SQLAlchemy's `Session` events: the signed-note guard of notes (`signing`)
  and the signed-version guard of plans (`plans.signing`).
- `tasks.registry.bind` → the app's task queue: every task of the portal.

The order of each tuple is the order the registry runs them (a digest lists homework first).
Registering is idempotent, so building several apps in one process (tests) registers once.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from therapy_portal import demo, mail_links, reminders, tasks
from therapy_portal.appointments import demo as appointments_demo
from therapy_portal.appointments import reminders as appointments_reminders
from therapy_portal.auth import invitation_delivery, token_links
from therapy_portal.consents import demo as consents_demo
from therapy_portal.consents import documents as consent_documents
from therapy_portal.homework import demo as homework_demo
from therapy_portal.homework import digest as homework_digest
from therapy_portal.homework import fhir as homework_fhir
from therapy_portal.homework import reminders as homework_reminders
from therapy_portal.measures import checkin_reminders
from therapy_portal.measures import demo as measures_demo
from therapy_portal.measures import fhir as measures_fhir
from therapy_portal.messages import demo as messages_demo
from therapy_portal.messages import records as messages_records
from therapy_portal.models.security import TokenPurpose
from therapy_portal.notes import demo as notes_demo
from therapy_portal.notes import digest, fhir_bundle, signing
from therapy_portal.notes import jobs as note_jobs
from therapy_portal.plans import demo as plans_demo
from therapy_portal.plans import signing as plan_signing
from therapy_portal.tasks import jobs as leases
from therapy_portal.tasks import registry as task_registry

DIGEST_LINES = (homework_digest.homework_digest, digest.measures_digest)
RECORD_PARTS = (
    homework_digest.homework_record,
    digest.measures_record,
    messages_records.messages_record,
    consent_documents.consents_record,
)
FHIR_PARTS = (homework_fhir.record_resources, measures_fhir.observations)
REMINDERS = (
    homework_reminders.homework_reminder_hook,
    checkin_reminders.checkin_reminder_hook,
    appointments_reminders.session_reminder_hook,
)
DEMO_DATA = (
    homework_demo.seed_homework,
    homework_demo.seed_more_homework_states,
    measures_demo.seed_checkins,
    measures_demo.seed_outcome_alert,
    notes_demo.add_demo_notes,
    consents_demo.seed_consents,
    appointments_demo.add_demo_sessions,
    messages_demo.demo_messages,
    plans_demo.demo_plan,
    plans_demo.demo_supervision,
)
LINK_MAKERS = {
    "invitation": invitation_delivery.invitation_link,
    **{purpose.value: token_links.account_link for purpose in TokenPurpose},
}
JOB_GIVE_UP = {note_jobs.KIND: note_jobs.give_up}
SESSION_GUARDS = (
    ("before_flush", signing.refuse_signed_note_changes),
    ("before_flush", plan_signing.refuse_signed_plan_changes),
)


def connect(app: Flask) -> None:
    """Hand every area's contributions to the registries that use them (safe to call again)."""
    for provider in DIGEST_LINES:
        digest.digest_provider(provider)
    for provider in RECORD_PARTS:
        digest.record_provider(provider)
    for provider in FHIR_PARTS:
        fhir_bundle.fhir_provider(provider)
    for hook in REMINDERS:
        reminders.reminder_hook(hook)
    for hook in DEMO_DATA:
        demo.demo_hook(hook)
    for kind, maker in LINK_MAKERS.items():
        mail_links.link_maker(kind)(maker)
    for kind, give_up in JOB_GIVE_UP.items():
        leases.on_give_up(kind)(give_up)
    for name, guard in SESSION_GUARDS:
        if not event.contains(Session, name, guard):
            event.listen(Session, name, guard)
    tasks.bind_tasks(app, task_registry.bind)
