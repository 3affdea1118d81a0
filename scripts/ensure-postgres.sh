#!/usr/bin/env bash
# Makes sure a PostgreSQL server with PostGIS answers on 127.0.0.1:5432 for the tests:
# installs the packages if missing, starts the cluster if it is down, and (on a cluster this
# script had to create) allows password-less local TCP connections for the test user.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  "$here/ensure-system-deps.sh" postgresql
fi
version="$(ls /usr/lib/postgresql | sort -V | tail -n1)"
"$here/ensure-system-deps.sh" "postgresql-${version}-postgis-3"

if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^${version} main$"; then
  $SUDO pg_createcluster "$version" main >/dev/null
  hba="/etc/postgresql/${version}/main/pg_hba.conf"
  echo "host all all 127.0.0.1/32 trust" | $SUDO tee -a "$hba" >/dev/null
  echo "host all all ::1/128 trust" | $SUDO tee -a "$hba" >/dev/null
fi
if ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
  echo "Starting PostgreSQL ${version}"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
fi
pg_isready -h "$PGHOST" -p "$PGPORT"
