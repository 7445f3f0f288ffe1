"""The shipped production nginx site passes `nginx -t` on Debian's nginx (no port is opened)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")

pytestmark = pytest.mark.skipif(
    not IN_CI and not (os.access(NGINX, os.X_OK) and shutil.which("openssl")),
    reason="needs nginx and openssl",
)


def test_production_site_is_valid_nginx(tmp_path):
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=portal.example.org"]
        + ["-keyout", tmp_path / "key.pem", "-out", tmp_path / "cert.pem"],
        check=True,
        capture_output=True,
    )
    site = (ROOT / "deploy" / "nginx" / "therapy-portal.conf").read_text()
    for installed, here in {
        "/etc/letsencrypt/live/portal.example.org/fullchain.pem": tmp_path / "cert.pem",
        "/etc/letsencrypt/live/portal.example.org/privkey.pem": tmp_path / "key.pem",
        "/var/log/nginx/": f"{tmp_path}/",
        "/run/therapy-portal/": f"{tmp_path}/",
    }.items():
        assert installed in site
        site = site.replace(installed, str(here))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n    include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        [NGINX, "-t", "-e", "stderr", "-p", tmp_path, "-c", tmp_path / "nginx.conf"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
