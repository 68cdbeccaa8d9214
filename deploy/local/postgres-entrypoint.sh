#!/bin/sh
# Entrypoint of the local PostgreSQL 15 image that deploy/local/docker.sh builds from Debian's
# packages where no registry can be reached (it is installed as /usr/local/bin/docker-entrypoint.sh).
# It does what Compose and Testcontainers ask of the official postgres image:
#   - arguments that start with "-" are options for postgres (Testcontainers passes `-c fsync=off`);
#   - on an empty $PGDATA: initdb with POSTGRES_USER (default postgres) and POSTGRES_PASSWORD
#     (required, unless POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_INITDB_ARGS passed on, then
#     POSTGRES_DB (default the user's name) created; other hosts log in with a password
#     (POSTGRES_HOST_AUTH_METHOD, default scram-sha-256), the container itself with trust;
#   - the server runs as the postgres user, listening on every address only once it is set up,
#     so a TCP pg_isready answers when the database is there.
# Not supported: /docker-entrypoint-initdb.d scripts, POSTGRES_INITDB_WALDIR.
set -eu

if [ "${1#-}" != "$1" ]; then
  set -- postgres "$@"
fi

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  chmod 2775 /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
    echo "docker-entrypoint.sh: set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust)" >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options, as in the official image
  initdb -D "$PGDATA" --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host=trust \
    ${POSTGRES_INITDB_ARGS:-} >/dev/null
  rm -f "$pwfile"
  # initdb's own lines let the container itself in by trust (pg_isready, replication over
  # loopback, as the official image does); any other host needs the password.
  printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
  # Set up with no TCP listener: nobody outside sees a server before the database exists.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  if [ "$db" != postgres ]; then
    psql -X -q -v ON_ERROR_STOP=1 --username="$user" --dbname=postgres -v db="$db" <<'SQL'
CREATE DATABASE :"db";
SQL
  fi
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "docker-entrypoint.sh: initialised $PGDATA (user $user, database $db)"
fi

if [ "$1" = postgres ]; then
  shift
  exec postgres -c listen_addresses='*' "$@"
fi
exec "$@"
