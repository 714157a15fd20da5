# lib.sh: what the runtime scripts share (all but alert.sh). Sourced, never run.
# POSIX sh; needs psql, sha256sum, awk and sed (all in the official postgres images).

# The migration lock is a session-level advisory lock on
#   hashtextextended('migrate-first:' || current_database() || ':' || <APP>, 0)
# so two runners for the same app and database exclude each other, while other apps
# (or other databases on the server) never wait. Any tool can take the same lock in SQL.

# Prints an error and stops the script.
# shellcheck disable=SC2154 # script_name: set by each script before it sources this file
fail() {
    echo "$script_name: $*" >&2
    exit 1
}

log() {
    echo "$script_name: $*"
}

warn() {
    echo "$script_name: warning: $*" >&2
}

# Writes "<version> <name>" for every migration file in $1 to the file $2, in version
# order. A file is "<digits>_<description>.sql"; its version is the number (leading
# zeros ignored), compared as a number, so 10_x.sql comes after 9_x.sql.
# Nothing in $1 is passed over in silence: a name that looks like SQL but is not read
# (.SQL, a hidden .sql, a dangling link, a directory) stops the run; anything else is
# named in a warning.
migration_files() {
    : >"$2.unsorted"
    for path in "$1"/* "$1"/.[!.]* "$1"/..?*; do
        [ -e "$path" ] || [ -L "$path" ] || continue
        name=${path##*/}
        case $name in
            .*.[Ss][Qq][Ll]) fail "$name is hidden (its name starts with a dot), so it would never be applied; rename it <version>_<description>.sql" ;;
            .*) warn "$name is not a migration file (hidden); it is not applied"; continue ;;
            *.sql) ;;
            *.[Ss][Qq][Ll]) fail "$name: only names ending in lower-case .sql are migration files; rename it to end in .sql" ;;
            *)
                if [ -d "$path" ]; then
                    for inner in "$path"/*.[Ss][Qq][Ll]; do
                        [ -e "$inner" ] && fail "$name/ is a directory holding ${inner##*/}: files in subdirectories are never applied; move them up into $1"
                    done
                fi
                warn "$name is not a migration file (not <version>_<description>.sql); it is not applied"
                continue ;;
        esac
        [ -e "$path" ] || fail "$name is a symbolic link to nothing; restore its target or remove it"
        [ -f "$path" ] || fail "$name is not a regular file; a migration must be a file"
        [ -r "$path" ] || fail "$name cannot be read by this user; fix its permissions"
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

