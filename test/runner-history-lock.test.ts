import { strict as assert } from "assert";
import { spawn } from "child_process";
import { writeFileSync } from "fs";
import { join } from "path";
import { runSql } from "../rehearsal/provision";
import { runScript, startScript } from "../rehearsal/scripts";
import { withPostgres } from "./helpers/environments";
import { migrationsDir } from "./helpers/scratch";
import { runtimeShells } from "./helpers/shells";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function background(env: Record<string, string>, sql: string, name: string): { kill(): void } {
    const child = spawn("psql", ["-X", "-q", "-c", sql], {
        env: { PATH: process.env.PATH, ...env, PGAPPNAME: name },
        stdio: "ignore",
    });
    return { kill: () => child.kill("SIGKILL") };
}

for (const shell of runtimeShells()) {
    describe(`migrate.sh under ${shell.name}: the runner's own tables, and a frozen runner`, function () {
        this.timeout(60000);
        const { environment, migrateEnv } = withPostgres("ownlock");

        it("succeeds while a report holds the history open in a transaction, with or without files to apply", async () => {
            const db = environment();
            const dir = migrationsDir({ "1_t.sql": "CREATE TABLE t (id int);" });
            assert.equal((await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env })).code, 0);
            const report = background(
                db.migrator,
                "BEGIN; SELECT count(*) FROM migrate_first.schema_history; SELECT pg_sleep(10);",
                "a report",
            );
            await sleep(400);
            const idle = await runScript("migrate.sh", {
                ...migrateEnv(db, dir, { LOCK_TIMEOUT: "300ms", LOCK_RETRIES: "0" }),
                ...shell.env,
            });
            writeFileSync(join(dir, "2_u.sql"), "CREATE TABLE u (id int);");
            const more = await runScript("migrate.sh", {
                ...migrateEnv(db, dir, { LOCK_TIMEOUT: "300ms", LOCK_RETRIES: "0" }),
                ...shell.env,
            });
            report.kill();
            assert.equal(idle.code, 0, idle.stderr);
            assert.equal(more.code, 0, more.stderr);
        });

        it("retries a lock timeout on its own tables, saying who holds what", async () => {
            const db = environment();
            const dir = migrationsDir({ "1_t.sql": "CREATE TABLE t (id int);" });
            assert.equal((await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env })).code, 0);
            const holder = background(
                db.migrator,
                "BEGIN; LOCK TABLE migrate_first.schema_history IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(1.5); COMMIT;",
                "pg_dump --clean",
            );
            await sleep(400);
            const run = await runScript("migrate.sh", {
                ...migrateEnv(db, dir, { LOCK_TIMEOUT: "300ms", LOCK_RETRIES: "3" }),
                ...shell.env,
            });
            holder.kill();
            assert.equal(run.code, 0, run.stderr);
            assert.match(run.stderr, /retry 1 of 3/);
            assert.match(run.stderr, /pid \d+ \(pg_dump --clean, [^)]*\) holds [^;]*migrate_first\.schema_history/);
        });

        it("a runner frozen mid-file (SIGSTOP, a partition) loses its session, its locks and its transaction within IDLE_TIMEOUT", async () => {
            const db = environment();
            const dir = migrationsDir({
                "1_t.sql": "CREATE TABLE t (id int);\nSELECT pg_sleep(0.5);\nINSERT INTO t VALUES (1);\n",
            });
            const running = startScript("migrate.sh", { ...migrateEnv(db, dir, { IDLE_TIMEOUT: "1s" }), ...shell.env });
            for (
                let i = 0;
                i < 100 &&
                runSql(db.migrator, "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep';") === "0";
                i++
            )
                await sleep(50);
            running.kill("SIGSTOP");
            const frozenAt = Date.now();
            let held = "1";
            while (held !== "0" && Date.now() - frozenAt < 8000) {
                await sleep(200);
                held = runSql(
                    db.migrator,
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.application_name LIKE 'migrate-first migrate%';",
                );
            }
            const released = Date.now() - frozenAt;
            running.kill("SIGCONT");
            const run = await running.done;
            assert.equal(held, "0", "the frozen runner still holds its locks after 8 s");
            assert.ok(released < 4000, `released after ${released} ms`);
            assert.equal(run.code, 1, "a runner whose session was cut never reports success");
            assert.equal(runSql(db.migrator, "SELECT to_regclass('t') IS NULL;"), "t");
            const next = await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env });
            assert.equal(next.code, 0, next.stderr);
        });
    });
}
