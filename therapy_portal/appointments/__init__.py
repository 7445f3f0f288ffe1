"""Sessions (appointments): scheduling, series, outcomes, reminders, calendars, notes from sessions.

The word "sessions" is the one therapists use; the package is `appointments` because
`therapy_portal.sessions` is the login session store.
"""