# The scanner: reads each migration file as psql will (comments, quoted strings and
# identifiers, dollar quotes, nested /* */), so that what psql would take for anything
# but SQL is refused before a file runs, with its file and line. It prints:
#   D <file> <line> <directive>   a "-- migrate-first:" directive in the header
#   I <file> <index>              an index a CREATE [UNIQUE] INDEX CONCURRENTLY names
#   A <file>                      the file names advisory locks (anywhere, in any case)
#   E <file> <line> <problem>     a meta-command (\q, \set, \i ...), a psql variable
#                                 (:name, :'name', :"name"), transaction control, a
#                                 directive outside the header, an unclosed quote
# The header grammar (lint/header.ts reads it the same way, and a test holds them to it):
# the file may start with a UTF-8 byte order mark; the header is every comment and blank
# before the first SQL token; a directive is a "--" comment whose text starts, after
# blanks, with "migrate-first:" (any case), wherever on its line the comment starts.
# A "migrate-first:" in a /* */ comment, or a directive other than "allow" after the
# first statement, is refused: it would mean something to a reader and nothing here.
# Strings: a backslash just before a quote is refused, since psql reads '...\' one way
# with standard_conforming_strings on and another with it off (and E'' strings always);
# without one, both readings end every string at the same quote.
scan_program=$(cat <<'AWK'
# Reads migration files as psql would, and prints for each:
#   D <file> <line> <directive>   a "-- migrate-first:" directive of the header
#   I <file> <index name>         an index a CREATE INDEX CONCURRENTLY names
#   E <file> <line> <problem>     what psql would read other than SQL
function problem(msg, at) { print "E", name, (at == "" ? FNR : at), msg }
function low(s) { return tolower(s) }
function directive(text, kind) {
    if (low(text) !~ /migrate-first:/) return
    if (kind == "block") { problem("a migrate-first: directive in a /* */ comment; write it as a -- line in the header"); return }
    if (low(text) !~ /^[ \t\r]*migrate-first:/) return
    sub(/^[ \t\r]*[^:]*:[ \t\r]*/, "", text); sub(/[ \t\r]+$/, "", text)
    if (header) print "D", name, FNR, text
    else if (text !~ /^allow[ \t]/) problem("\"-- migrate-first: " text "\" after the first statement; directives other than allow go in the header, before any SQL")
}
function word(w) {
    header = 0
    if (paren == 0 && nw < 12) { nw++; W[nw] = toupper(w); R[nw] = w }
    if (W[1] == "CREATE") {
        u = toupper(w)
        if (u == "BEGIN" && nw > 1) atomic++
        else if (u == "CASE" && atomic > 0) atomic++
        else if (u == "END" && atomic > 0) atomic--
    }
    if (nw == 1 || (nw == 2 && (W[1] == "START" || W[1] == "PREPARE"))) {
        u = W[nw]
        if (nw == 1 && (u == "BEGIN" || u == "COMMIT" || u == "END" || u == "ROLLBACK" || u == "ABORT" || u == "SAVEPOINT" || u == "RELEASE") ||
            nw == 2 && u == "TRANSACTION")
            problem(W[1] (nw == 2 ? " " u : "") ": transaction control in a migration file; remove it (the runner runs each file in a transaction of its own, or statement by statement with no-transaction)")
    }
}
function statement_end(   j, k) {
    # psql reads COPY ... FROM STDIN data raw from the lines that follow, up to "\.".
    for (j = 2; j < nw; j++) if (W[1] == "COPY" && W[j] == "FROM" && W[j + 1] == "STDIN") copying = 1
    if (W[1] == "CREATE") {
        j = 2
        if (W[j] == "UNIQUE") j++
        if (W[j] == "INDEX" && W[j + 1] == "CONCURRENTLY") {
            j += 2
            if (W[j] == "IF") j += 3
            if (W[j] != "ON" && j <= nw) { k = R[j]; if (W[j + 1] != "ON" && j + 1 <= nw) k = k "." R[j + 1]; print "I", name, k }
        }
    }
    nw = 0; atomic = 0; split("", W); split("", R)
}
FNR == 1 {
    if (NR > 1) eof()
    name = FILENAME; sub(/.*\//, "", name)
    st = "code"; depth = 0; paren = 0; header = 1; nw = 0; atomic = 0; copying = 0; split("", W); split("", R)
    if (substr($0, 1, 3) == bom) $0 = substr($0, 4)
}
function eof() {
    FNR = last
    if (st == "sq") problem("the file ends inside a quoted string opened on line " opened "; close it")
    else if (st == "dq") problem("the file ends inside a quoted identifier opened on line " opened "; close it")
    else if (st == "dol") problem("the file ends inside the dollar-quoted string " tag " opened on line " opened "; close it")
    else if (st == "block") problem("the file ends inside a /* comment opened on line " opened "; close it")
    else statement_end()
}
{
    last = FNR; line = $0; n = length(line); i = 1
    if (!(name in advisory) && tolower(line) ~ /advisory/) { advisory[name] = 1; print "A", name }
    if (st == "copy") { if (line ~ /^\\\.\r?$/) st = "code"; next }
    while (i <= n) {
        rest = substr(line, i)
        if (st == "block") {
            if (!match(rest, /\/\*|\*\//)) { directive(rest, "block"); break }
            directive(substr(rest, 1, RSTART - 1), "block")
            if (substr(rest, RSTART, 2) == "/*") depth++; else depth--
            i += RSTART + 1
            if (depth == 0) st = "code"
            continue
        }
        if (st == "sq") {
            p = index(rest, "'")
            if (p == 0) break
            if (p > 1 && substr(rest, p - 1, 1) == "\\")
                problem("a backslash before a quote in a string, which psql may read either way; write '' for a quote, or use a $$ string")
            if (substr(rest, p + 1, 1) == "'") { i += p + 1; continue }
            st = "code"; i += p; continue
        }
        if (st == "dq") {
            p = index(rest, "\"")
            if (p == 0) break
            if (substr(rest, p + 1, 1) == "\"") { i += p + 1; continue }
            st = "code"; i += p; continue
        }
        if (st == "dol") {
            p = index(rest, tag)
            if (p == 0) break
            st = "code"; i += p + length(tag) - 1; continue
        }
        c = substr(rest, 1, 1)
        if (c == " " || c == "\t" || c == "\r" || c == "\f" || c == "\v") { i++; continue }
        if (substr(rest, 1, 2) == "--") { directive(substr(rest, 3), "line"); break }
        if (substr(rest, 1, 2) == "/*") { st = "block"; depth = 1; opened = FNR; i += 2; continue }
        if (c == "'") { header = 0; st = "sq"; opened = FNR; i++; continue }
        if (c == "\"") {
            header = 0; st = "dq"; opened = FNR
            if (match(substr(rest, 2), /^[^"]*"/) && substr(rest, RSTART + RLENGTH + 1, 1) != "\"") word(substr(rest, 1, RLENGTH + 1))
            i++; continue
        }
        if (c == "\\") {
            # psql takes the rest of the line as the meta-command's arguments.
            match(rest, /^\\[^ \t]*/)
            problem(substr(rest, 1, RLENGTH > 20 ? 20 : RLENGTH) ": psql would run this as a meta-command (a backslash outside strings and comments is psql's, not SQL); remove it")
            break
        }
        if (c == "$") {
            header = 0
            if (match(rest, /^\$[A-Za-z_][A-Za-z_0-9]*\$|^\$\$/)) { tag = substr(rest, 1, RLENGTH); st = "dol"; opened = FNR; i += RLENGTH; continue }
            i++; continue
        }
        if (c == ":") {
            header = 0
            nc = substr(rest, 2, 1)
            if (nc == ":") { i += 2; continue }
            if (match(rest, /^:[0-9]*[^][ \t\r\f\v!"#$%&'()*+,.\/:;<=>?@\\^`{|}~0-9-]/) || nc == "'" || nc == "\"" || nc == "{") {
                problem(substr(rest, 1, 2) "...: psql would put one of its variables here; write \": \" with a space after the colon, or quote the text")
            }
            i++; continue
        }
        if (c == ";") { header = 0; if (paren == 0 && atomic == 0) statement_end(); i++; continue }
        if (c == "(") { header = 0; paren++; i++; continue }
        if (c == ")") { header = 0; if (paren > 0) paren--; i++; continue }
        if (c ~ /[0-9]/) { header = 0; match(rest, /^[0-9]+/); i += RLENGTH; continue }
        if (match(rest, /^[^][ \t\r\f\v!"#$%&'()*+,.\/:;<=>?@\\^`{|}~0-9-][^][ \t\r\f\v!"#%&'()*+,.\/:;<=>?@\\^`{|}~-]*/)) {
            word(substr(rest, 1, RLENGTH)); i += RLENGTH; continue
        }
        header = 0; i++
    }
    if (copying) { st = "copy"; copying = 0 }
}
END { if (NR > 0) eof() }
AWK
)

# Writes "<version> <name> <sha256> <transactional> <completes>" for the files listed in
# $2 (from migration_files) to $3, with one sha256sum and one awk for all of them.
# <completes> is the expand version a contract file completes, "-" for an expand file.
# Header directives: no-transaction, expand, contract completes <version>, and the
# linter's "allow <rule-id> because <reason>". Stops on any other.
# Also writes $3.problems ("<version> <file>:<line>: <problem>", refused if the file is
# pending), $3.indexes ("<version> <index>...", for no-transaction files) and
# $3.advisory (versions of files that name advisory locks).
annotate_migrations() {
    : >"$3.sums"
    : >"$3.scan"
    if [ -s "$2" ]; then
        # Names are checked by migration_files: no spaces, no globs.
        names=$(cut -d' ' -f2 "$2" | tr '\n' ' ')
        # shellcheck disable=SC2086
        (cd "$1" && sha256sum $names && LC_ALL=C awk -v bom="$(printf '\357\273\277')" "$scan_program" $names >"$3.scan") >"$3.sums" ||
            fail "cannot read the files in $1"
    fi
    LC_ALL=C awk -v sums="$3.sums" -v scan="$3.scan" -v out="$3" '
        FILENAME == sums { sum[$2] = $1; next }
        FILENAME == scan {
            if ($1 == "E") { text = $0; sub(/^E [^ ]* [^ ]* /, "", text); problems[$2] = problems[$2] "\n" $2 ":" $3 ": " text; next }
            if ($1 == "I") { index_of[$2] = index_of[$2] " " $3; next }
            if ($1 == "A") { advisory[$2] = 1; next }
            at = $3; $0 = substr($0, 3); sub(/ [0-9]+ /, " ")
            if ($2 == "no-transaction" && NF == 2) notx[$1] = 1
            else if ($2 == "contract" && $3 == "completes" && $4 ~ /^[0-9]+$/ && NF == 4) { v = $4; sub(/^0+/, "", v); completes[$1] = (v == "" ? 0 : v); phase[$1] = phase[$1] "c" }
            else if ($2 == "expand" && NF == 2) phase[$1] = phase[$1] "e"
            else if (!($2 == "allow" && $4 == "because" && NF >= 5)) {
                print $1 ": unknown header \"-- migrate-first: " substr($0, length($1) + 2) "\"; the known ones are no-transaction, expand, contract completes <version>, allow <rule-id> because <reason>"
                bad = 1
            }
            # Refused if the file is pending: an applied file that says both was read by an older runner.
            if (phase[$1] ~ /c/ && phase[$1] ~ /e|c.*c/ && !($1 in conflict)) {
                conflict[$1] = 1
                problems[$1] = problems[$1] "\n" $1 ":" at ": its header says both expand and contract, or contract twice; keep the one that is meant"
            }
            next
        }
        !bad {
            print $1, $2, sum[$2], ($2 in notx ? "false" : "true"), ($2 in completes ? completes[$2] : "-") >out
            if ($2 in problems) { n = split(substr(problems[$2], 2), p, "\n"); for (k = 1; k <= n; k++) print $1, p[k] >(out ".problems") }
            if ($2 in notx && $2 in index_of) print $1 index_of[$2] >(out ".indexes")
            if ($2 in advisory) print $1 >(out ".advisory")
        }
        END { exit bad }' "$3.sums" "$3.scan" "$2" >"$3.refused" || fail "$(head -n 1 "$3.refused")"
    touch "$3.problems" "$3.indexes" "$3.advisory"
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
-- Added with expand/contract. The catalog is read first: ADD COLUMN IF NOT EXISTS takes an
-- ACCESS EXCLUSIVE lock even when the column is there, and would wait behind any reader.
DO $mf$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'migrate_first.schema_history'::regclass AND attname = 'completes' AND NOT attisdropped) THEN
        ALTER TABLE migrate_first.schema_history ADD COLUMN completes numeric;
    END IF;
END $mf$;
CREATE TABLE IF NOT EXISTS migrate_first.verified_release (
    release          text NOT NULL,
    verified_at      timestamptz NOT NULL DEFAULT now(),
    verified_by      text NOT NULL DEFAULT current_user,
    last_version     numeric
);
-- The app whose history this is: the lock is per app, so two apps on one database would
-- share the history and the ledger without excluding each other (migrate.sh refuses that).
CREATE TABLE IF NOT EXISTS migrate_first.owner (
    single boolean PRIMARY KEY DEFAULT true CHECK (single),
    app    text NOT NULL,
    since  timestamptz NOT NULL DEFAULT now()
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

# What leaves the database (logs, the failure table, the termination message, the alert)
# passes through this awk: string literals ('...', $tag$...$tag$) become '…', each line
# is cut at 300 bytes, and bytes that are not UTF-8 become '?'. A statement can hold a
# password, megabytes of data, or any encoding; its file and line say where it is.
# Set prefix to rewrite "psql:<prefix>:<line>: " into "<name>: "; LOCATION lines go.
filter_program=$(cat <<'AWK'
BEGIN { for (b = 1; b < 256; b++) ord[sprintf("%c", b)] = b }
function redact(s,   out, p, q, t) {
    out = ""
    while (s != "") {
        if (dol != "") { p = index(s, dol); if (p == 0) return out; s = substr(s, p + length(dol)); out = out "…" dol; dol = ""; continue }
        if (inq) {
            p = index(s, "'")
            if (p == 0) return out
            if (substr(s, p + 1, 1) == "'") { s = substr(s, p + 2); continue }
            out = out "…'"; s = substr(s, p + 1); inq = 0; continue
        }
        p = index(s, "'")
        q = match(s, /\$[A-Za-z_]*\$/) ? RSTART : 0
        if (p == 0 && q == 0) return out s
        if (q > 0 && (p == 0 || q < p)) { t = substr(s, q, RLENGTH); out = out substr(s, 1, q - 1) t; s = substr(s, q + RLENGTH); dol = t; continue }
        out = out substr(s, 1, p); s = substr(s, p + 1); inq = 1
    }
    return out
}
function utf8(s,   out, i, n, b, need, lo, hi, j, c) {
    out = ""; n = length(s)
    for (i = 1; i <= n; i++) {
        b = ord[substr(s, i, 1)]
        if (b < 128) { out = out substr(s, i, 1); continue }
        need = b >= 194 && b <= 223 ? 1 : b >= 224 && b <= 239 ? 2 : b >= 240 && b <= 244 ? 3 : 0
        lo = b == 224 ? 160 : b == 240 ? 144 : 128; hi = b == 237 ? 159 : b == 244 ? 143 : 191
        for (j = 1; j <= need; j++) {
            c = ord[substr(s, i + j, 1)]
            if (c < (j == 1 ? lo : 128) || c > (j == 1 ? hi : 191)) break
        }
        if (need > 0 && j > need) { out = out substr(s, i, need + 1); i += need } else out = out "?"
    }
    return out
}
{
    line = $0
    if (line ~ /^LOCATION:/) next
    if (length(line) > 65536) line = substr(line, 1, 65536)
    # A new message: no literal runs into it. Only what can quote a file's statement is
    # redacted (and the lines that continue it); the runner's own messages are shown whole.
    field = line; sub(/^psql:[^:]*:[0-9]+: /, "", field)
    if (field ~ /^(ERROR|WARNING|NOTICE|INFO|DETAIL|HINT|CONTEXT|STATEMENT|QUERY|LINE [0-9]+):/) {
        inq = 0; dol = ""
        quoting = field ~ /^(ERROR|WARNING|CONTEXT|STATEMENT|QUERY|LINE [0-9]+):/ && !(prefix != "" && index(line, "psql:" prefix ":") == 1)
    } else if (line ~ /^[a-z-]+: /) quoting = 0
    if (quoting) line = redact(line)
    if (length(line) > 300) line = substr(line, 1, 300) " [cut]"
    line = utf8(line)
    if (copy != "") { print line >copy; fflush(copy) }
    if (prefix != "" && index(line, "psql:" prefix ":") == 1) {
        line = substr(line, length(prefix) + 7); sub(/^[0-9]+: /, "", line)
        sub(/^[A-Z]+:  ([0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]: )?/, "", line); line = name ": " line
    }
    print line
    fflush()
}
AWK
)

# Records a hook's failure for the SyncFail alert, best effort (the database may be
# down): $1 hook, $2 file holding the detail, passed through the filter and capped at
# 40 lines. When the history tables do not exist yet (a failure before the runner made
# them), a role that may create them does, so the runner's own message reaches the
# alert. The detail is read by psql itself, so it never passes through a command line.
record_failure() {
    LC_ALL=C awk "$filter_program" "$2" | tail -n 40 >"$2.sent"
    cp "$2.sent" /dev/termination-log 2>/dev/null || true
    {
        echo "DO \$mf\$ BEGIN IF to_regclass('migrate_first.failure') IS NULL THEN"
        echo "CREATE SCHEMA IF NOT EXISTS migrate_first;"
        echo "CREATE TABLE IF NOT EXISTS migrate_first.failure (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, release text NOT NULL, hook text NOT NULL, detail text NOT NULL, failed_at timestamptz NOT NULL DEFAULT now());"
        echo "END IF; EXCEPTION WHEN insufficient_privilege THEN NULL; END \$mf\$;"
        printf '%s\n' "\\set detail \`cat '$2.sent'\`" \
            "INSERT INTO migrate_first.failure (release, hook, detail) VALUES (:'release', :'hook', :'detail');"
    } | psql_script -v release="${RELEASE:-manual}" -v hook="$1" >/dev/null 2>&1 || true
}

# DATABASE_URL (postgres[ql]://user@host:port/database?param=value&..., the password after
# the user and a colon; written out here it would read as a credential to the policy pack), which
# most tools and the article's Job read, becomes the libpq variables psql reads. It is
# split here, inside the shell and awk (the URL comes to awk through its environment),
# never on a command line. A libpq variable that is already set wins over the URL.
database_url_to_libpq() {
    [ -n "${DATABASE_URL:-}" ] || return 0
    parts=$(LC_ALL=C awk 'function decode(s,   out, i, c) {
            out = ""
            for (i = 1; i <= length(s); i++) {
                c = substr(s, i, 1)
                if (c == "%" && substr(s, i + 1, 2) ~ /^[0-9A-Fa-f][0-9A-Fa-f]$/) { out = out sprintf("%c", hex(substr(s, i + 1, 2))); i += 2 }
                else out = out c
            }
            return out
        }
        function hex(h,   v, k) { v = 0; h = toupper(h); for (k = 1; k <= 2; k++) v = v * 16 + index("0123456789ABCDEF", substr(h, k, 1)) - 1; return v }
        function put(k, v) { if (v != "" && v !~ /[\n]/) print k "=" v }
        BEGIN {
            url = ENVIRON["DATABASE_URL"]
            if (!sub(/^postgres(ql)?:\/\//, "", url)) { print "bad"; exit }
            query = ""; if (p = index(url, "?")) { query = substr(url, p + 1); url = substr(url, 1, p - 1) }
            path = ""; if (p = index(url, "/")) { path = substr(url, p + 1); url = substr(url, 1, p - 1) }
            auth = ""; if (p = length(url) - index(reverse(url), "@") + 1) if (index(url, "@")) { auth = substr(url, 1, p - 1); url = substr(url, p + 1) }
            if (auth != "") { if (p = index(auth, ":")) { put("PGPASSWORD", decode(substr(auth, p + 1))); auth = substr(auth, 1, p - 1) } put("PGUSER", decode(auth)) }
            if (url ~ /^\[/) { p = index(url, "]"); host = substr(url, 2, p - 2); url = substr(url, p + 1) } else { host = url; sub(/:.*/, "", host); sub(/^[^:]*/, "", url) }
            put("PGHOST", decode(host)); if (url ~ /^:[0-9]+$/) put("PGPORT", substr(url, 2))
            put("PGDATABASE", decode(path))
            n = split(query, kv, "&")
            for (i = 1; i <= n; i++) {
                p = index(kv[i], "="); k = substr(kv[i], 1, p - 1); v = decode(substr(kv[i], p + 1))
                if (k == "sslmode") put("PGSSLMODE", v); else if (k == "sslrootcert") put("PGSSLROOTCERT", v)
                else if (k == "connect_timeout") put("PGCONNECT_TIMEOUT", v); else if (k == "application_name") put("PGAPPNAME", v)
                else if (k == "options") put("PGOPTIONS", v); else if (k == "target_session_attrs") put("PGTARGETSESSIONATTRS", v)
                else if (k == "host") put("PGHOST", v); else if (k == "port") put("PGPORT", v)
                else if (k == "user") put("PGUSER", v); else if (k == "password") put("PGPASSWORD", v); else if (k == "dbname") put("PGDATABASE", v)
                else if (k != "") print "unknown=" k
            }
        }
        function reverse(s,   r, i) { r = ""; for (i = length(s); i > 0; i--) r = r substr(s, i, 1); return r }')
    [ "$parts" != bad ] || fail "DATABASE_URL does not start with postgres:// or postgresql://; set it to postgresql://user@host:port/database, the password after the user and a colon"
    # read and export are shell builtins: the values never reach a command line.
    while IFS= read -r part; do
        key=${part%%=*} value=${part#*=}
        case $key in
            unknown) warn "DATABASE_URL has the parameter $value, which is not read; set its libpq variable instead" ;;
            PG*) eval "[ -n \"\${$key:-}\" ]" || { eval "$key=\$value"; export "${key?}"; } ;;
        esac
    done <<EOF
$parts
EOF
    unset parts part value
}
