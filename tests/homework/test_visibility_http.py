"""What a partner is told over HTTP about who reads each answer, as the answer moves on."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from tests.homework.factories import answers, loaded_response
from tests.homework.helpers import new_occurrence
from therapy_portal.extensions import db
from therapy_portal.models.homework import Occurrence, Response


def _who_sees_released(client, occurrence_id: int) -> str:
    """The "who sees this" line under A's "Shared when released" answer, editing or not."""
    html = unescape(client.get(f"/homework/{occurrence_id}").get_data(as_text=True))
    after = html[html.index("Shared when released") :]
    return re.search(r'class="who"[^>]*>([^<]*)<', after).group(1)


def test_a_is_told_at_every_moment_whether_b_reads_the_released_answer(app, site, as_user):
    from tests.homework.factories import submit as submit_answers
    from therapy_portal.homework import services
    from therapy_portal.models import User

    occurrence_id = new_occurrence(app, site)

    def as_therapist(action) -> None:
        with app.app_context():
            users = {k: db.session.get(User, v) for k, v in site.ids.items()}
            occurrence = db.session.get(Occurrence, occurrence_id)
            action(users, occurrence)
            db.session.commit()

    def response_of_a():
        return db.session.scalar(
            select(Response).where(
                Response.occurrence_id == occurrence_id, Response.author_label == "A"
            )
        )

    as_therapist(
        lambda u, o: (
            submit_answers(u["a"], o, answers("A")),
            submit_answers(u["b"], o, answers("B")),
        )
    )
    client = as_user(site.a)
    assert "Until then, only your therapist sees it." in _who_sees_released(client, occurrence_id)
    as_therapist(
        lambda u, o: services.release_response(
            u["therapist"], loaded_response(u["therapist"], response_of_a())
        )
    )
    assert _who_sees_released(client, occurrence_id) == "Your partner can see this answer now."
    as_therapist(
        lambda u, o: services.return_response(
            u["therapist"], loaded_response(u["therapist"], response_of_a()), "More?"
        )
    )
    assert "who can still see it. What you submit now stays between you and your therapist" in (
        _who_sees_released(client, occurrence_id)
    )
    as_therapist(lambda u, o: submit_answers(u["a"], o, answers("A again")))
    assert "Until then, only your therapist sees it." in _who_sees_released(client, occurrence_id)
    b_page = as_user(site.b).get(f"/homework/{occurrence_id}").get_data(as_text=True)
    assert "released A" not in b_page  # neither the old release nor the new text
