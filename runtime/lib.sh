# lib.sh: what the runtime scripts share (all but wait-for-db.sh and alert.sh). Sourced, never run.
# POSIX sh; needs psql, sha256sum, awk and sed (all in the official postgres images).

# The migration lock is a session-level advisory lock on
#   hashtextextended('migrate-first:' || current_database() || ':' || <APP>, 0)
# so two runners for the same app and database exclude each other, while other apps
# (or other databases on the server) never wait. Any tool can take the same lock in SQL.

# Prints an error and stops the script.
fail() {
    echo "$script_name: $*" >&2
    exit 1
}

log() {
    echo "$script_name: $*"
}

# Writes "<version> <name>" for every migration file in $1 to the file $2, in version
# order. A file is "<digits>_<description>.sql"; its version is the number (leading
# zeros ignored), compared as a number, so 10_x.sql comes after 9_x.sql.
migration_files() {
    : >"$2.unsorted"
    for path in "$1"/*.sql; do
        [ -e "$path" ] || continue
        name=${path##*/}
        digits=${name%%_*}
        case $name in
            *[!A-Za-z0-9_.-]*) fail "$name has characters other than letters, digits, '_', '.' and '-'; rename it" ;;
        esac
        case $digits in
            "" | *[!0-9]* | "$name") fail "$name is not named <version>_<description>.sql (e.g. 0001_create_users.sql); rename it" ;;
        esac
        version=$digits
        while :; do case $version in 0?*) version=${version#0} ;; *) break ;; esac; done
        printf '%s %s %s\n' "${#version}" "$version" "$name" >>"$2.unsorted"
    done
    sort -k1,1n -k2,2 "$2.unsorted" | cut -d' ' -f2- >"$2"
    rm -f "$2.unsorted"
    awk 'NR > 1 && $1 == last { print $1 " is the version of both " prev " and " $2; bad = 1 } { last = $1; prev = $2 } END { exit bad }' "$2" >"$2.dup" ||
        fail "$(cat "$2.dup"); give one of them a new version"
}

# Prints "<file name> <directive>" for each "-- migrate-first: <directive>" line in the
# header (the comment and blank lines before the first statement) of each file given.
directives() {
    awk 'FNR == 1 { header = 1; name = FILENAME; sub(/.*\//, "", name) }
         !header || /^[[:space:]]*$/ { next }
         /^--/ { if (sub(/^--[[:space:]]*migrate-first:[[:space:]]*/, "")) print name, $0; next }
         { header = 0 }' "$@"
}

# Writes "<version> <name> <sha256> <transactional> <completes>" for the files listed in
# $2 (from migration_files) to $3, with one sha256sum and one awk for all of them.
# <completes> is the expand version a contract file completes, "-" for an expand file.
# Header directives: no-transaction, expand, contract completes <version>, and the
# linter's "allow <rule-id> because <reason>". Stops on any other.
annotate_migrations() {
    : >"$3.sums"
    : >"$3.directives"
    if [ -s "$2" ]; then
        # Names are checked by migration_files: no spaces, no globs.
        names=$(cut -d' ' -f2 "$2" | tr '\n' ' ')
        (cd "$1" && sha256sum $names && directives $names >"$3.directives") >"$3.sums" || fail "cannot read the files in $1"
    fi
    awk -v sums="$3.sums" -v dirs="$3.directives" '
        FILENAME == sums { sum[$2] = $1; next }
        FILENAME == dirs {
            if ($2 == "no-transaction" && NF == 2) notx[$1] = 1
            else if ($2 == "contract" && $3 == "completes" && $4 ~ /^[0-9]+$/ && NF == 4) { v = $4; sub(/^0+/, "", v); completes[$1] = (v == "" ? 0 : v) }
            else if (!($2 == "expand" && NF == 2) && !($2 == "allow" && $4 == "because" && NF >= 5)) {
                print $1 ": unknown header \"-- migrate-first: " substr($0, length($1) + 2) "\"; the known ones are no-transaction, expand, contract completes <version>, allow <rule-id> because <reason>"
                bad = 1
            }
            next
        }
        !bad { print $1, $2, sum[$2], ($2 in notx ? "false" : "true"), ($2 in completes ? completes[$2] : "-") }
        END { exit bad }' "$3.sums" "$3.directives" "$2" >"$3" || fail "$(head -n 1 "$3")"
}

