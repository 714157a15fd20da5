import { strict as assert } from "assert";
import { spawn } from "child_process";
import { writeFileSync } from "fs";
import { join } from "path";
import { runSql } from "../rehearsal/provision";
import { runScript } from "../rehearsal/scripts";
import { withPostgres } from "./helpers/environments";
import { migrationsDir } from "./helpers/scratch";
import { runtimeShells } from "./helpers/shells";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const uniqueIndex =
    "-- migrate-first: no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_email ON t (email);\n";

// A CREATE INDEX CONCURRENTLY that fails midway leaves an INVALID index; IF NOT EXISTS then skips it.
for (const shell of runtimeShells()) {
    describe(`migrate.sh under ${shell.name}: a no-transaction file is never recorded while an index it builds is INVALID`, function () {
        this.timeout(60000);
        const { environment, migrateEnv } = withPostgres("index");
        const invalid = (db: { migrator: Record<string, string> }) =>
            runSql(
                db.migrator,
                "SELECT coalesce(string_agg(indexrelid::regclass::text, ','), '-') FROM pg_index WHERE NOT indisvalid;",
            );

        it("a unique index failing on duplicates: each run fails naming what is left, none records it; fixed data applies it valid", async () => {
            const db = environment();
            const dir = migrationsDir({
                "1_t.sql": "CREATE TABLE t (email text);\nINSERT INTO t VALUES ('a'), ('a');\n",
                "2_index.sql": uniqueIndex,
            });
            const first = await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env });
            assert.equal(first.code, 1);
            assert.match(
                first.stderr,
                /FAILED: 2_index\.sql, at the statement ending on line 2\. It ran outside a transaction \(no-transaction\): statements before that one stay applied, and these indexes are INVALID: t_email/,
            );
            assert.doesNotMatch(first.stderr, /rolled back/);
            assert.equal(invalid(db), "t_email");
            // Today's runner skipped the INVALID index here (IF NOT EXISTS) and recorded the file.
            const again = await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env });
            assert.equal(again.code, 1, again.stdout);
            assert.equal(
                runSql(db.migrator, "SELECT count(*) FROM migrate_first.schema_history WHERE version = 2;"),
                "0",
            );
            runSql(db.migrator, "DELETE FROM t WHERE ctid = (SELECT max(ctid) FROM t);");
            const fixed = await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env });
            assert.equal(fixed.code, 0, fixed.stderr);
            assert.equal(invalid(db), "-");
            assert.throws(() => runSql(db.migrator, "INSERT INTO t VALUES ('a');"), /duplicate key/);
        });

        it("a no-transaction file that succeeded stays recorded when a later file fails", async () => {
            const db = environment();
            const dir = migrationsDir({
                "1_t.sql": "CREATE TABLE t (email text);\n",
                "2_index.sql": uniqueIndex,
                "3_bad.sql": "SELECT * FROM no_such_table;\n",
            });
            const run = await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env });
            assert.equal(run.code, 1);
            assert.equal(
                runSql(db.migrator, "SELECT string_agg(name, ',' ORDER BY version) FROM migrate_first.schema_history;"),
                "1_t.sql,2_index.sql",
            );
        });

        it("an index INVALID before the file runs (left by hand, or by an older runner) is dropped and built again", async () => {
            const db = environment();
            const dir = migrationsDir({
                "1_t.sql": "CREATE TABLE t (email text);\nINSERT INTO t VALUES ('a'), ('a');\n",
            });
            assert.equal((await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env })).code, 0);
            assert.throws(() => runSql(db.migrator, "CREATE UNIQUE INDEX CONCURRENTLY t_email ON t (email);"));
            runSql(db.migrator, "DELETE FROM t WHERE ctid = (SELECT max(ctid) FROM t);");
            writeFileSync(join(dir, "2_index.sql"), uniqueIndex);
            const run = await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env });
            assert.equal(run.code, 0, run.stderr);
            assert.equal(invalid(db), "-");
        });

        it("a build cut by lock_timeout and retried by the runner ends with a valid index, or not recorded", async () => {
            const db = environment();
            const dir = migrationsDir({ "1_t.sql": "CREATE TABLE t (email text);\n" });
            assert.equal((await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env })).code, 0);
            writeFileSync(join(dir, "2_index.sql"), uniqueIndex);
            // A writer's open transaction: CREATE INDEX CONCURRENTLY waits for it, and times out.
            const holder = spawn(
                "psql",
                ["-X", "-q", "-c", "BEGIN; INSERT INTO t VALUES ('w'); SELECT pg_sleep(1.5); COMMIT;"],
                { env: { PATH: process.env.PATH, ...db.migrator }, stdio: "ignore" },
            );
            await sleep(300);
            const run = await runScript("migrate.sh", {
                ...migrateEnv(db, dir, { LOCK_TIMEOUT: "300ms", LOCK_RETRIES: "4" }),
                ...shell.env,
            });
            holder.kill("SIGKILL");
            assert.match(run.stderr, /retry 1 of 4/);
            const recorded = runSql(
                db.migrator,
                "SELECT count(*) FROM migrate_first.schema_history WHERE version = 2;",
            );
            if (run.code === 0) assert.equal(recorded, "1");
            assert.equal(
                invalid(db) === "-" || recorded === "0",
                true,
                `recorded with an INVALID index: ${invalid(db)}`,
            );
            assert.equal(run.code, 0, run.stderr);
            assert.equal(invalid(db), "-");
        });
    });
}
