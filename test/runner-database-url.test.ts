import { strict as assert } from "assert";
import { runSql } from "../rehearsal/provision";
import { runScript, startScript } from "../rehearsal/scripts";
import { withPostgres } from "./helpers/environments";
import { commandLinesDuring, migrationsDir } from "./helpers/scratch";
import { runtimeShells } from "./helpers/shells";

// A password with every character a URL must escape.
const canary = "canary@Pw:/?#&%=+ 4e1b";

/** DATABASE_URL for a libpq environment, the password percent-encoded as a URL needs. */
function databaseUrl(env: Record<string, string>): string {
    return `postgresql://${encodeURIComponent(env.PGUSER ?? "")}:${encodeURIComponent(env.PGPASSWORD ?? "")}@${env.PGHOST ?? ""}:${env.PGPORT ?? ""}/${env.PGDATABASE ?? ""}?sslmode=disable&application_name=ignored`;
}

for (const shell of runtimeShells()) {
    describe(`the runtime scripts under ${shell.name} read DATABASE_URL`, function () {
        this.timeout(60000);
        const { environment, migrateEnv, nextName } = withPostgres("url");

        it("wait-for-db and migrate.sh connect with DATABASE_URL alone, and the password shows nowhere", async () => {
            const db = environment({ [`${nextName()}_migrator`]: canary });
            const url = databaseUrl(db.migrator);
            const seen = new Set<string>();
            const outputs: string[] = [];
            const wait = startScript("wait-for-db.sh", { DATABASE_URL: url, WAIT_TIMEOUT: "5", ...shell.env });
            (await commandLinesDuring(wait.done)).forEach((line) => seen.add(line));
            const waited = await wait.done;
            assert.equal(waited.code, 0, waited.stderr);
            const dir = migrationsDir({ "1_t.sql": "CREATE TABLE t (id int);\nSELECT pg_sleep(0.5);\n" });
            const env = { DATABASE_URL: url, MIGRATIONS_DIR: dir, APP: db.name, RELEASE: db.release, ...shell.env };
            const migrate = startScript("migrate.sh", env);
            (await commandLinesDuring(migrate.done)).forEach((line) => seen.add(line));
            const run = await migrate.done;
            assert.equal(run.code, 0, run.stderr);
            assert.ok(
                [...seen].some((cmd) => /psql -X -q -f \S+plan\.psql/.test(cmd)),
                "the sampler never saw psql: it proves nothing",
            );
            outputs.push(waited.stdout, waited.stderr, run.stdout, run.stderr);
            for (const text of [...outputs, ...seen]) {
                assert.ok(
                    !text.includes(canary) && !text.includes(encodeURIComponent(canary)),
                    `the password leaked: ${text.slice(0, 200)}`,
                );
            }
            assert.match(
                runSql(db.migrator, "SELECT applied_by FROM migrate_first.schema_history;"),
                new RegExp(`^${db.plan.migrator}@`),
            );
        });

        it("a libpq variable that is set wins over the URL; a URL that is not postgres:// is refused", async () => {
            const db = environment();
            const dir = migrationsDir({ "1_t.sql": "CREATE TABLE t (id int);" });
            const wrongPassword = databaseUrl({ ...db.migrator, PGPASSWORD: "wrong" });
            const run = await runScript("migrate.sh", {
                ...migrateEnv(db, dir),
                DATABASE_URL: wrongPassword,
                ...shell.env,
            });
            assert.equal(run.code, 0, run.stderr);
            const bad = await runScript("migrate.sh", {
                MIGRATIONS_DIR: dir,
                APP: db.name,
                DATABASE_URL: "mysql://x@y/z",
                ...shell.env,
            });
            assert.equal(bad.code, 1);
            assert.match(bad.stderr, /DATABASE_URL does not start with postgres:\/\/ or postgresql:\/\//);
        });
    });
}
