"""A small HTTP client for tests that talk to real servers (gunicorn, nginx): cookies and CSRF."""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from deploy.restore_drill import UnixHTTPConnection

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


class Browser:
    """Keeps cookies across requests, like one person's browser. `target` is a port or a socket."""

    def __init__(self, target: int | str) -> None:
        self.target = target
        self.cookies: dict[str, str] = {}

    def _connection(self) -> http.client.HTTPConnection:
        if isinstance(self.target, str):
            return UnixHTTPConnection(self.target, timeout=90)
        return http.client.HTTPConnection("127.0.0.1", self.target, timeout=90)

    def request(self, method: str, path: str, form: dict | None = None) -> Reply:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = self._connection()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            reply = Reply(response.status, response.headers, response.read())
        finally:
            conn.close()
        for header in reply.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return reply

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def csrf_token(self, page: str) -> str:
        found = CSRF.search(self.get(page).text)
        return found.group(1) if found else ""

    def post_form(self, page: str, action: str, fields: dict) -> Reply:
        """Open `page`, take its CSRF token, and post `fields` to `action`."""
        return self.request("POST", action, {**fields, "csrf_token": self.csrf_token(page)})

    def log_in(self, email: str, password: str) -> Reply:
        return self.post_form("/login", "/login", {"email": email, "password": password})
