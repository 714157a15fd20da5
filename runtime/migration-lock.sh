#!/bin/sh
# migration-lock: holds the migration lock (see lib.sh) while the team's own tool
# migrates (command mode). It runs as a native sidecar of the migration Job: it takes
# the lock, creates migrate-first's tables, then creates LOCK_FILE in a volume shared
# with the pod. The sidecar's startup probe waits for that file, so the kubelet starts
# the migration container only once the lock is held. When the migration container
# ends, the kubelet stops the sidecar (SIGTERM): the session ends, the lock is freed.
#
# Settings, from the environment only:
#   PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD PGSSLMODE, or DATABASE_URL (see migrate.sh):   the migrator, from its Secret
#   APP        app name; part of the lock key                                  (required)
#   APP_ROLE   role allowed to read the history and record verified releases    (default none)
#   LOCK_WAIT  seconds to wait for another runner's lock                       (default 120)
#   LOCK_FILE  created once the lock is held                (default /run/migrate-first/locked)
# Exit 0: stopped by SIGTERM. Exit 1: the lock was not taken, or the session was lost.
set -u
script_name=migration-lock
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
database_url_to_libpq

app=${APP:?APP must name the app (it is part of the lock key)}
lock_file=${LOCK_FILE:-/run/migrate-first/locked}
export PGAPPNAME="migrate-first migration-lock $app"
rm -f "$lock_file"
work=$(mktemp -d "${TMPDIR:-/tmp}/lock.XXXXXX") || fail "cannot create a work directory under ${TMPDIR:-/tmp}"

{
    session_psql
    lock_psql "${LOCK_WAIT:-120}"
    history_tables_psql
    printf '%s\n' "\\echo migration-lock: lock held" "\\! touch '$lock_file'"
    # Hold the session (and the lock) until we are stopped.
    echo "DO \$\$ BEGIN LOOP PERFORM pg_sleep(3600); END LOOP; END \$\$;"
} >"$work/hold.psql"
psql -X -q -f "$work/hold.psql" -v app="$app" ${APP_ROLE:+-v app_role="$APP_ROLE"} &
session=$!

# shellcheck disable=SC2317 # run by the trap below, which ShellCheck does not count as a call
stop() {
    rm -rf "$lock_file" "$work"
    # SIGINT makes psql cancel the running statement and end: the server frees the lock at once.
    kill -INT "$session" 2>/dev/null
    wait "$session" 2>/dev/null
    log "stopped by the kubelet: the cancel above is on purpose; the lock is released with the session"
    exit 0
}
trap stop TERM INT

wait "$session"
rm -rf "$lock_file" "$work"
fail "the session holding the lock ended (see above); the migration may now run unprotected, so the sidecar exits and the kubelet restarts it"
