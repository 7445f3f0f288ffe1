"""Presentation helpers shared by every template: one date format, the error summary, the
address a GET of a form-only URL goes to, what the header shows of the practice, and the
templates' `url_for` (links: Flask's, with each URL's shape built once).

Nothing here reads the database or decides who may see what; it formats values the views
already loaded.
"""

from __future__ import annotations

from flask import Flask

from therapy_portal import i18n
from therapy_portal.ui import dates, errors, labels, links, pages, welcome


def register(app: Flask) -> None:
    """Template filters and globals of the design system (called by the app factory)."""
    app.add_template_filter(dates.day, "day")
    app.add_template_filter(dates.when, "when")
    app.add_template_filter(dates.long_day, "long_day")
    app.add_template_filter(i18n.number, "number")
    app.add_template_filter(dates.clock, "clock")
    app.add_template_filter(dates.day_month, "day_month")
    app.add_template_filter(labels.audit_label, "audit_label")
    app.add_template_global(errors.error_summary_items, "error_summary_items")
    app.add_template_global(errors.note_form, "note_form_errors")
    app.add_template_global(errors.collected, "collected_form_errors")
    app.add_template_global(welcome.demo_logins, "demo_logins")
    app.add_template_global(dates.language, "page_language")
    pages.register(app)
    links.register(app)
