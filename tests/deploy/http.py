"""A small HTTP client for tests that talk to real servers (gunicorn, nginx): cookies and CSRF."""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pyotp

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


def fresh_codes(secret: str) -> list[str]:
    """This step's code, then the next step's: a code works once, and an earlier sign-in in the
    same 30 s may have spent this one (the portal accepts one step of drift)."""
    totp = pyotp.TOTP(secret)
    return [totp.now(), totp.at(time.time() + totp.interval)]


def _is_verify(reply: Reply) -> bool:
    return (reply.headers.get("Location") or "").split("?")[0].endswith("/login/verify")


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

    def log_in(self, email: str, password: str, totp_secret: str | None = None) -> Reply:
        """The password, then the second step when the portal asks for it (staff always do)."""
        reply = self.post_form("/login", "/login", {"email": email, "password": password})
        if reply.status == 302 and _is_verify(reply) and totp_secret:
            for code in fresh_codes(totp_secret):
                reply = self.post_form("/login/verify", "/login/verify", {"code": code})
                if reply.status != 401:
                    break
        return reply
