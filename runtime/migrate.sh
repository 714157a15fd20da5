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
#                       the migrator's connection, from its Secret
#   DATABASE_URL        postgresql://user@host:port/db?sslmode=... (a password after the user
#                       and a colon): split into
#                       the libpq variables above inside the script (never a command
#                       line); a libpq variable that is set wins
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
#   IDLE_TIMEOUT        a frozen runner (stopped, or cut off by the network) loses its
#                       session, and with it every lock, after this long idle (default 60s);
#                       TCP keepalives find a dead peer within about a minute as well
#
# Expand/contract: a file whose header says "-- migrate-first: contract completes <v>" is
# applied only if file <v> was applied by an earlier release that migrate_first.verified_release
# holds (its PostSync smoke check passed). Otherwise the run stops before applying anything.
# A new database (empty history) has no earlier release to protect: contracts apply with
# their expands.
# What psql would read as anything but SQL is refused before any file runs, with its file
# and line: meta-commands (\q, \set, \i, \c, \! ...), psql variables (:name), transaction
# control, directives outside the header. Each file starts from the runner's own session
# settings, whatever the file before it SET. A no-transaction file is never recorded while
# an index it builds is INVALID; before it runs, an INVALID index of the same name (what a
# failed attempt left) is dropped.
# Needs Postgres 14 or later (idle_session_timeout, client_connection_check_interval).
# Exit 0: every statement of every pending file ran, committed, and was recorded once.
# Exit 1: the hook failed; the message says why and what to do.
set -u
script_name=migrate
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# Every early stop is recorded for the SyncFail alert too, even before the history
# tables exist: the alert then shows this message, not a missing table.
fail() {
    echo "$script_name: $*" >&2
    failure_file=$(mktemp "${TMPDIR:-/tmp}/migrate-failure.XXXXXX") && printf '%s\n' "FAILED before any file ran: $*" >"$failure_file" &&
        record_failure "PreSync migrate" "$failure_file"
    rm -f "$failure_file" "$failure_file.sent" 2>/dev/null
    exit 1
}

database_url_to_libpq
dir=${MIGRATIONS_DIR:-/migrations}
app=${APP:?APP must name the app (it is part of the lock key)}
release=${RELEASE:-manual}
app_role=${APP_ROLE:-}
lock_timeout=${LOCK_TIMEOUT:-5s}
statement_timeout=${STATEMENT_TIMEOUT:-4min}
retries=${LOCK_RETRIES:-3}
lock_wait=${LOCK_WAIT:-120}
out_of_order=${ALLOW_OUT_OF_ORDER:-false}
idle_timeout=${IDLE_TIMEOUT:-60s}
[ -d "$dir" ] || fail "MIGRATIONS_DIR $dir is not a directory"
export PGAPPNAME="migrate-first migrate $app"

work=$(mktemp -d "${TMPDIR:-/tmp}/migrate.XXXXXX") || fail "cannot create a work directory under ${TMPDIR:-/tmp}"
trap 'rm -rf "$work"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

migration_files "$dir" "$work/files"
annotate_migrations "$dir" "$work/files" "$work/annotated"
total=$(wc -l <"$work/files" | tr -d ' ')

# SQL string literal of $1 (quotes doubled).
literal() {
    case $1 in
        *"'"*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")" ;;
        *) printf "'%s'" "$1" ;;
    esac
}

# The runner's own session settings go in the connection's startup options, which makes
# them the values RESET ALL returns to: after each file (in its transaction, before its
# history row) a RESET puts them back, so no file changes how the next one runs, or what
# the history says. RESET ALL leaves the role alone, hence RESET ROLE.
for value in "$lock_timeout" "$statement_timeout" "$idle_timeout"; do
    case $value in "" | *[!0-9a-z]*) fail "\"$value\" is not a Postgres duration such as 5s, 250ms or 4min" ;; esac
done
PGOPTIONS="-c lock_timeout=$lock_timeout -c statement_timeout=$statement_timeout -c synchronous_commit=off -c client_connection_check_interval=2s -c idle_in_transaction_session_timeout=$idle_timeout -c idle_session_timeout=$idle_timeout -c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3 -c tcp_user_timeout=60000 ${PGOPTIONS:-}"
export PGOPTIONS
reset="RESET ALL \\; RESET SESSION AUTHORIZATION \\; RESET ROLE"
# psql's own settings, which only a meta-command could change (the scanner refuses them).
psql_settings='\set ON_ERROR_STOP on
\set ON_ERROR_ROLLBACK off
\set AUTOCOMMIT on
\set VERBOSITY verbose'

