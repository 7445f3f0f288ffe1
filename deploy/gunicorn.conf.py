"""gunicorn settings for the portal: `gunicorn -c deploy/gunicorn.conf.py APP`.

APP is 'therapy_portal:create_app()'. Used by the systemd unit, `make cluster` and the restore
drill. The environment can change GUNICORN_BIND (default 127.0.0.1:8000;
`unix:/run/therapy-portal/web.sock` works too) and GUNICORN_WORKERS (default 2 per core + 1; see
docs/deploy.md for sizing against PostgreSQL's connections).
"""

import os

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
# Sync workers: each request holds one worker, so a slow client is nginx's problem, not ours.
worker_class = "sync"
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1) + 1))
# A PDF renders in its own process with its own time limit (NOTE_PDF_TIMEOUT_S = 30).
timeout = 60
graceful_timeout = 30
# Recycle workers now and then, so a slow leak never grows into an outage.
max_requests = 2000
max_requests_jitter = 200
# Trust in X-Forwarded-* headers is configured once, in the app (PROXY_FIX_X_*); gunicorn's own
# handling of X-Forwarded-Proto from 127.0.0.1 would be a second, silent place.
secure_scheme_headers: dict[str, str] = {}
forwarded_allow_ips = "127.0.0.1"
# Several gunicorns on one host would otherwise share one control socket in $HOME.
control_socket_disable = True
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s'