# A psql script that takes the migration lock, waiting at most $1 seconds and saying
# every 5 s who holds it. Expects the psql variable "app".
lock_psql() {
    cat <<EOF
SELECT set_config('migrate_first.lock_key', hashtextextended('migrate-first:' || current_database() || ':' || :'app', 0)::text, false),
       set_config('migrate_first.lock_wait', '$1', false) \\g /dev/null
DO \$mf\$
DECLARE
    key bigint := current_setting('migrate_first.lock_key')::bigint;
    wait_s int := current_setting('migrate_first.lock_wait')::int;
    started timestamptz := clock_timestamp();
    reported timestamptz := clock_timestamp();
    holder text;
BEGIN
    WHILE NOT pg_try_advisory_lock(key) LOOP
        SELECT format('pid %s (%s, since %s)', a.pid, coalesce(nullif(a.application_name, ''), a.usename), to_char(a.backend_start, 'HH24:MI:SS'))
          INTO holder
          FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND ((l.classid::bigint << 32) | l.objid::bigint) = key;
        IF clock_timestamp() - started > make_interval(secs => wait_s) THEN
            RAISE EXCEPTION 'the migration lock is still held by % after %s', coalesce(holder, 'another session'), wait_s
                USING HINT = 'another migration of this app is running; let it finish, or stop it, then sync again';
        END IF;
        IF clock_timestamp() - reported >= interval '5 s' THEN
            RAISE NOTICE 'waiting for the migration lock, held by %', coalesce(holder, 'another session');
            reported := clock_timestamp();
        END IF;
        PERFORM pg_sleep(0.2);
    END LOOP;
END
\$mf\$;
EOF
}

# psql settings every script uses: stop at the first error, no ~/.psqlrc, quiet.
# A backend whose client died mid-statement aborts within 2 s (Postgres 14+), so a
# killed runner's transaction rolls back and its lock is freed at once.
session_psql() {
    cat <<'EOF'
\set ON_ERROR_STOP on
\set QUIET on
\set SHOW_CONTEXT never
SELECT set_config('client_connection_check_interval', '2s', false) WHERE current_setting('server_version_num')::int >= 140000 \g /dev/null
EOF
}

# A psql script that creates migrate-first's own tables once (under the migration lock)
# and, when the psql variable "app_role" is set, lets that role (the smoke check's) read
# the history and record verified releases and failures, and nothing more.
history_tables_psql() {
    cat <<'EOF'
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS migrate_first;
CREATE TABLE IF NOT EXISTS migrate_first.schema_history (
    version       numeric PRIMARY KEY,
    name          text NOT NULL,
    checksum      text NOT NULL,
    release       text NOT NULL,
    applied_at    timestamptz NOT NULL DEFAULT now(),
    duration_ms   integer NOT NULL,
    applied_by    text NOT NULL,
    transactional boolean NOT NULL
);
-- Added with expand/contract; a constant default adds it without a rewrite.
ALTER TABLE migrate_first.schema_history ADD COLUMN IF NOT EXISTS completes numeric;
CREATE TABLE IF NOT EXISTS migrate_first.verified_release (
    release          text NOT NULL,
    verified_at      timestamptz NOT NULL DEFAULT now(),
    verified_by      text NOT NULL DEFAULT current_user,
    last_version     numeric
);
CREATE TABLE IF NOT EXISTS migrate_first.failure (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    release   text NOT NULL,
    hook      text NOT NULL,
    detail    text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);
\if :{?app_role}
GRANT USAGE ON SCHEMA migrate_first TO :"app_role";
GRANT SELECT ON migrate_first.schema_history, migrate_first.verified_release TO :"app_role";
GRANT INSERT ON migrate_first.verified_release, migrate_first.failure TO :"app_role";
\endif
SET client_min_messages = notice;
EOF
}

# Runs a psql script from stdin with the session settings; stdout and stderr pass through.
psql_script() {
    { session_psql; cat; } | psql -X -q -f - "$@"
}

# Records a hook's failure for the SyncFail alert, best effort (the tables may not exist
# yet, the database may be down): $1 hook, $2 file holding the detail. The detail is read
# by psql itself, so it never passes through a command line.
record_failure() {
    cp "$2" /dev/termination-log 2>/dev/null || true
    printf '%s\n' "\\set detail \`cat '$2'\`" \
        "INSERT INTO migrate_first.failure (release, hook, detail) VALUES (:'release', :'hook', :'detail');" |
        psql_script -v release="${RELEASE:-manual}" -v hook="$1" >/dev/null 2>&1 || true
}
