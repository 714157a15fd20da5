import { strict as assert } from "assert";
import { spawn } from "child_process";
import { createHash } from "crypto";
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { runSql } from "../rehearsal/provision";
import { runScript, startScript } from "../rehearsal/scripts";
import { commandLinesDuring, migrationsDir } from "./helpers/scratch";
import type { TestEnvironment } from "./helpers/environments";
import { withPostgres } from "./helpers/environments";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("runtime/migrate.sh against a real Postgres", function () {
    this.timeout(60000);
    const { environment, migrateEnv, nextName } = withPostgres("app");
    const history = (db: TestEnvironment) =>
        runSql(
            db.migrator,
            "SELECT version, name, release, transactional FROM migrate_first.schema_history ORDER BY version;",
        );

    it("applies files in version order, records each with its checksum, and a re-run is a no-op", async () => {
        const db = environment();
        const dir = migrationsDir({
            "9_create.sql": "CREATE TABLE item (id bigint PRIMARY KEY);",
            "10_column.sql": "ALTER TABLE item ADD COLUMN name text;",
            "0002_seed.sql": "CREATE TABLE seeded (id int);",
        });
        const first = await runScript("migrate.sh", migrateEnv(db, dir));
        assert.equal(first.code, 0, first.stderr);
        assert.match(
            first.stdout,
            /applying 0002_seed\.sql[\s\S]*applying 9_create\.sql[\s\S]*applying 10_column\.sql/,
        );
        assert.equal(
            history(db),
            [
                `2|0002_seed.sql|acme/${db.name}:v1|t`,
                `9|9_create.sql|acme/${db.name}:v1|t`,
                `10|10_column.sql|acme/${db.name}:v1|t`,
            ].join("\n"),
        );
        const expected = createHash("sha256")
            .update(readFileSync(join(dir, "10_column.sql")))
            .digest("hex");
        assert.equal(
            runSql(db.migrator, "SELECT checksum FROM migrate_first.schema_history WHERE version = 10;"),
            expected,
        );
        assert.match(
            runSql(
                db.migrator,
                "SELECT applied_by || ' ' || (duration_ms >= 0) FROM migrate_first.schema_history WHERE version = 9;",
            ),
            new RegExp(`^${db.plan.migrator}@.+ true$`),
        );

        const again = await runScript("migrate.sh", migrateEnv(db, dir));
        assert.equal(again.code, 0, again.stderr);
        assert.match(again.stdout, /0 of 3 file\(s\) to apply/);
        assert.doesNotMatch(again.stdout, /applying/);
        assert.equal(runSql(db.migrator, "SELECT count(*) FROM migrate_first.schema_history;"), "3");
    });

    it("lets 4 runners started at once apply each file exactly once, and all 4 succeed", async () => {
        const db = environment();
        const files: Record<string, string> = { "1_log.sql": "CREATE TABLE applied (file text);" };
        for (let i = 2; i <= 6; i++)
            files[`${i}_step.sql`] = `INSERT INTO applied VALUES ('${i}'); SELECT pg_sleep(0.1);`;
        const dir = migrationsDir(files);
        const runs = await Promise.all([1, 2, 3, 4].map(() => runScript("migrate.sh", migrateEnv(db, dir))));
        runs.forEach((run) => assert.equal(run.code, 0, run.stderr));
        assert.equal(runSql(db.migrator, "SELECT string_agg(file, ',' ORDER BY file) FROM applied;"), "2,3,4,5,6");
        assert.equal(
            runSql(db.migrator, "SELECT count(*), count(DISTINCT version) FROM migrate_first.schema_history;"),
            "6|6",
        );
        // One runner applied all; the others found nothing left once they got the lock.
        assert.equal(runs.filter((run) => /6 of 6 file/.test(run.stdout)).length, 1);
        assert.equal(runs.filter((run) => /0 of 6 file/.test(run.stdout)).length, 3);
    });

    it("applies nothing of a file whose third statement fails, and names the file and the statement", async () => {
        const db = environment();
        const dir = migrationsDir({
            "1_base.sql": "CREATE TABLE base (id int);",
            "2_five.sql": [
                "CREATE TABLE five (id int);",
                "INSERT INTO five VALUES (1);",
                "INSERT INTO five VALUES ('not a number');",
                "ALTER TABLE five ADD COLUMN x int;",
                "INSERT INTO base VALUES (5);",
                "",
            ].join("\n"),
        });
        const run = await runScript("migrate.sh", migrateEnv(db, dir));
        assert.equal(run.code, 1);
        assert.match(run.stderr, /invalid input syntax for type integer: "not a number"/);
        // The statement is shown with its literals redacted: a literal can hold a password.
        assert.match(run.stderr, /STATEMENT: {2}INSERT INTO five VALUES \('…'\);/);
        assert.match(
            run.stderr,
            /FAILED: 2_five\.sql, at the statement ending on line 3\. Its transaction was rolled back: nothing of 2_five\.sql is applied/,
        );
        assert.equal(runSql(db.migrator, "SELECT to_regclass('five') IS NULL, (SELECT count(*) FROM base);"), "t|0");
        assert.equal(history(db), `1|1_base.sql|acme/${db.name}:v1|t`);
        assert.match(
            runSql(db.migrator, "SELECT hook || ': ' || detail FROM migrate_first.failure;"),
            /^PreSync migrate: [\s\S]*not a number/,
        );
    });

    it("survives a runner killed mid-migration: no partial state, the lock freed, the next run completes", async () => {
        const db = environment();
        const dir = migrationsDir({
            "1_base.sql": "CREATE TABLE base (id int);",
            "2_slow.sql":
                "CREATE TABLE half (id int);\nSELECT pg_sleep(current_setting('test.sleep')::float);\nINSERT INTO base VALUES (2);\n",
        });
        const running = startScript("migrate.sh", migrateEnv(db, dir, { PGOPTIONS: "-c test.sleep=60" }));
        for (
            let i = 0;
            i < 100 &&
            runSql(db.migrator, "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep';") === "0";
            i++
        )
            await sleep(100);
        running.kill("SIGKILL");
        const killed = await running.done;
        assert.equal(killed.signal, "SIGKILL");
        // The backend notices its client is gone (client_connection_check_interval) and rolls back.
        let locks = "1";
        for (let i = 0; i < 50 && locks !== "0"; i++, await sleep(100))
            locks = runSql(db.migrator, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory';");
        assert.equal(locks, "0", "the advisory lock outlived the killed runner by 5 s");
        assert.equal(runSql(db.migrator, "SELECT to_regclass('half') IS NULL;"), "t");
        assert.equal(history(db), `1|1_base.sql|acme/${db.name}:v1|t`);

        const next = await runScript("migrate.sh", migrateEnv(db, dir, { PGOPTIONS: "-c test.sleep=0" }));
        assert.equal(next.code, 0, next.stderr);
        assert.equal(runSql(db.migrator, "SELECT count(*) FROM base;"), "1");
    });

    it("fails at lock_timeout, after its retries, when a long transaction holds the table", async () => {
        const db = environment();
        const dir = migrationsDir({ "1_t.sql": "CREATE TABLE t (id int);" });
        assert.equal((await runScript("migrate.sh", migrateEnv(db, dir))).code, 0);
        writeFileSync(join(dir, "2_alter.sql"), "ALTER TABLE t ADD COLUMN x int;");
        // A session that reads t and stays in its transaction: the ALTER cannot get its lock.
        const holder = runSqlInBackground(db.migrator, "BEGIN; SELECT * FROM t; SELECT pg_sleep(20);");
        await sleep(300);
        const run = await runScript("migrate.sh", migrateEnv(db, dir, { LOCK_TIMEOUT: "200ms", LOCK_RETRIES: "2" }));
        holder.kill();
        assert.equal(run.code, 1);
        assert.equal(run.stderr.match(/retry \d of 2 in \d+s/g)?.length, 2, run.stderr);
        assert.match(run.stderr, /55P03: canceling statement due to lock timeout/);
        assert.match(run.stderr, /FAILED: 2_alter\.sql/);
        assert.ok(run.ms < 10000, `took ${run.ms} ms`);
        assert.equal(runSql(db.migrator, "SELECT count(*) FROM migrate_first.schema_history;"), "1");
    });

    it("retries a file that hit lock_timeout and applies it once the blocker is gone", async () => {
        const db = environment();
        const dir = migrationsDir({ "1_t.sql": "CREATE TABLE t (id int);" });
        assert.equal((await runScript("migrate.sh", migrateEnv(db, dir))).code, 0);
        writeFileSync(join(dir, "2_alter.sql"), "ALTER TABLE t ADD COLUMN x int;");
        const holder = runSqlInBackground(db.migrator, "BEGIN; SELECT * FROM t; SELECT pg_sleep(1.5); COMMIT;");
        await sleep(300);
        const run = await runScript("migrate.sh", migrateEnv(db, dir, { LOCK_TIMEOUT: "200ms", LOCK_RETRIES: "3" }));
        holder.kill();
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /retry 1 of 3/);
        assert.equal(runSql(db.migrator, "SELECT count(*) FROM migrate_first.schema_history;"), "2");
    });

    it("waits a bounded time for another runner's lock, saying who holds it", async () => {
        const db = environment();
        const dir = migrationsDir({ "1_t.sql": "CREATE TABLE t (id int);" });
        const holder = runSqlInBackground(
            db.migrator,
            `SET application_name = 'the other runner'; SELECT pg_advisory_lock(hashtextextended('migrate-first:' || current_database() || ':${db.name}', 0)); SELECT pg_sleep(20);`,
        );
        await sleep(300);
        const run = await runScript("migrate.sh", migrateEnv(db, dir, { LOCK_WAIT: "6" }));
        holder.kill();
        assert.equal(run.code, 1);
        assert.match(run.stderr, /waiting for the migration lock, held by pid \d+ \(the other runner, since/);
        assert.match(run.stderr, /the migration lock is still held by pid \d+ \(the other runner, .*\) after 6s/);
        assert.ok(run.ms >= 6000 && run.ms < 12000, `took ${run.ms} ms`);
        assert.equal(runSql(db.migrator, "SELECT to_regclass('t') IS NULL;"), "t");
    });

    it("stops when an applied file changed, naming it, and applies nothing after it", async () => {
        const db = environment();
        const dir = migrationsDir({ "1_t.sql": "CREATE TABLE t (id int);" });
        assert.equal((await runScript("migrate.sh", migrateEnv(db, dir))).code, 0);
        writeFileSync(join(dir, "1_t.sql"), "CREATE TABLE t (id bigint);");
        writeFileSync(join(dir, "2_u.sql"), "CREATE TABLE u (id int);");
        const run = await runScript("migrate.sh", migrateEnv(db, dir));
        assert.equal(run.code, 1);
        assert.match(
            run.stderr,
            /migrate: 1_t\.sql was applied by release acme\/app\d+:v1 with checksum [0-9a-f]{12}, but the file now has checksum [0-9a-f]{12}/,
        );
        assert.match(run.stderr, /restore the file, and put the change in a new file/);
        assert.equal(runSql(db.migrator, "SELECT to_regclass('u') IS NULL;"), "t");
    });

    it("refuses a new file that sorts before the last applied one, unless out-of-order is allowed", async () => {
        const db = environment();
        const dir = migrationsDir({ "1_t.sql": "CREATE TABLE t (id int);", "3_v.sql": "CREATE TABLE v (id int);" });
        assert.equal((await runScript("migrate.sh", migrateEnv(db, dir))).code, 0);
        writeFileSync(join(dir, "2_from_old_branch.sql"), "CREATE TABLE u (id int);");
        const refused = await runScript("migrate.sh", migrateEnv(db, dir));
        assert.equal(refused.code, 1);
        assert.match(
            refused.stderr,
            /2_from_old_branch\.sql is new but sorts before 3_v\.sql, which is already applied/,
        );
        assert.match(refused.stderr, /set migration\.allowOutOfOrder/);
        const allowed = await runScript("migrate.sh", migrateEnv(db, dir, { ALLOW_OUT_OF_ORDER: "true" }));
        assert.equal(allowed.code, 0, allowed.stderr);
        assert.equal(
            runSql(
                db.migrator,
                "SELECT string_agg(name, ',' ORDER BY applied_at, version) FROM migrate_first.schema_history;",
            ),
            "1_t.sql,3_v.sql,2_from_old_branch.sql",
        );
    });

    it("runs a no-transaction file on its own, so CREATE INDEX CONCURRENTLY works, and says so", async () => {
        const db = environment();
        const dir = migrationsDir({
            "1_t.sql": "CREATE TABLE t (id int, email text);",
            "2_index.sql":
                "-- Build without blocking writes.\n-- migrate-first: no-transaction\n\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_email ON t (email);\n",
        });
        const run = await runScript("migrate.sh", migrateEnv(db, dir));
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /applying 2_index\.sql on its own, outside a transaction \(header no-transaction\)/);
        assert.equal(history(db).split("\n")[1], `2|2_index.sql|acme/${db.name}:v1|f`);
        assert.equal(
            runSql(db.migrator, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'app.t_email'::regclass;"),
            "t",
        );

        // The same statement without the header fails inside the runner's transaction, and is rolled back.
        writeFileSync(join(dir, "3_index.sql"), "CREATE INDEX CONCURRENTLY t_id ON t (id);\n");
        const inTx = await runScript("migrate.sh", migrateEnv(db, dir));
        assert.equal(inTx.code, 1);
        assert.match(inTx.stderr, /CREATE INDEX CONCURRENTLY cannot run inside a transaction block/);
    });

    it("refuses a file that would end the runner's transaction with its own COMMIT, before running anything", async () => {
        const db = environment();
        const dir = migrationsDir({ "1_t.sql": "CREATE TABLE t (id int);\nCOMMIT;\nCREATE TABLE u (id int);\n" });
        const run = await runScript("migrate.sh", migrateEnv(db, dir));
        assert.equal(run.code, 1);
        assert.match(run.stderr, /1_t\.sql:2: COMMIT: transaction control in a migration file; remove it/);
        assert.equal(runSql(db.migrator, "SELECT to_regclass('t') IS NULL;"), "t");
        assert.equal(runSql(db.migrator, "SELECT count(*) FROM migrate_first.schema_history;"), "0");
    });

    it("refuses badly named files and duplicate versions before connecting", async () => {
        const db = environment();
        const badName = await runScript(
            "migrate.sh",
            migrateEnv(db, migrationsDir({ "create_users.sql": "SELECT 1;" })),
        );
        assert.equal(badName.code, 1);
        assert.match(
            badName.stderr,
            /create_users\.sql is not named <version>_<description>\.sql \(e\.g\. 0001_create_users\.sql\); rename it/,
        );
        const duplicate = await runScript(
            "migrate.sh",
            migrateEnv(db, migrationsDir({ "01_a.sql": "SELECT 1;", "1_b.sql": "SELECT 1;" })),
        );
        assert.equal(duplicate.code, 1);
        assert.match(
            duplicate.stderr,
            /1 is the version of both 01_a\.sql and 1_b\.sql; give one of them a new version/,
        );
        const header = await runScript(
            "migrate.sh",
            migrateEnv(db, migrationsDir({ "1_a.sql": "-- migrate-first: no-transation\nSELECT 1;" })),
        );
        assert.equal(header.code, 1);
        assert.match(header.stderr, /1_a\.sql: unknown header "-- migrate-first: no-transation"/);
    });

    it("leaves the app role DML on migrated tables, read access to the history, and no DDL", async () => {
        const db = environment();
        const dir = migrationsDir({ "1_t.sql": "CREATE TABLE t (id bigserial PRIMARY KEY, v text);" });
        assert.equal((await runScript("migrate.sh", migrateEnv(db, dir))).code, 0);
        writeFileSync(join(dir, "2_later.sql"), "CREATE TABLE later (id int);");
        assert.equal((await runScript("migrate.sh", migrateEnv(db, dir))).code, 0);
        runSql(
            db.app,
            "INSERT INTO t (v) VALUES ('a'); UPDATE t SET v = 'b'; INSERT INTO later VALUES (1); DELETE FROM later;",
        );
        assert.equal(runSql(db.app, "SELECT v FROM t;"), "b");
        assert.equal(runSql(db.app, "SELECT count(*) FROM migrate_first.schema_history;"), "2");
        runSql(db.app, "INSERT INTO migrate_first.verified_release (release) VALUES ('acme/x:v1');");
        for (const ddl of [
            "ALTER TABLE t ADD COLUMN x int;",
            "DROP TABLE later;",
            "CREATE TABLE app.x (id int);",
            "CREATE ROLE intruder;",
        ]) {
            assert.throws(() => runSql(db.app, ddl), /must be owner|permission denied/, ddl);
        }
        assert.throws(
            () =>
                runSql(
                    db.app,
                    "INSERT INTO migrate_first.schema_history VALUES (9, 'x', 'x', 'x', now(), 0, 'x', true);",
                ),
            /permission denied/,
        );
        assert.throws(() => runSql(db.app, "DELETE FROM migrate_first.verified_release;"), /permission denied/);
    });

    it("never shows the password: not in its output, not on any command line while it runs", async () => {
        const canary = "canary-Pw-5d1f0c9e";
        const db = environment({ [`${nextName()}_migrator`]: canary });
        assert.equal(db.migrator.PGPASSWORD, canary);
        const dir = migrationsDir({
            "1_t.sql": "CREATE TABLE t (id int);\nSELECT pg_sleep(1);",
            "2_bad.sql": "SELECT * FROM missing;",
        });
        const running = startScript("migrate.sh", migrateEnv(db, dir));
        const seen = await commandLinesDuring(running.done);
        const run = await running.done;
        assert.equal(run.code, 1);
        assert.ok(
            [...seen].some((cmd) => /psql -X -q -f \S+plan\.psql/.test(cmd)),
            "the sampler never saw psql: it proves nothing",
        );
        for (const text of [run.stdout, run.stderr, ...seen])
            assert.ok(!text.includes(canary), `the password leaked: ${text.slice(0, 200)}`);
    });
});

/** A psql session left running in the background (a long transaction, a lock holder). */
function runSqlInBackground(env: Record<string, string>, sql: string): { kill(): void } {
    const child = spawn("psql", ["-X", "-q", "-c", sql], { env: { PATH: process.env.PATH, ...env }, stdio: "ignore" });
    return { kill: () => child.kill("SIGKILL") };
}
