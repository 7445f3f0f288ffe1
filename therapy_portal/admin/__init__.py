"""Practice administration: therapists, deactivation, audit log."""
