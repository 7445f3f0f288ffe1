"""Accounts: login, logout, invitations, password changes."""
