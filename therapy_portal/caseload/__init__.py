"""The therapist's caseload: couples, partners, invitations."""
