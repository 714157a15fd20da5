#!/bin/sh
# alert-message: the SyncFail hook's first step. Writes the alert as Slack-compatible
# JSON (app, environment, release, which hook failed, the last lines of its log) to
# ALERT_PAYLOAD, for alert.sh to post. The failed hook's log comes from
# migrate_first.failure, where migrate.sh and smoke-check.sh record their failures:
# no Kubernetes API access is needed. When the database cannot be read, the message
# says so and goes out anyway.
#
# Settings, from the environment only:
#   PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD PGSSLMODE, or DATABASE_URL (see migrate.sh):   a role that may read the failures
#   APP ENVIRONMENT RELEASE   what was synced
#   ALERT_PAYLOAD   where to write the JSON           (default /tmp/alert/payload.json)
#   ALERT_WINDOW    minutes back a recorded failure still belongs to this sync (default 30)
# Exit 0: the payload is written.
set -u
script_name=alert-message
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
database_url_to_libpq

payload=${ALERT_PAYLOAD:-/tmp/alert/payload.json}
release=${RELEASE:-manual}
mkdir -p "$(dirname "$payload")"
export PGAPPNAME="migrate-first alert" PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-5}"

# JSON string contents: backslash, quote and control characters escaped; lines joined by \n.
json_string() {
    awk 'BEGIN { ORS = "" }
         { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); gsub(/\r/, ""); gsub(/[\001-\037]/, "")
           print (NR > 1 ? "\\n" : "") $0 }'
}

found=$(printf '%s\n' "\\pset format unaligned" "\\pset tuples_only on" \
    "SELECT hook, to_char(failed_at, 'YYYY-MM-DD HH24:MI:SS TZ') FROM migrate_first.failure WHERE release = :'release' AND failed_at > now() - make_interval(mins => :'window'::int) ORDER BY id DESC LIMIT 1;" |
    psql_script -v release="$release" -v window="${ALERT_WINDOW:-30}" 2>&1)
status=$?
if [ "$status" -ne 0 ]; then
    phase="unknown"
    detail="The failure record could not be read: $(printf '%s\n' "$found" | head -n 1)"
elif [ -z "$found" ]; then
    phase="Sync (no hook recorded a failure: the Deployment did not become healthy, or wait-for-db gave up)"
    detail="See the sync's result in Argo CD."
else
    phase=${found%%|*}
    detail=$(printf '%s\n' "SELECT detail FROM migrate_first.failure WHERE release = :'release' ORDER BY id DESC LIMIT 1;" |
        psql_script -t -A -v release="$release" 2>&1 | tail -n 15)
fi

text="Sync failed: ${APP:-?} in ${ENVIRONMENT:-?}, release $release. Failed: $phase. The previous version keeps running (a failed PreSync never reaches the Deployment)."
{
    # shellcheck disable=SC2016 # the backticks are Markdown's code fence, printed as they are
    printf '{"text":"%s\\n```%s```",' "$(printf '%s' "$text" | json_string)" "$(printf '%s\n' "$detail" | json_string)"
    printf '"app":"%s","environment":"%s","release":"%s","phase":"%s"}\n' \
        "$(printf '%s' "${APP:-}" | json_string)" "$(printf '%s' "${ENVIRONMENT:-}" | json_string)" \
        "$(printf '%s' "$release" | json_string)" "$(printf '%s' "$phase" | json_string)"
} >"$payload"
log "$text"
printf '%s\n' "$detail" | sed 's/^/  | /'
