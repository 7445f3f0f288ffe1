"""Deployment scripts (backups, the restore drill, the one-machine cluster); importable by tests."""
