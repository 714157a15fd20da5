#!/bin/sh
# migrate: apply the SQL migrations in MIGRATIONS_DIR, in version order, once each.
#
# - One psql session holds the migration lock (see lib.sh) for the whole run, so two
#   runners never migrate at once: the second waits, then finds nothing left to do.
# - Each file runs in its own transaction together with its history row: a failure
#   leaves no part of that file applied. A file whose header says
#   "-- migrate-first: no-transaction" (CREATE INDEX CONCURRENTLY) runs on its own,
#   outside a transaction, and the runner says so.
# - migrate_first.schema_history records each file (version, name, sha256 checksum,
#   release, applied_at, duration_ms, applied_by). A re-run is a no-op; a changed
#   applied file, or a new file that sorts before the last applied one, stops the run.
# - lock_timeout keeps a DDL statement from queueing behind a long transaction (and
#   every query from queueing behind it); a file that hits it is retried with backoff.
#
# Settings, from the environment only:
#   PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD PGSSLMODE
#                       the migrator's connection, from its Secret. DATABASE_URL is not
#                       read: psql could only take it as an argument, visible to ps.
#   MIGRATIONS_DIR      directory of <version>_<description>.sql files (default /migrations)
#   APP                 app name; part of the lock key                  (required)
#   RELEASE             release being synced (the image), recorded      (default "manual")
#   APP_ROLE            role granted read access to the history and the right to record
#                       verified releases and failures (the smoke check's role) (default none)
#   LOCK_TIMEOUT        Postgres lock_timeout for each statement        (default 5s)
#   STATEMENT_TIMEOUT   Postgres statement_timeout for each statement   (default 4min)
#   LOCK_RETRIES        retries of a file that hit lock_timeout         (default 3)
#   LOCK_WAIT           seconds to wait for another runner's lock       (default 120)
#   ALLOW_OUT_OF_ORDER  "true" applies a new file older than the last applied one (default false)
#
# Expand/contract: a file whose header says "-- migrate-first: contract completes <v>" is
# applied only if file <v> was applied by an earlier release that migrate_first.verified_release
# holds (its PostSync smoke check passed). Otherwise the run stops before applying anything.
# A new database (empty history) has no earlier release to protect: contracts apply with
# their expands.
# Exit 0: every file is applied. Exit 1: the hook failed; the message says why and what to do.
set -u
script_name=migrate
. "$(dirname "$0")/lib.sh"

dir=${MIGRATIONS_DIR:-/migrations}
app=${APP:?APP must name the app (it is part of the lock key)}
release=${RELEASE:-manual}
app_role=${APP_ROLE:-}
lock_timeout=${LOCK_TIMEOUT:-5s}
statement_timeout=${STATEMENT_TIMEOUT:-4min}
retries=${LOCK_RETRIES:-3}
lock_wait=${LOCK_WAIT:-120}
out_of_order=${ALLOW_OUT_OF_ORDER:-false}
[ -d "$dir" ] || fail "MIGRATIONS_DIR $dir is not a directory"
export PGAPPNAME="migrate-first migrate $app"

work=$(mktemp -d "${TMPDIR:-/tmp}/migrate.XXXXXX") || fail "cannot create a work directory under ${TMPDIR:-/tmp}"
trap 'rm -rf "$work"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

migration_files "$dir" "$work/files"
annotate_migrations "$dir" "$work/files" "$work/annotated"
total=$(wc -l <"$work/files" | tr -d ' ')

