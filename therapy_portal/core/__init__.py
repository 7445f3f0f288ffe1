"""Health check and the landing page."""
