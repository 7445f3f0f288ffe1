"""Consents: the practice's versioned documents and each partner's signatures."""
