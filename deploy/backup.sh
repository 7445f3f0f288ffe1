#!/usr/bin/env bash
# Back up the portal's PostgreSQL database: a consistent pg_dump (custom format) and its SHA-256.
#
#   deploy/backup.sh DATABASE_URL BACKUP_DIR
#
# DATABASE_URL is a libpq URL (postgresql://user@host:5432/therapy_portal). Prints the dump's path.
# pg_dump takes a snapshot, so it is consistent while the portal runs and blocks no one.
# KEEP_DAYS=N (default 35) deletes dumps older than N days from BACKUP_DIR after a good dump.
# Roles are not in pg_dump: keep `pg_dumpall --globals-only` beside it if you use more than one.
# The dump holds PHI: BACKUP_DIR must be on an encrypted volume, readable only by its owner.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 DATABASE_URL BACKUP_DIR" >&2
  exit 2
fi
url="${1/+psycopg/}"
dir="$2"
keep_days="${KEEP_DAYS:-35}"

umask 077
mkdir -p "$dir"
file="$dir/therapy_portal-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --file="$file.part" --dbname="$url"
mv "$file.part" "$file"
(cd "$dir" && sha256sum "$(basename "$file")" > "$(basename "$file").sha256")
find "$dir" -maxdepth 1 -name 'therapy_portal-*.dump*' -mtime +"$keep_days" -delete
echo "$file"
