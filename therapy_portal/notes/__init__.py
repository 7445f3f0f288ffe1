"""Session notes: write, sign, amend, and export as PDF."""
