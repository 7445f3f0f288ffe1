"""'Who has seen this record': the primary therapist's view of the couple's audit trail."""

from __future__ import annotations

from tests.factories import login


def test_the_primary_therapist_sees_who_read_the_record(app, client, world):
    partner = app.test_client()
    login(partner, world.emails["partner_a"])
    partner.get("/home")
    login(client, world.emails["therapist"])
    couple_url = f"/couples/{world.couple_ids['c1']}"
    assert b"Who has seen this record" in client.get(couple_url).data
    page = client.get(couple_url + "/access-log")
    assert page.status_code == 200
    assert b"Therapist X" in page.data and b"Partner A of Couple One" in page.data


def test_emergency_reads_are_marked(app, client, world):
    admin = app.test_client()
    login(admin, world.emails["admin"])
    opened = admin.post(
        "/admin/couples",
        data={
            "couple_id": world.couple_ids["c1"],
            "reason": "Therapist unreachable; risk call tonight",
        },
    )
    admin.get(opened.headers["Location"])
    login(client, world.emails["therapist"])
    page = client.get(f"/couples/{world.couple_ids['c1']}/access-log")
    assert b"Admin One" in page.data and b"<td>Yes</td>" in page.data


def test_a_co_therapist_does_not_get_the_view(app, client, world):
    from therapy_portal.extensions import db
    from therapy_portal.models import CoupleTherapist, User

    with app.app_context():
        db.session.add(
            CoupleTherapist(
                practice_id=db.session.get(User, world.ids["therapist"]).practice_id,
                couple_id=world.couple_ids["c1"],
                therapist_id=world.ids["other_therapist"],
                role="co",
            )
        )
        db.session.commit()
    login(client, world.emails["other_therapist"])
    couple_url = f"/couples/{world.couple_ids['c1']}"
    assert b"Who has seen this record" not in client.get(couple_url).data
    assert client.get(couple_url + "/access-log").status_code == 404
