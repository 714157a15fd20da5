import { strict as assert } from "assert";
import { runSql } from "../rehearsal/provision";
import { runScript } from "../rehearsal/scripts";
import { withPostgres } from "./helpers/environments";
import { migrationsDir } from "./helpers/scratch";
import { runtimeShells } from "./helpers/shells";

// psql runs each file, so whatever psql reads as its own (a meta-command, a variable, transaction
// control) could end a file early, let errors pass, or leave the runner's transaction. Each is
// refused before anything runs, with the file and line; the earlier files of the run stay unapplied too.
const hostile: readonly { readonly what: string; readonly line: string; readonly said: RegExp }[] = [
    { what: "\\q ends the file early", line: "\\q", said: /2_bad\.sql:3: \\q: psql would run this as a meta-command/ },
    {
        what: "\\set ON_ERROR_STOP off lets errors pass",
        line: "\\set ON_ERROR_STOP off",
        said: /2_bad\.sql:3: \\set: psql would run/,
    },
    {
        what: "\\set ON_ERROR_ROLLBACK on skips a failing statement",
        line: "\\set ON_ERROR_ROLLBACK on",
        said: /2_bad\.sql:3: \\set/,
    },
    { what: "\\c drops the lock", line: "\\c postgres", said: /2_bad\.sql:3: \\c: psql would run/ },
    { what: "\\! runs a shell", line: "\\! echo $PGPASSWORD", said: /2_bad\.sql:3: \\!: psql would run/ },
    {
        what: "\\i pulls in a file the checksum does not cover",
        line: "\\i /etc/hostname",
        said: /2_bad\.sql:3: \\i: psql would run/,
    },
    {
        what: "a meta-command after SQL on the same line",
        line: "SELECT 1 \\gexec",
        said: /2_bad\.sql:3: \\gexec: psql would run/,
    },
    {
        what: "a psql variable",
        line: "INSERT INTO t VALUES (:'release');",
        said: /2_bad\.sql:3: :'\.\.\.: psql would put one of its variables here/,
    },
    { what: "a quoted psql variable name", line: 'CREATE TABLE :"app" (id int);', said: /2_bad\.sql:3: :"\.\.\./ },
    {
        what: "ROLLBACK mid-file",
        line: "ROLLBACK;",
        said: /2_bad\.sql:3: ROLLBACK: transaction control in a migration file/,
    },
    { what: "COMMIT mid-file", line: "commit;", said: /2_bad\.sql:3: COMMIT: transaction control/ },
    { what: "BEGIN", line: "BEGIN;", said: /2_bad\.sql:3: BEGIN: transaction control/ },
    { what: "END", line: "end;", said: /2_bad\.sql:3: END: transaction control/ },
    {
        what: "START TRANSACTION",
        line: "START TRANSACTION;",
        said: /2_bad\.sql:3: START TRANSACTION: transaction control/,
    },
    { what: "SAVEPOINT", line: "SAVEPOINT s;", said: /2_bad\.sql:3: SAVEPOINT: transaction control/ },
    {
        what: "a backslash before a quote, read two ways by psql",
        line: "SELECT 'a\\' \\q ';",
        said: /2_bad\.sql:3: a backslash before a quote in a string/,
    },
    {
        what: "an unclosed string, which would swallow the runner's own lines",
        line: "SELECT 'open",
        said: /2_bad\.sql:\d: the file ends inside a quoted string opened on line \d/,
    },
];

for (const shell of runtimeShells()) {
    describe(`migrate.sh under ${shell.name}: psql meta-commands, variables and transaction control are refused`, function () {
        this.timeout(120000);
        const { environment, migrateEnv } = withPostgres("meta");

        for (const { what, line, said } of hostile) {
            it(`${what}: refused with file and line, nothing applied, a failure recorded`, async () => {
                const db = environment();
                const dir = migrationsDir({
                    "1_t.sql": "CREATE TABLE t (id text);\n",
                    "2_bad.sql": `INSERT INTO t VALUES ('one');\nINSERT INTO t VALUES ('two');\n${line}\nINSERT INTO t VALUES ('three');\n`,
                });
                const run = await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env });
                assert.equal(run.code, 1, run.stdout + run.stderr);
                assert.match(run.stderr, said);
                assert.doesNotMatch(run.stdout, /done/);
                assert.equal(
                    runSql(db.migrator, "SELECT to_regclass('t') IS NULL, count(*) FROM migrate_first.schema_history;"),
                    "t|0",
                );
                assert.match(runSql(db.migrator, "SELECT detail FROM migrate_first.failure;"), /2_bad\.sql:\d: /);
            });
        }

        it("reads COPY ... FROM stdin data as data (\\N, \\t), up to its \\.; a meta-command after it is still refused", async () => {
            const db = environment();
            const copy = "CREATE TABLE t (a int, b text);\nCOPY t (a, b) FROM stdin;\n1\t\\N\n2\tx\\ty\n\\.\n";
            const ok = await runScript("migrate.sh", {
                ...migrateEnv(db, migrationsDir({ "1_copy.sql": copy })),
                ...shell.env,
            });
            assert.equal(ok.code, 0, ok.stderr);
            assert.equal(
                runSql(db.migrator, "SELECT string_agg(a || ':' || coalesce(b, 'null'), ',' ORDER BY a) FROM t;"),
                "1:null,2:x\ty",
            );
            const other = environment();
            const bad = await runScript("migrate.sh", {
                ...migrateEnv(other, migrationsDir({ "1_copy.sql": `${copy}\\q\n` })),
                ...shell.env,
            });
            assert.equal(bad.code, 1);
            assert.match(bad.stderr, /1_copy\.sql:6: \\q: psql would run this as a meta-command/);
        });

        it("leaves alone what only looks like them: casts, slices, strings, comments, dollar quotes, BEGIN ATOMIC", async () => {
            const db = environment();
            const dir = migrationsDir({
                "1_ok.sql": [
                    "-- a comment with \\q and :var and COMMIT;",
                    "/* nested /* \\q */ ROLLBACK; */",
                    "CREATE TABLE t (id int, tags text[], note text);",
                    "INSERT INTO t VALUES (1::int, (ARRAY['a','b','c'])[1:2], 'it''s \\q and :x');",
                    "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $fn$ BEGIN RETURN '\\q'; COMMIT; END $fn$;",
                    "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;",
                    'CREATE TABLE "we\\ird;" (id int);',
                    "COMMENT ON TABLE t IS E'tab\\there';",
                    "",
                ].join("\n"),
            });
            const run = await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env });
            assert.equal(run.code, 0, run.stderr);
            assert.equal(runSql(db.migrator, "SELECT array_length(tags, 1), note, g() FROM t;"), "2|it's \\q and :x|2");
        });
    });
}
