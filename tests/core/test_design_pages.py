"""The design system's contracts over HTTP: the error summary on a form with errors, no GET of
a form-only address ends in a 405, the favicon, the sign-in welcome, the style page, plain words
for clinicians, and one date format."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from tests.factories import PASSWORD, login
from therapy_portal import create_app
from therapy_portal.settings import ConfigurationError
from therapy_portal.ui import dates
from therapy_portal.ui.labels import audit_label

SUMMARY = (
    '<div class="error-summary" id="error-summary" tabindex="-1" role="alert" '
    'aria-labelledby="error-summary-title">'
)


def summary_links(html: str) -> list[tuple[str, str]]:
    block = html[html.index(SUMMARY) : html.index("</div>", html.index(SUMMARY))]
    assert '<h2 id="error-summary-title">There is a problem</h2>' in block
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', block)


def test_a_form_with_errors_starts_with_the_error_summary_linking_to_each_field(client):
    html = client.post("/login", data={"email": "", "password": ""}).get_data(as_text=True)
    links = summary_links(html)
    assert [target for target, _ in links] == ["email", "password"]
    for target, _ in links:
        assert f'id="{target}"' in html
    # Near the top of main: before the page's own heading, with the script that focuses it.
    assert html.index(SUMMARY) < html.index("<h1>") and html.index('<main id="main"') < html.index(
        SUMMARY
    )
    assert "error-summary.js" in html


def test_a_page_without_errors_has_no_summary(client):
    html = client.get("/login").get_data(as_text=True)
    assert "error-summary" not in html


def test_errors_of_a_radio_group_link_to_its_first_option_and_none_is_never_written(
    app, world, client
):
    login(client, world.emails["therapist"], PASSWORD)
    html = client.get("/couples/new").get_data(as_text=True)
    assert 'aria-describedby="None"' not in html
    html = client.post("/couples/new", data={}).get_data(as_text=True)
    assert 'aria-describedby="None"' not in html
    messages = [m for _, m in summary_links(html)]
    assert "Enter partner A&#39;s name." in messages
    assert "Enter the couple&#39;s display name." in messages
    assert "partner a&#39;s" not in html


def test_the_password_form_does_not_claim_nothing_was_lost_after_emptying_passwords(world, client):
    login(client, world.emails["partner_a"], PASSWORD)
    html = client.post(
        "/account/password", data={"current": "wrong", "password": "x", "confirm": "y"}
    ).get_data(as_text=True)
    assert "Nothing you typed was lost" not in html
    assert "password boxes were emptied" in html
    assert summary_links(html)


@pytest.mark.parametrize(
    ("path", "page"),
    [
        ("/notes/7/sign", "/notes/7"),
        ("/homework/occurrences/5/feedback", "/homework/occurrences/5/review"),
        ("/admin/users/3/deactivate", "/admin/therapists"),
        ("/couples/4/close", "/couples/4"),
        ("/checkins/4/stop", "/"),
        ("/session/keepalive", "/"),
    ],
)
def test_a_get_of_a_form_only_address_goes_to_its_page_not_a_405(client, path, page):
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["Location"].removeprefix("http://localhost") == page


def test_the_redirect_pages_exist(app):
    """Every page named for a form-only endpoint answers GET."""
    from therapy_portal.ui.pages import PAGE_OF

    endpoints = {r.endpoint: r for r in app.url_map.iter_rules()}
    for source, target in PAGE_OF.items():
        assert source in endpoints, source
        assert target is None or "GET" in endpoints[target].methods, target


def test_favicon_is_served_and_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data
    assert 'rel="icon"' in client.get("/login").get_data(as_text=True)


def test_the_sign_in_page_says_what_the_portal_is_and_hides_demo_logins_outside_development(
    client,
):
    html = client.get("/login").get_data(as_text=True)
    assert "where your couples therapy continues between sessions" in html
    assert "Demo logins" not in html and "portal-demo" not in html


def test_demo_logins_are_listed_when_development_turns_them_on(app):
    from therapy_portal.demo import DEMO_PASSWORD, STAFF

    app.config["DEMO_LOGINS_ON_SIGN_IN"] = True
    html = app.test_client().get("/login").get_data(as_text=True)
    assert "Demo logins (development only)" in html and DEMO_PASSWORD in html
    for _role, name, email, _ in STAFF:
        assert email in html and name in html


@pytest.mark.parametrize("key", ["DEMO_LOGINS_ON_SIGN_IN", "STYLE_PAGE"])
def test_production_refuses_the_development_pages(key, monkeypatch):
    from therapy_portal.settings import refuse_weak_production_settings

    config = {"SECRET_KEY": "k" * 40, "NOTE_SIGNING_KEY": "s" * 40, key: True}
    with pytest.raises(ConfigurationError, match=key):
        refuse_weak_production_settings(config)


def test_development_turns_the_style_page_and_demo_logins_on():
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["STYLE_PAGE"] and app.config["DEMO_LOGINS_ON_SIGN_IN"]


def test_the_style_page_is_not_found_unless_enabled(client):
    assert client.get("/dev/style").status_code == 404


def test_the_style_page_shows_every_component(app, client, count_queries):
    app.config["STYLE_PAGE"] = True
    with count_queries() as q:
        response = client.get("/dev/style")
    assert response.status_code == 200
    assert q.count <= 2  # the session lookup at most: the page reads no data
    html = response.get_data(as_text=True)
    for component in (
        "button primary",
        "button secondary",
        "button danger",
        "chip chip-ok",
        "chip chip-warn",
        'class="cards"',
        'class="empty"',
        "data-label=",
        'class="table-scroll" role="region" tabindex="0"',
        "autosave-status",
        'class="sparkline"',
        'type="radio"',
        'type="checkbox"',
        'type="time"',
        'type="date"',
        "--color-accent",
    ):
        assert component in html, component
    assert [t for t, _ in summary_links(html)][:2] == ["name", "when"]
    assert 'aria-describedby="None"' not in html


def test_one_date_format():
    assert dates.day(date(2026, 12, 1)) == "Tue 1 Dec 2026"
    assert dates.DAY == "EEE d MMM y" and dates.MOMENT == "d MMM y, HH:mm"  # CLDR (Babel)


def test_moments_are_shown_in_the_practice_zone(app):
    with app.test_request_context():
        # 19:30 UTC is 14:30 in New York (the testing default zone) in December.
        moment = datetime(2026, 12, 1, 19, 30, tzinfo=UTC)
        app.config["PRACTICE_TIMEZONE_DEFAULT"] = "America/New_York"
        assert dates.when(moment) == "1 Dec 2026, 14:30"
        assert dates.day(datetime(2026, 12, 2, 3, 0, tzinfo=UTC)) == "Tue 1 Dec 2026"


def test_audit_codes_read_as_words():
    assert audit_label("note.export_pdf") == "Session note downloaded (PDF)"
    assert audit_label("homework.template_copy") == "Homework: template copy"
    assert "." not in audit_label("auth.login")


def test_the_audit_log_shows_words_not_codes(world, client):
    login(client, world.emails["admin"], PASSWORD)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "Signed in" in html
    assert "<td>auth.login</td>" not in html
