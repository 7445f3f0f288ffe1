"""The therapist's Today page: what needs them now, one section per kind of work."""