# The run, as one psql script: lock, history tables, checks, then each pending file.
plan="$work/plan.psql"
{
    session_psql
    echo "SET statement_timeout = 0;"
    lock_psql "$lock_wait"
    cat <<'EOF'
SET lock_timeout = :'lock_timeout';
SET statement_timeout = :'statement_timeout';
EOF
    history_tables_psql
    cat <<'EOF'
CREATE TEMP TABLE mf_file (version numeric PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, completes numeric);
EOF
    while read -r version name sum tx completes; do
        [ "$completes" = - ] && completes=NULL
        printf '%s\n' "INSERT INTO mf_file VALUES ($version, '$name', '$sum', $completes);"
    done <"$work/annotated"
    cat <<'EOF'
SELECT set_config('migrate_first.out_of_order', :'out_of_order', false), set_config('migrate_first.release', :'release', false) \g /dev/null
DO $mf$
DECLARE
    f record;
    new_database boolean;
BEGIN
    FOR f IN SELECT h.name, h.release, h.checksum AS was, m.checksum AS now
               FROM migrate_first.schema_history h JOIN mf_file m USING (version)
              WHERE h.checksum <> m.checksum ORDER BY h.version LOOP
        RAISE EXCEPTION '% was applied by release % with checksum %, but the file now has checksum %', f.name, f.release, left(f.was, 12), left(f.now, 12)
            USING HINT = 'an applied migration must never change: restore the file, and put the change in a new file';
    END LOOP;
    IF current_setting('migrate_first.out_of_order') <> 'true' THEN
        FOR f IN SELECT m.name, last.name AS last_name
                   FROM mf_file m, (SELECT name, version FROM migrate_first.schema_history ORDER BY version DESC LIMIT 1) last
                  WHERE m.version < last.version AND NOT EXISTS (SELECT FROM migrate_first.schema_history h WHERE h.version = m.version)
                  ORDER BY m.version LOOP
            RAISE EXCEPTION '% is new but sorts before %, which is already applied (a merge from an older branch?)', f.name, f.last_name
                USING HINT = 'give it a version after the last applied one, or set migration.allowOutOfOrder if its order truly does not matter';
        END LOOP;
    END IF;
    -- Expand/contract, enforced: a contract file runs only after the release that applied
    -- its expand was deployed and verified by its PostSync smoke check. Nothing is applied
    -- before every pending contract passes. A new database (empty history) is the exception:
    -- no earlier release runs on it, so its first release applies contracts with their expands.
    new_database := NOT EXISTS (SELECT FROM migrate_first.schema_history);
    IF new_database AND EXISTS (SELECT FROM mf_file WHERE completes IS NOT NULL) THEN
        RAISE NOTICE 'new database (empty history): no earlier release runs on it, so contract files apply with their expands';
    END IF;
    FOR f IN SELECT m.name, m.version, m.completes, e.name AS expand_name, e.release AS expand_release,
                    (SELECT x.name FROM mf_file x WHERE x.version = m.completes) AS expand_file
               FROM mf_file m LEFT JOIN migrate_first.schema_history e ON e.version = m.completes
              WHERE m.completes IS NOT NULL AND NOT EXISTS (SELECT FROM migrate_first.schema_history h WHERE h.version = m.version)
              ORDER BY m.version LOOP
        IF new_database AND f.expand_file IS NOT NULL AND f.completes < f.version THEN
            CONTINUE;
        ELSIF f.expand_release IS NULL AND f.expand_file IS NOT NULL THEN
            RAISE EXCEPTION '% completes %, which arrives in this same release (%): the old version still running needs what the expand keeps', f.name, f.expand_file, current_setting('migrate_first.release')
                USING HINT = format('deploy a release with %s alone, let its PostSync smoke check verify it, then ship %s in a later release', f.expand_file, f.name);
        ELSIF f.expand_release IS NULL THEN
            RAISE EXCEPTION '% completes version %, which is neither applied nor in this release', f.name, f.completes
                USING HINT = 'fix the header: -- migrate-first: contract completes <version of the expand file>';
        ELSIF f.expand_release = current_setting('migrate_first.release') THEN
            RAISE EXCEPTION '% completes %, which this same release (%) applied: the old version may still be running', f.name, f.expand_name, f.expand_release
                USING HINT = format('ship %s in a release after %s, once that one is verified', f.name, f.expand_release);
        ELSIF NOT EXISTS (SELECT FROM migrate_first.verified_release v WHERE v.release = f.expand_release) THEN
            RAISE EXCEPTION '% completes %, applied by release %, which has not been verified', f.name, f.expand_name, f.expand_release
                USING HINT = format('deploy %s and let its PostSync smoke check pass first; then sync this release again', f.expand_release);
        END IF;
    END LOOP;
    FOR f IN SELECT h.name FROM migrate_first.schema_history h WHERE NOT EXISTS (SELECT FROM mf_file m WHERE m.version = h.version) ORDER BY h.version LOOP
        RAISE NOTICE '% is in the history but no longer in the migrations directory', f.name;
    END LOOP;
END
$mf$;
SELECT count(*) AS mf_pending_count FROM mf_file m WHERE NOT EXISTS (SELECT FROM migrate_first.schema_history h WHERE h.version = m.version) \gset
\echo migrate: lock held; :mf_pending_count of :mf_total file(s) to apply
EOF
    # Each file's commit need not wait for its WAL flush: the file and its history row
    # commit together or not at all, and the synchronous commit at the end flushes them
    # all before the runner reports success.
    printf '%s\n' "SET synchronous_commit = off;"
    # A COMMIT or ROLLBACK inside a file would end the runner's transaction early.
    printf '%s\n' "CREATE FUNCTION pg_temp.mf_same_tx(xid text, file text) RETURNS boolean LANGUAGE plpgsql AS \$mf\$ BEGIN" \
        "IF pg_current_xact_id_if_assigned()::text IS DISTINCT FROM xid THEN" \
        "RAISE EXCEPTION '% ended the runner''s transaction itself (COMMIT or ROLLBACK in the file); statements before that are committed but not recorded', file" \
        "USING HINT = 'remove transaction control from the file; the runner wraps each file in a transaction'; END IF; RETURN true; END \$mf\$;"
    # Which files are pending, read once under the lock: a few wide rows, not a query per file.
    awk '{ printf "%s NOT EXISTS (SELECT FROM migrate_first.schema_history WHERE version = %s) AS mf_p_%s", (NR % 500 == 1 ? "SELECT" : ","), $1, $1 }
         NR % 500 == 0 { print " \\gset" } END { if (NR % 500 != 0) print " \\gset" }' "$work/annotated"
    # Three round trips per pending file, and printf only: no process per file.
    while read -r version name sum tx completes; do
        printf '%s\n' "\\if :mf_p_$version"
        if [ "$tx" = true ]; then
            printf '%s\n' "\\echo migrate: applying $name" "BEGIN \\; SELECT clock_timestamp() AS mf_started, pg_current_xact_id()::text AS mf_xid \\gset"
            check="AND pg_temp.mf_same_tx(:'mf_xid', '$name')"
            commit="\\; COMMIT"
        else
            printf '%s\n' "\\echo migrate: applying $name on its own, outside a transaction (header no-transaction): if it fails midway, part of it may stay applied" \
                "SELECT clock_timestamp() AS mf_started \\gset"
            check="" commit=""
        fi
        printf '%s\n' "\\set VERBOSITY verbose" "\\set ECHO errors" "\\i '$dir/$name'" "\\set ECHO none" "\\set VERBOSITY default" \
            "INSERT INTO migrate_first.schema_history (version, name, checksum, release, duration_ms, applied_by, transactional, completes)" \
            "SELECT $version, '$name', '$sum', :'release', (extract(epoch FROM clock_timestamp() - :'mf_started'::timestamptz) * 1000)::int, current_user || '@' || :'host', $tx, completes FROM mf_file WHERE version = $version $check" \
            "$commit \\; SELECT duration_ms AS mf_ms FROM migrate_first.schema_history WHERE version = $version \\gset" \
            "\\echo migrate: applied $name in :mf_ms ms" "\\endif"
    done <"$work/annotated"
    printf '%s\n' "SET synchronous_commit = on;" "BEGIN;" "SELECT pg_current_xact_id() \\g /dev/null" "COMMIT;"
} >"$plan"