# The run, as one psql script: lock, history tables, checks, then each pending file.
plan="$work/plan.psql"
{
    session_psql
    printf '%s\n' "$psql_settings"
    echo "SET statement_timeout = 0;"
    lock_psql "$lock_wait"
    echo "SELECT current_setting('migrate_first.lock_key') AS mf_lock_key \\gset"
    echo "RESET statement_timeout;"
    history_tables_psql
    cat <<'EOF'
CREATE TEMP TABLE mf_file (version numeric PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, completes numeric, problem text);
EOF
    awk '{ printf "INSERT INTO pg_temp.mf_file VALUES (%s, \047%s\047, \047%s\047, %s, NULL);\n", $1, $2, $3, ($5 == "-" ? "NULL" : $5) }' "$work/annotated"
    while read -r version problem; do
        printf '%s\n' "UPDATE pg_temp.mf_file SET problem = concat_ws(E'\\n', problem, $(literal "$problem")) WHERE version = $version;"
    done <"$work/annotated.problems"
    cat <<'EOF'
INSERT INTO migrate_first.owner (app) VALUES (:'app') ON CONFLICT DO NOTHING;
SELECT set_config('migrate_first.out_of_order', :'out_of_order', false), set_config('migrate_first.release', :'release', false),
       set_config('migrate_first.app', :'app', false) \g /dev/null
DO $mf$
DECLARE
    f record;
    new_database boolean;
    refused text;
    owner text := (SELECT app FROM migrate_first.owner);
BEGIN
    IF owner <> current_setting('migrate_first.app') THEN
        RAISE EXCEPTION 'this database''s migration history belongs to the app %, not %: two apps on one database would share one history and ledger without sharing a lock', owner, current_setting('migrate_first.app')
            USING HINT = 'give each app its own database (database.name in its spec); if the app was renamed, UPDATE migrate_first.owner SET app to its new name';
    END IF;
    FOR f IN SELECT h.name, h.release, h.checksum AS was, m.checksum AS now
               FROM migrate_first.schema_history h JOIN pg_temp.mf_file m USING (version)
              WHERE h.checksum <> m.checksum ORDER BY h.version LOOP
        RAISE EXCEPTION '% was applied by release % with checksum %, but the file now has checksum %', f.name, f.release, left(f.was, 12), left(f.now, 12)
            USING HINT = 'an applied migration must never change: restore the file, and put the change in a new file';
    END LOOP;
    -- What psql would read as other than SQL, in a file still to apply: nothing runs.
    SELECT string_agg(m.problem, E'\n' ORDER BY m.version) INTO refused FROM pg_temp.mf_file m
     WHERE m.problem IS NOT NULL AND NOT EXISTS (SELECT FROM migrate_first.schema_history h WHERE h.version = m.version);
    IF refused IS NOT NULL THEN
        RAISE EXCEPTION E'refused before applying anything:\n%', refused
            USING HINT = 'psql runs each file: what it reads as a meta-command, a variable or transaction control would change what the runner reports; fix the lines named, then sync again';
    END IF;
    -- An applied file under a new version (a rename, a rebase) would run a second time.
    FOR f IN SELECT m.name, h.name AS was, h.version, h.release
               FROM pg_temp.mf_file m JOIN migrate_first.schema_history h ON h.checksum = m.checksum AND h.version <> m.version
              WHERE NOT EXISTS (SELECT FROM migrate_first.schema_history x WHERE x.version = m.version)
                AND NOT EXISTS (SELECT FROM pg_temp.mf_file x WHERE x.version = h.version)
              ORDER BY m.version LOOP
        RAISE EXCEPTION '% has the content of %, which release % applied as version %: applying it would run the same statements twice', f.name, f.was, f.release, f.version
            USING HINT = format('give the file back its name %s; if its statements really must run again, make it a new file with a comment saying why', f.was);
    END LOOP;
    IF current_setting('migrate_first.out_of_order') <> 'true' THEN
        FOR f IN SELECT m.name, last.name AS last_name
                   FROM pg_temp.mf_file m, (SELECT name, version FROM migrate_first.schema_history ORDER BY version DESC LIMIT 1) last
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
    IF new_database AND EXISTS (SELECT FROM pg_temp.mf_file WHERE completes IS NOT NULL) THEN
        RAISE NOTICE 'new database (empty history): no earlier release runs on it, so contract files apply with their expands';
    END IF;
    FOR f IN SELECT m.name, m.version, m.completes, e.name AS expand_name, e.release AS expand_release,
                    (SELECT x.name FROM pg_temp.mf_file x WHERE x.version = m.completes) AS expand_file
               FROM pg_temp.mf_file m LEFT JOIN migrate_first.schema_history e ON e.version = m.completes
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
    FOR f IN SELECT h.name FROM migrate_first.schema_history h WHERE NOT EXISTS (SELECT FROM pg_temp.mf_file m WHERE m.version = h.version) ORDER BY h.version LOOP
        RAISE NOTICE '% is in the history but no longer in the migrations directory', f.name;
    END LOOP;
END
$mf$;
SELECT count(*) AS mf_pending_count FROM pg_temp.mf_file m WHERE NOT EXISTS (SELECT FROM migrate_first.schema_history h WHERE h.version = m.version) \gset
\echo migrate: lock held; :mf_pending_count of :mf_total file(s) to apply
EOF
    # After each file, before its history row: the runner still holds its file list (and
    # its lock, after a file that names advisory locks); a transactional file ran in the runner's transaction to its end; a
    # no-transaction file left no index INVALID.
    cat <<'EOF'
CREATE FUNCTION pg_temp.mf_check(file text, xid text, lock_key bigint, total int, invalid_before oid[], names text[]) RETURNS boolean LANGUAGE plpgsql AS $mf$
DECLARE
    invalid text;
BEGIN
    IF xid IS NOT NULL AND pg_current_xact_id_if_assigned()::text IS DISTINCT FROM xid THEN
        RAISE EXCEPTION '% ended the runner''s transaction (a COMMIT or ROLLBACK ran in it): its statements up to that point were committed or rolled back with it, those after it ran outside any transaction and stay applied; it is not recorded', file
            USING HINT = 'compare the database with the file and undo what is applied of it by hand; then remove the transaction control from the file (the runner wraps each file in a transaction) and sync again';
    END IF;
    IF lock_key IS NOT NULL AND NOT EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND ((classid::bigint << 32) | objid::bigint) = lock_key) THEN
        RAISE EXCEPTION '% released the migration lock (pg_advisory_unlock): another runner could be migrating at the same time', file
            USING HINT = 'remove the advisory unlock from the file, then sync again';
    END IF;
    IF (SELECT count(*) FROM pg_temp.mf_file) <> total THEN
        RAISE EXCEPTION '% changed the runner''s list of files (pg_temp.mf_file)', file USING HINT = 'leave the runner''s temporary tables alone';
    END IF;
    IF invalid_before IS NOT NULL THEN
        SELECT string_agg(i.indexrelid::regclass::text, ', ') INTO invalid FROM pg_index i
         WHERE NOT i.indisvalid AND (i.indexrelid <> ALL (invalid_before) OR i.indexrelid IN (SELECT to_regclass(n) FROM unnest(names) n));
        IF invalid IS NOT NULL THEN
            RAISE EXCEPTION '% left the index % INVALID (a CREATE INDEX CONCURRENTLY that did not finish): it enforces and speeds up nothing; the file is not recorded', file, invalid
                USING HINT = 'sync again: the runner drops an INVALID index the file names before running it again; if it fails again, read why above (duplicate values for a UNIQUE index?)';
        END IF;
    END IF;
    RETURN true;
