from tests.factories import login


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"<h1>Log in</h1>" in response.data


def test_therapist_logs_in_and_sees_caseload(client, world):
    response = login(client, world.emails["therapist"])
    assert response.status_code == 302
    page = client.get("/couples")
    assert page.status_code == 200
    assert b"Couple One" in page.data
    assert b"Couple Two" not in page.data
