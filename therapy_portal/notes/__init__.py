"""Session notes: write, sign, amend, and export as PDF."""

# Registers the ORM guard that refuses changes to signed notes on every database.
from therapy_portal.notes import signing as _signing  # noqa: F401
