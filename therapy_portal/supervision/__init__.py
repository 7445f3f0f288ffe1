"""Supervision: supervisors, co-signatures of supervised therapists' work, comments on notes."""
