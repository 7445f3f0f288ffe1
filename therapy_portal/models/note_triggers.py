"""Database guards of session notes and addenda, as DDL (the models listen for table creation).

A signed note's content can be neither changed nor deleted on PostgreSQL (a trigger); addenda are
append-only on every database. Encrypted columns change their stored bytes when `flask keys rotate`
re-encrypts them, so the guards let exactly that through: the risk screening of a signed note is
left out of the compared columns, and an addendum's body may be rewritten only as a ciphertext
with every other column unchanged. The signatures (over the plaintext) and AES-GCM's tag guard
those values instead.
"""

from __future__ import annotations

from sqlalchemy import DDL

from therapy_portal.crypto import PREFIX

# The columns a signature covers; the trigger and the ORM guard refuse changes to them once signed.
CONTENT_COLUMNS = (
    "couple_id",
    "therapist_id",
    "session_date",
    "start_time",
    "end_time",
    "format",
    "attendees",
    "service_code",
    "modality",
    "sections",
    "interventions",
    "risk_screening",
    "next_session",
    "digest",
    "status",
    "signed_at",
    "signed_by_id",
    "signer_name",
    "signer_credentials",
    "signature",
)

TRIGGER_COLUMNS = tuple(c for c in CONTENT_COLUMNS if c != "risk_screening")

# Every column of an addendum but its (encrypted) body.
ADDENDUM_FIXED_COLUMNS = (
    "id",
    "practice_id",
    "note_id",
    "position",
    "author_id",
    "author_name",
    "author_credentials",
    "kind",
    "reason",
    "created_at",
    "signature",
)
APPEND_ONLY = "note_addendum is append-only"


def _rows(columns: tuple[str, ...], cast: str = "") -> tuple[str, str]:
    return tuple(", ".join(f"{row}.{c}{cast}" for c in columns) for row in ("NEW", "OLD"))  # type: ignore[return-value]


def signed_note_function(columns: tuple[str, ...]) -> DDL:
    """The PostgreSQL function that refuses changes to `columns` of a signed note."""
    # Compared as text: PostgreSQL's json type has no equality operator.
    new, old = _rows(columns, "::text")
    return DDL(
        "CREATE OR REPLACE FUNCTION session_note_signed_immutable() RETURNS trigger AS $$ "
        "BEGIN "
        "IF OLD.status = 'signed' THEN "
        "  IF TG_OP = 'DELETE' THEN "
        "    RAISE EXCEPTION 'a signed session note cannot be deleted'; "
        "  END IF; "
        f"  IF ROW({new}) IS DISTINCT FROM ROW({old}) THEN "
        "    RAISE EXCEPTION 'a signed session note cannot be changed; add an addendum'; "
        "  END IF; "
        "END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; "
        "RETURN NEW; "
        "END; $$ LANGUAGE plpgsql"
    )


SIGNED_NOTE_POSTGRES = [
    signed_note_function(TRIGGER_COLUMNS),
    DDL(
        "CREATE TRIGGER session_note_signed_immutable BEFORE UPDATE OR DELETE ON session_note "
        "FOR EACH ROW EXECUTE FUNCTION session_note_signed_immutable()"
    ),
]


def _only_reencrypted(new: str, old: str) -> str:
    """SQL true when an UPDATE only re-encrypts the body (`%%`: DDL statements are %-formatted)."""
    return f"NEW.body LIKE '{PREFIX}%%' AND ROW({new}) IS NOT DISTINCT FROM ROW({old})"


def addendum_guards(*, reencrypt: bool = True) -> dict[str, list[DDL]]:
    """The append-only triggers per dialect; `reencrypt=False` gives the ones before 0014."""
    new, old = _rows(ADDENDUM_FIXED_COLUMNS)
    # SQLite has no ROW(...) comparison: compare column by column.
    same = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in ADDENDUM_FIXED_COLUMNS)
    sqlite_when = f" WHEN NOT (NEW.body LIKE '{PREFIX}%%' AND {same})" if reencrypt else ""
    pg_allow = (
        f"IF TG_OP = 'UPDATE' AND {_only_reencrypted(new, old)} THEN RETURN NEW; END IF; "
        if reencrypt
        else ""
    )
    return {
        "sqlite": [
            DDL(
                f"CREATE TRIGGER note_addendum_no_update BEFORE UPDATE ON note_addendum"
                f"{sqlite_when} BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            ),
            DDL(
                "CREATE TRIGGER note_addendum_no_delete BEFORE DELETE ON note_addendum "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            ),
        ],
        "postgresql": [
            DDL(
                "CREATE OR REPLACE FUNCTION note_addendum_append_only() RETURNS trigger AS $$ "
                f"BEGIN {pg_allow}RAISE EXCEPTION '{APPEND_ONLY}'; END; $$ LANGUAGE plpgsql"
            ),
            DDL(
                "CREATE TRIGGER note_addendum_append_only BEFORE UPDATE OR DELETE ON note_addendum "
                "FOR EACH ROW EXECUTE FUNCTION note_addendum_append_only()"
            ),
        ],
    }


# The strict guards of migration 0002 (before `flask keys rotate` re-encrypted addenda).
_STRICT = addendum_guards(reencrypt=False)
ADDENDUM_APPEND_ONLY_SQLITE = _STRICT["sqlite"]
ADDENDUM_APPEND_ONLY_POSTGRES = _STRICT["postgresql"]
