"""Secure messages: a couple's thread and each partner's private thread with the therapists."""
