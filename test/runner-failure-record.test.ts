import { strict as assert } from "assert";
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { runSql } from "../rehearsal/provision";
import { runScript } from "../rehearsal/scripts";
import { withPostgres } from "./helpers/environments";
import { migrationsDir, scratchDir } from "./helpers/scratch";
import { runtimeShells } from "./helpers/shells";

const secret = "canary-Literal-9c41e";

// What leaves the database about a failure (the log, the failure table, the alert) is capped,
// valid UTF-8, and shows no literal of the failing statement.
for (const shell of runtimeShells()) {
    describe(`migrate.sh under ${shell.name}: the failure record is capped, valid UTF-8 and redacted`, function () {
        this.timeout(60000);
        const { environment, migrateEnv } = withPostgres("record");

        async function failAndAlert(files: Record<string, string | Buffer>) {
            const db = environment();
            const dir = migrationsDir({});
            for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
            const run = await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env });
            const payload = join(scratchDir("alert"), "payload.json");
            const alert = await runScript("alert-message.sh", {
                ...db.migrator,
                APP: db.name,
                ENVIRONMENT: "dev",
                RELEASE: db.release,
                ALERT_PAYLOAD: payload,
                ...shell.env,
            });
            assert.equal(alert.code, 0, alert.stderr);
            const detail = runSql(
                db.migrator,
                "SELECT coalesce(string_agg(detail, E'\\n'), '') FROM migrate_first.failure;",
            );
            return {
                run,
                detail,
                payload: readFileSync(payload, "utf8"),
                body: JSON.parse(readFileSync(payload, "utf8")) as Record<string, string>,
            };
        }

        it("a password literal in the failing statement reaches neither the log, the failure table nor the alert", async () => {
            const { run, detail, payload, body } = await failAndAlert({
                "1_role.sql": `-- the migrator may not create roles\nCREATE ROLE intruder LOGIN PASSWORD '${secret}';\n`,
            });
            assert.equal(run.code, 1);
            assert.match(run.stderr, /STATEMENT: {2}CREATE ROLE intruder LOGIN PASSWORD '…';/);
            assert.equal(body.phase, "PreSync migrate");
            for (const text of [run.stdout, run.stderr, detail, payload])
                assert.ok(!text.includes(secret), `the literal leaked: ${text.slice(0, 300)}`);
        });

        it("a 4.5 MB failing statement: the record and the log stay small, and the run stays quick", async () => {
            const { run, detail, body } = await failAndAlert({
                "1_big.sql": `INSERT INTO no_such_table VALUES ('${"x".repeat(4_500_000)}', ${"1, ".repeat(1000)}2);\n`,
            });
            assert.equal(run.code, 1);
            assert.ok(run.ms < 10000, `took ${run.ms} ms`);
            assert.ok(run.stderr.length < 20000, `the log got ${run.stderr.length} characters`);
            assert.ok(detail.length < 20000, `the failure record got ${detail.length} characters`);
            assert.match(detail, /relation "no_such_table" does not exist/);
            assert.equal(body.phase, "PreSync migrate");
        });

        it("a byte that is not UTF-8: the failure is still recorded, and the alert names the migration", async () => {
            const file = Buffer.concat([
                Buffer.from("CREATE TABLE t (note text);\nINSERT INTO t VALUES ('caf"),
                Buffer.from([0xe9]),
                Buffer.from("');\n"),
            ]);
            const { run, detail, body } = await failAndAlert({ "1_latin1.sql": file });
            assert.equal(run.code, 1);
            assert.match(detail, /invalid byte sequence for encoding "UTF8"/);
            assert.match(detail, /FAILED: 1_latin1\.sql, at the statement ending on line 2/);
            assert.equal(body.phase, "PreSync migrate");
        });
    });
}
