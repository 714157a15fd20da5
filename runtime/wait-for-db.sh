#!/bin/sh
# wait-for-db: succeed once the database is really ready for this role.
# Ready means: a connection with the real credentials, SELECT 1 answers, and
# pg_is_in_recovery() is false (not a replica mid-failover). A port that merely
# accepts TCP (what `nc -z` checks) is not enough.
#
# Settings, from the environment only:
#   PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD PGSSLMODE
#                     libpq connection, from the credentials Secret (never argv)
#   DATABASE_URL      instead: split into those inside the script (see lib.sh)
#   WAIT_TIMEOUT      seconds before giving up              (default 60)
#   WAIT_INTERVAL     seconds between attempts              (default 0.5)
#   PGCONNECT_TIMEOUT seconds one connection attempt may take (default 3)
# Exit 0: ready. Exit 1: not ready by the deadline (the hook fails).
set -u
script_name=wait-for-db
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
database_url_to_libpq
timeout=${WAIT_TIMEOUT:-60}
interval=${WAIT_INTERVAL:-0.5}
export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-3}"
target="${PGUSER:-?}@${PGHOST:-?}:${PGPORT:-5432}/${PGDATABASE:-?}"

start=$(date +%s)
attempt=0
said=
said_at=-5
while :; do
    attempt=$((attempt + 1))
    state=$(psql -X -q -t -A -c "SELECT CASE WHEN pg_is_in_recovery() THEN 'replica' ELSE 'ready' END FROM (SELECT 1) AS probe" 2>&1)
    elapsed=$(( $(date +%s) - start ))
    case "$state" in
        ready)
            echo "wait-for-db: $target ready after ${elapsed}s (attempt $attempt)"
            exit 0 ;;
        replica)
            reason="server is a replica in recovery (failover in progress?)" ;;
        *)
            # psql's first line says why (refused, auth failed, no such database); it never holds the password.
            reason=$(printf '%s\n' "$state" | head -n 1) ;;
    esac
    # Whole seconds: "greater than" guarantees the full timeout really passed.
    if [ "$elapsed" -gt "$timeout" ]; then
        echo "wait-for-db: $target not ready after ${elapsed}s, deadline ${timeout}s ($attempt attempts): $reason" >&2
        echo "wait-for-db: check the host, the credentials Secret and the server; raise WAIT_TIMEOUT if it is just slow" >&2
        exit 1
    fi
    # A line when the reason changes, else one every 5 s: attempts are frequent.
    if [ "$reason" != "$said" ] || [ $((elapsed - said_at)) -ge 5 ]; then
        echo "wait-for-db: waiting for $target (${elapsed}s/${timeout}s): $reason"
        said=$reason said_at=$elapsed
    fi
    sleep "$interval"
done