END $mf$;
CREATE FUNCTION pg_temp.mf_done(total int, lock_key bigint) RETURNS boolean LANGUAGE plpgsql AS $mf$
DECLARE
    missing text;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND ((classid::bigint << 32) | objid::bigint) = lock_key) THEN
        RAISE EXCEPTION 'the migration lock was released during the run (pg_advisory_unlock in a file?): another runner could have migrated at the same time'
            USING HINT = 'remove the advisory unlock from the file, compare the database with the files, then sync again';
    END IF;
    SELECT string_agg(m.name, ', ' ORDER BY m.version) INTO missing FROM pg_temp.mf_file m
     WHERE NOT EXISTS (SELECT FROM migrate_first.schema_history h WHERE h.version = m.version AND h.checksum = m.checksum);
    IF missing IS NOT NULL OR (SELECT count(*) FROM pg_temp.mf_file) <> total THEN
        RAISE EXCEPTION 'the run ended with file(s) not recorded as applied: %', coalesce(missing, '(the runner''s file list was changed)')
            USING HINT = 'look above for why; nothing is reported applied that is not';
    END IF;
    RETURN true;
END $mf$;
EOF
    # Which files are pending, read once under the lock: a few wide rows, not a query per
    # file. The variables are numbered by position: a version can be longer than a name.
    awk '{ printf "%s NOT EXISTS (SELECT FROM migrate_first.schema_history WHERE version = %s) AS mf_p_%s", (NR % 500 == 1 ? "SELECT" : ","), $1, NR }
         NR % 500 == 0 { print " \\gset" } END { if (NR % 500 != 0) print " \\gset" }' "$work/annotated"
    # Two round trips per pending transactional file (its statements aside), written by one
    # awk: no process per file. The next file's transaction is begun in the round trip that
    # commits the last one; it stays empty (and is committed at the end) if no file uses it.
    # Reading pg_locks after every file would cost as much as the file: the lock is checked
    # after a file that names advisory locks, and at the end for all of them.
    # The texts come through the environment: awk -v would read their backslashes.
    MF_BEGIN="BEGIN \\; SELECT clock_timestamp() AS mf_started, pg_current_xact_id()::text AS mf_xid" \
        MF_RESET="$reset" MF_PSQL="$psql_settings" MF_DIR="$dir" LC_ALL=C awk -v q="'" '
        FILENAME == ARGV[1] { for (i = 2; i <= NF; i++) { g = $i; gsub(q, q q, g); idx[$1] = idx[$1] (i > 2 ? ", " : "") q g q }; next }
        FILENAME == ARGV[2] { adv[$1] = 1; next }
        FNR == 1 { print ENVIRON["MF_BEGIN"] " \\gset" }
        {
            version = $1; name = $2; lock = version in adv ? ":mf_lock_key" : "NULL"
            print "\\if :mf_p_" FNR
            if ($4 == "true") {
                print "\\echo migrate: applying " name
                check = "pg_temp.mf_check(" q name q ", :" q "mf_xid" q ", " lock ", :mf_total, NULL, NULL)"; commit = "\\; COMMIT"
            } else {
                print "\\echo migrate: applying " name " on its own, outside a transaction (header no-transaction): if it fails midway, part of it may stay applied"
                print "COMMIT;"
                # What a failed attempt left: an INVALID index the file would now skip (IF NOT EXISTS).
                if (version in idx)
                    print "SELECT format(" q "DROP INDEX CONCURRENTLY IF EXISTS %s" q ", i.indexrelid::regclass) FROM pg_index i WHERE NOT i.indisvalid AND i.indexrelid IN (SELECT to_regclass(n) FROM unnest(ARRAY[" idx[version] "]::text[]) n) \\gexec"
                print "SELECT clock_timestamp() AS mf_started, coalesce(array_agg(indexrelid)::text, " q "{}" q ") AS mf_invalid FROM pg_index WHERE NOT indisvalid \\gset"
                check = "pg_temp.mf_check(" q name q ", NULL, " lock ", :mf_total, :" q "mf_invalid" q ", ARRAY[" (version in idx ? idx[version] : "NULL") "]::text[])"
                # Its history row commits on its own: a BEGIN in the same query string would
                # take the row into the transaction of the next file.
                commit = ";\n"
            }
            print ENVIRON["MF_PSQL"]; print "\\set ECHO errors"; print "\\i " q ENVIRON["MF_DIR"] "/" name q; print "\\set ECHO none"; print ENVIRON["MF_PSQL"]
            print ENVIRON["MF_RESET"] " \\; INSERT INTO migrate_first.schema_history (version, name, checksum, release, duration_ms, applied_by, transactional, completes)"
            print "SELECT " version ", " q name q ", " q $3 q ", :" q "release" q ", (extract(epoch FROM clock_timestamp() - :" q "mf_started" q "::timestamptz) * 1000)::int, current_user || " q "@" q " || :" q "host" q ", " $4 ", completes FROM pg_temp.mf_file WHERE version = " version " AND " check
            print commit (commit == ";\n" ? "" : " \\; ") ENVIRON["MF_BEGIN"] ", (SELECT duration_ms FROM migrate_first.schema_history WHERE version = " version ") AS mf_ms \\gset"
            print "\\echo migrate: applied " name " in :mf_ms ms"; print "\\endif"
        }' "$work/annotated.indexes" "$work/annotated.advisory" "$work/annotated"
    printf '%s\n' "COMMIT;"
    printf '%s\n' "SET synchronous_commit = on;" "BEGIN;" "SELECT pg_current_xact_id() \\g /dev/null" "COMMIT;"
    # The end, reached only if psql ran the whole plan: every file is recorded with its checksum.
    printf '%s\n' "\\o '$work/complete'" "SELECT pg_temp.mf_done(:mf_total, :mf_lock_key);" "\\o"
} >"$plan"