# psql's messages go through a filter: a copy is kept to decide about retries, and
# source locations (noise to a migration author) are dropped. fd 3 is our stdout.
exec 3>&1
run_plan() {
    : >"$work/err"
    (
        psql -X -q -f "$plan" -v app="$app" -v release="$release" -v host="${HOSTNAME:-$(uname -n)}" \
            -v lock_timeout="$lock_timeout" -v statement_timeout="$statement_timeout" \
            -v out_of_order="$out_of_order" -v mf_total="$total" ${app_role:+-v app_role="$app_role"} 2>&1 1>&3 3>&-
        echo $? >"$work/status"
    ) | while IFS= read -r line; do
        printf '%s\n' "$line" >>"$work/err"
        case $line in
            LOCATION:*) ;;
            psql:"$plan":*)
                message=${line#psql:"$plan":*: }
                printf '%s: %s\n' "$script_name" "${message#*:  }" >&2 ;;
            *) printf '%s\n' "$line" >&2 ;;
        esac
    done
    return "$(cat "$work/status")"
}

# Where the first error was raised: "<file> <line>" of a migration file, or nothing.
failed_at() {
    sed -n "s|^psql:$dir/\\([^:]*\\.sql\\):\\([0-9][0-9]*\\): ERROR: .*|\\1 \\2|p" "$work/err" | head -n 1
}

log "$total migration file(s) in $dir; release $release; lock_timeout $lock_timeout, statement_timeout $statement_timeout"
attempt=0
while :; do
    if run_plan; then
        log "done: every file in $dir is applied"
        exit 0
    fi
    where=$(failed_at)
    if grep -q '^[^ ]* *ERROR:  55P03:' "$work/err" && [ "$attempt" -lt "$retries" ]; then
        attempt=$((attempt + 1))
        delay=$((1 << (attempt - 1)))
        log "${where%% *} waited longer than lock_timeout ($lock_timeout) for a lock held by another session; every file before it is applied; retry $attempt of $retries in ${delay}s" >&2
        sleep "$delay"
        continue
    fi
    break
done
if [ -n "$where" ]; then
    file=${where%% *}
    if grep -q "^[0-9]* $file [0-9a-f]* false\$" "$work/annotated"; then
        summary="FAILED: $file, at the statement ending on line ${where#* }. It ran outside a transaction: statements before that one stay applied. Check the database (an index CREATE INDEX CONCURRENTLY left INVALID must be dropped), make the file safe to re-run, and sync again."
    else
        summary="FAILED: $file, at the statement ending on line ${where#* }. Its transaction was rolled back: nothing of $file is applied and the history is unchanged; files before it stay applied. Fix the file (it was never applied, so editing it is safe) and sync again."
    fi
else
    summary="FAILED; see the message above."
fi
log "$summary" >&2
{ tail -n 20 "$work/err" | grep -v '^LOCATION:'; echo "$summary"; } >"$work/detail"
record_failure "PreSync migrate" "$work/detail"
exit 1
