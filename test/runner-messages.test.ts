import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { join } from "path";
import { runSql } from "../rehearsal/provision";
import { rehearse } from "../rehearsal/sync";
import { specFromStackFile } from "../stacks";
import { runScript } from "../rehearsal/scripts";
import { withPostgres } from "./helpers/environments";
import { migrationsDir, scratchDir } from "./helpers/scratch";
import { runtimeShells } from "./helpers/shells";

for (const shell of runtimeShells()) {
    describe(`migrate.sh under ${shell.name}: messages say what happened`, function () {
        this.timeout(60000);
        const { environment, migrateEnv } = withPostgres("message");

        it("a failure before the runner's tables exist (a badly named file on a new database) reaches the alert in the runner's words", async () => {
            const db = environment();
            const run = await runScript("migrate.sh", {
                ...migrateEnv(db, migrationsDir({ "create_users.sql": "SELECT 1;" })),
                ...shell.env,
            });
            assert.equal(run.code, 1);
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
            const body = JSON.parse(readFileSync(payload, "utf8")) as Record<string, string>;
            assert.equal(body.phase, "PreSync migrate");
            assert.match(body.text ?? "", /create_users\.sql is not named <version>_<description>\.sql/);
            assert.doesNotMatch(body.text ?? "", /does not exist/);
        });

        it("a ROLLBACK mid-file is refused before anything runs, instead of a message about what was committed", async () => {
            const db = environment();
            const dir = migrationsDir({ "1_t.sql": "CREATE TABLE t (id int);\nROLLBACK;\nCREATE TABLE u (id int);\n" });
            const run = await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env });
            assert.equal(run.code, 1);
            assert.match(run.stderr, /1_t\.sql:2: ROLLBACK: transaction control in a migration file/);
            assert.doesNotMatch(run.stderr, /committed/);
            assert.equal(runSql(db.migrator, "SELECT to_regclass('t') IS NULL AND to_regclass('u') IS NULL;"), "t");
        });
    });
}

describe("the rehearsal, when the migration fails before the runner's tables exist", function () {
    this.timeout(120000);

    it("ends with the runner's message in the alert, and no raw psql error", async () => {
        const lines: string[] = [];
        const spec = specFromStackFile(join(__dirname, ".."), "dev");
        const result = await rehearse(spec, {
            releases: [{ image: spec.app.image, migrationsDir: migrationsDir({ "create_users.sql": "SELECT 1;" }) }],
            log: (line) => lines.push(line),
        });
        assert.match(result.failed ?? "", /migrate/);
        const log = lines.join("\n");
        assert.match(log, /Failed: PreSync migrate/);
        assert.match(log, /create_users\.sql is not named <version>_<description>\.sql/);
        assert.doesNotMatch(log, /does not exist/);
        assert.match(log, /end state: migrate_first\.schema_history has 0 file\(s\)/);
    });
});