# psql's messages go through the filter (lib.sh): a copy is kept to decide about retries,
# literals are redacted, and source locations dropped. fd 3 is our stdout.
exec 3>&1
run_plan() {
    : >"$work/err"
    rm -f "$work/complete"
    (
        # shellcheck disable=SC3028 # HOSTNAME is the pod's name when Kubernetes sets it; dash sets none, hence uname -n
        psql -X -q -f "$plan" -v app="$app" -v release="$release" -v host="${HOSTNAME:-$(uname -n)}" \
            -v out_of_order="$out_of_order" -v mf_total="$total" ${app_role:+-v app_role="$app_role"} 2>&1 1>&3 3>&-
        echo $? >"$work/status"
    ) | LC_ALL=C awk -v prefix="$plan" -v name="$script_name" -v copy="$work/err" "$filter_program" >&2
    status=$(cat "$work/status")
    # psql ending early (a file that got past the scanner with \q) or an error it let pass is never success.
    [ "$status" -eq 0 ] && [ -s "$work/complete" ] && ! grep -q 'ERROR:' "$work/err"
}

# Where the first error was raised: "<file> <line>" of a migration file, or nothing.
failed_at() {
    sed -n "s|^psql:$dir/\\([^:]*\\.sql\\):\\([0-9][0-9]*\\): ERROR: .*|\\1 \\2|p" "$work/err" | head -n 1
}

