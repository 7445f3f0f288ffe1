"""The date tests should use: today in the test practice's zone, as the services see it.

`date.today()` is the machine's date (UTC on CI). Between midnight UTC and midnight in
the practice's zone the two differ by a day, and a test that calls today "the session
date" is then a day in the future for the service it drives. Every test practice is
made in `TEST_PRACTICE_ZONE` (see `tests/factories.py`).
"""

from __future__ import annotations

from datetime import date

from therapy_portal.timezones import local_today

TEST_PRACTICE_ZONE = "America/New_York"


def today() -> date:
    """Today's date in the test practice's zone."""
    return local_today(TEST_PRACTICE_ZONE)
