#!/bin/sh
# smoke-check: the PostSync hook. The release is verified when
#   1. every migration file is in migrate_first.schema_history (the PreSync migration
#      really applied what this release ships), and
#   2. the app's health URL answers 2xx within the deadline (through its Service, so
#      the new pods really serve).
# Then it records the release in migrate_first.verified_release: contract migrations
# of a later release wait for this record.
#
# Settings, from the environment only:
#   PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD PGSSLMODE, or DATABASE_URL (see migrate.sh):   the app role, from db-credentials
#   HEALTH_URL      the app's health endpoint                              (required)
#   MIGRATIONS_DIR  the release's migration files; unset when the migrations run with
#                   the team's own tool (command mode): step 1 is then skipped
#   RELEASE         the release being verified (the image)                 (default "manual")
#   SMOKE_TIMEOUT   seconds the health URL has to answer 2xx               (default 60)
#   SMOKE_INTERVAL  seconds between attempts                               (default 2)
# Exit 0: verified and recorded. Exit 1: the hook failed (recorded for the alert).
set -u
script_name=smoke-check
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
database_url_to_libpq

url=${HEALTH_URL:?HEALTH_URL must be the health endpoint of the app}
release=${RELEASE:-manual}
timeout=${SMOKE_TIMEOUT:-60}
interval=${SMOKE_INTERVAL:-2}
export PGAPPNAME="migrate-first smoke-check"
work=$(mktemp -d "${TMPDIR:-/tmp}/smoke.XXXXXX") || fail "cannot create a work directory under ${TMPDIR:-/tmp}"
trap 'rm -rf "$work"' EXIT

failed() {
    echo "$script_name: $*" >&2
    echo "$*" >"$work/detail"
    record_failure "PostSync smoke-check" "$work/detail"
    exit 1
}

# 1. The schema this release expects is there.
last_version=
if [ -n "${MIGRATIONS_DIR:-}" ]; then
    migration_files "$MIGRATIONS_DIR" "$work/files"
    values=$(awk -v q="'" '{ printf "%s(%s, %s%s%s)", (NR > 1 ? ", " : ""), $1, q, $2, q }' "$work/files")
    if [ -n "$values" ]; then
        missing=$(printf '%s\n' "SELECT coalesce(string_agg(f.name, ', ' ORDER BY f.version), '') FROM (VALUES $values) AS f (version, name) WHERE NOT EXISTS (SELECT FROM migrate_first.schema_history h WHERE h.version = f.version);" |
            psql_script -t -A 2>"$work/err") || failed "cannot read migrate_first.schema_history: $(head -n 1 "$work/err")"
        [ -z "$missing" ] || failed "not in migrate_first.schema_history: $missing; the PreSync migration did not apply them, so the code of this release would run on an older schema"
        last_version=$(tail -n 1 "$work/files" | cut -d' ' -f1)
    fi
    log "all $(wc -l <"$work/files" | tr -d ' ') migration file(s) of this release are applied"
else
    log "no MIGRATIONS_DIR: the migrations run with the team's own tool, which keeps its own history; skipping that check"
fi

# 2. The new code answers.
probe() {
    if command -v wget >/dev/null 2>&1; then
        wget -q -O /dev/null -T 5 "$url" 2>/dev/null
    elif command -v curl >/dev/null 2>&1; then
        curl -fsS -m 5 -o /dev/null "$url" 2>/dev/null
    else
        failed "neither wget nor curl in this image (the postgres alpine image has wget); set runtime.postgresImage to one that does"
    fi
}
start=$(date +%s)
attempt=1
until probe; do
    elapsed=$(($(date +%s) - start))
    # Whole seconds: "not greater than" keeps trying until the full timeout really passed.
    [ "$elapsed" -le "$timeout" ] || failed "$url did not answer 2xx within ${timeout}s ($attempt attempts)"
    log "waiting for $url to answer 2xx (${elapsed}s/${timeout}s)"
    attempt=$((attempt + 1))
    sleep "$interval"
done
log "$url answered 2xx after $(($(date +%s) - start))s"

# 3. The record.
printf '%s\n' "INSERT INTO migrate_first.verified_release (release, last_version) VALUES (:'release', nullif(:'last_version', '')::numeric);" |
    psql_script -v release="$release" -v last_version="$last_version" 2>"$work/err" ||
    failed "could not record the release as verified: $(head -n 1 "$work/err")"
log "release $release verified"
