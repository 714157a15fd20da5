import { strict as assert } from "assert";
import { spawn } from "child_process";
import { adminSql, runSql } from "../rehearsal/provision";
import { runScript } from "../rehearsal/scripts";
import { withPostgres } from "./helpers/environments";
import { migrationsDir } from "./helpers/scratch";
import { runtimeShells } from "./helpers/shells";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// What one file SETs (or RESETs) must not change how the next file runs, nor what the history says.
for (const shell of runtimeShells()) {
    describe(`migrate.sh under ${shell.name}: each file starts from the runner's own session settings`, function () {
        this.timeout(60000);
        const { environment, migrateEnv, server } = withPostgres("state");

        it("search_path, role and client_encoding set by one file do not reach the next, nor its history row", async () => {
            const db = environment();
            adminSql(
                server(),
                db.plan.database,
                `CREATE ROLE ${db.name}_other; GRANT ${db.name}_other TO ${db.plan.migrator};`,
            );
            const dir = migrationsDir({
                "1_sets.sql": `SET search_path = pg_catalog;\nSET ROLE ${db.name}_other;\nSET client_encoding = 'LATIN1';\nSELECT 1;\n`,
                "2_next.sql": "CREATE TABLE next (note text);\nINSERT INTO next VALUES ('é');\n",
            });
            const run = await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env });
            assert.equal(run.code, 0, run.stderr);
            // The table went where the role's own search_path says, owned by the migrator, and the text arrived intact.
            assert.equal(
                runSql(
                    db.migrator,
                    "SELECT c.relnamespace::regnamespace, pg_get_userbyid(c.relowner), (SELECT note FROM next) FROM pg_class c WHERE c.relname = 'next';",
                ),
                `${db.plan.schema}|${db.plan.migrator}|é`,
            );
            assert.match(
                runSql(db.migrator, "SELECT string_agg(applied_by, ' ') FROM migrate_first.schema_history;"),
                new RegExp(`^${db.plan.migrator}@\\S+ ${db.plan.migrator}@\\S+$`),
            );
        });

        for (const [what, unlock] of [
            ["by name", "SELECT pg_advisory_unlock_all();"],
            [
                "through dynamic SQL",
                "DO $$ BEGIN EXECUTE format('SELECT pg_%s_unlock_all()', 'adv' || 'isory'); END $$;",
            ],
        ] as const) {
            it(`a file that releases the migration lock ${what} never ends in success`, async () => {
                const db = environment();
                const dir = migrationsDir({
                    "1_t.sql": "CREATE TABLE t (id int);\n",
                    "2_unlock.sql": `${unlock}\n`,
                    "3_u.sql": "CREATE TABLE u (id int);\n",
                });
                const run = await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env });
                assert.equal(run.code, 1, run.stdout);
                assert.match(run.stderr, /released the migration lock|the migration lock was released during the run/);
            });
        }

        for (const reset of [
            "SET lock_timeout = 0;",
            "RESET ALL;",
            "SET statement_timeout = 0; SET lock_timeout = '1h';",
        ]) {
            it(`"${reset}" in one file leaves the next one bound by the runner's lock_timeout`, async () => {
                const db = environment();
                const dir = migrationsDir({ "1_t.sql": "CREATE TABLE t (id int);" });
                assert.equal((await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env })).code, 0);
                const more = migrationsDir({
                    "1_t.sql": "CREATE TABLE t (id int);",
                    "2_reset.sql": `${reset}\n`,
                    "3_alter.sql": "ALTER TABLE t ADD COLUMN x int;\n",
                });
                const holder = spawn("psql", ["-X", "-q", "-c", "BEGIN; SELECT * FROM t; SELECT pg_sleep(8);"], {
                    env: { PATH: process.env.PATH, ...db.migrator },
                    stdio: "ignore",
                });
                await sleep(400);
                const run = await runScript("migrate.sh", {
                    ...migrateEnv(db, more, { LOCK_TIMEOUT: "300ms", LOCK_RETRIES: "0" }),
                    ...shell.env,
                });
                holder.kill("SIGKILL");
                assert.equal(run.code, 1, run.stderr);
                assert.match(run.stderr, /55P03: canceling statement due to lock timeout/);
                assert.ok(run.ms < 5000, `the ALTER waited ${run.ms} ms: the earlier file's setting leaked`);
                assert.equal(
                    runSql(
                        db.migrator,
                        "SELECT string_agg(name, ',' ORDER BY version) FROM migrate_first.schema_history;",
                    ),
                    "1_t.sql,2_reset.sql",
                );
            });
        }
    });
}