# Who holds locks in an open transaction: said when a lock wait timed out.
lock_holders() {
    printf '%s\n' "SELECT string_agg(format('pid %s (%s, %s, in a transaction for %ss) holds %s', a.pid, coalesce(nullif(a.application_name, ''), a.usename), a.state, extract(epoch FROM now() - a.xact_start)::int, l.objects), '; ') FROM pg_stat_activity a JOIN (SELECT pid, string_agg(DISTINCT coalesce(relation::regclass::text, locktype), ', ') AS objects FROM pg_locks WHERE granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) GROUP BY pid) l USING (pid) WHERE a.pid <> pg_backend_pid() AND a.xact_start IS NOT NULL AND a.backend_type = 'client backend';" |
        psql_script -t -A 2>/dev/null | head -n 1
}

log "$total migration file(s) in $dir; release $release; lock_timeout $lock_timeout, statement_timeout $statement_timeout"
attempt=0
while :; do
    if run_plan; then
        log "done: every file in $dir is applied"
        exit 0
    fi
    where=$(failed_at)
    if grep -q 'ERROR:  55P03:' "$work/err" && [ "$attempt" -lt "$retries" ]; then
        attempt=$((attempt + 1))
        delay=$((1 << (attempt - 1)))
        holders=$(lock_holders)
        log "${where:-the runner}: waited longer than lock_timeout ($lock_timeout) for a lock held by another session${holders:+ (}${holders}${holders:+)}; every file before it is applied; retry $attempt of $retries in ${delay}s" >&2
        sleep "$delay"
        continue
    fi
    break
done
if [ -n "$where" ]; then
    file=${where%% *}
    if awk -v f="$file" '$2 == f && $4 == "false" { found = 1 } END { exit !found }' "$work/annotated"; then
        left=$(printf '%s\n' "SELECT string_agg(indexrelid::regclass::text, ', ') FROM pg_index WHERE NOT indisvalid;" | psql_script -t -A 2>/dev/null)
        summary="FAILED: $file, at the statement ending on line ${where#* }. It ran outside a transaction (no-transaction): statements before that one stay applied${left:+, and these indexes are INVALID: $left (the runner drops one the file names before it runs the file again)}. Make the file safe to re-run and sync again."
    else
        summary="FAILED: $file, at the statement ending on line ${where#* }. Its transaction was rolled back: nothing of $file is applied and the history is unchanged; files before it stay applied. Fix the file (it was never applied, so editing it is safe) and sync again."
    fi
else
    summary="FAILED; see the message above. Nothing was recorded as applied that did not commit."
fi
log "$summary" >&2
{ tail -n 20 "$work/err"; echo "$summary"; } >"$work/detail"
record_failure "PreSync migrate" "$work/detail"
exit 1
