import { strict as assert } from "assert";
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from "fs";
import { join } from "path";
import { runSql } from "../rehearsal/provision";
import { runScript } from "../rehearsal/scripts";
import { startStandInApp } from "../rehearsal/stand-in-app";
import { withPostgres } from "./helpers/environments";
import { migrationsDir } from "./helpers/scratch";
import { runtimeShells } from "./helpers/shells";

// Nothing in the migrations directory is passed over without a word, and no file runs twice.
for (const shell of runtimeShells()) {
    describe(`migrate.sh under ${shell.name}: files never silently skipped, never applied twice`, function () {
        this.timeout(60000);
        const { environment, migrateEnv } = withPostgres("files");

        const refused: readonly {
            readonly what: string;
            readonly make: (dir: string) => void;
            readonly said: RegExp;
        }[] = [
            {
                what: "an upper-case .SQL",
                make: (dir) => writeFileSync(join(dir, "2_b.SQL"), "CREATE TABLE b (id int);"),
                said: /2_b\.SQL: only names ending in lower-case \.sql are migration files/,
            },
            {
                what: "a mixed-case .Sql",
                make: (dir) => writeFileSync(join(dir, "2_b.Sql"), "CREATE TABLE b (id int);"),
                said: /2_b\.Sql: only names ending in lower-case \.sql/,
            },
            {
                what: "a dangling symlink",
                make: (dir) => symlinkSync(join(dir, "gone.sql"), join(dir, "2_b.sql")),
                said: /2_b\.sql is a symbolic link to nothing/,
            },
            {
                what: "a subdirectory of .sql files",
                make: (dir) => {
                    mkdirSync(join(dir, "later"));
                    writeFileSync(join(dir, "later", "2_b.sql"), "SELECT 1;");
                },
                said: /later\/ is a directory holding 2_b\.sql: files in subdirectories are never applied/,
            },
            {
                what: "a hidden .sql file",
                make: (dir) => writeFileSync(join(dir, ".2_b.sql"), "CREATE TABLE b (id int);"),
                said: /\.2_b\.sql is hidden/,
            },
        ];
        for (const { what, make, said } of refused) {
            it(`${what}: the run stops naming it, before anything is applied`, async () => {
                const db = environment();
                const dir = migrationsDir({ "1_a.sql": "CREATE TABLE a (id int);" });
                make(dir);
                const run = await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env });
                assert.equal(run.code, 1, run.stdout);
                assert.match(run.stderr, said);
                assert.equal(runSql(db.migrator, "SELECT to_regclass('a') IS NULL;"), "t");
            });
        }

        it("other files are named in a warning; a 60-digit version is applied, and the smoke check sees it", async () => {
            const db = environment();
            const big = `${"9".repeat(60)}_big.sql`;
            const dir = migrationsDir({
                "1_a.sql": "CREATE TABLE a (id int);",
                [big]: "CREATE TABLE big (id int);",
                "README.md": "notes",
            });
            const run = await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env });
            assert.equal(run.code, 0, run.stderr);
            assert.match(run.stderr, /warning: README\.md is not a migration file/);
            assert.equal(
                runSql(
                    db.migrator,
                    "SELECT to_regclass('big') IS NOT NULL, count(*) FROM migrate_first.schema_history;",
                ),
                "t|2",
            );
            const app = await startStandInApp("/health");
            const smoke = await runScript("smoke-check.sh", {
                ...db.app,
                HEALTH_URL: app.healthUrl,
                MIGRATIONS_DIR: dir,
                RELEASE: db.release,
                ...shell.env,
            });
            await app.close();
            assert.equal(smoke.code, 0, smoke.stderr);
        });

        it("an applied file renamed to a new version is refused, naming both", async () => {
            const db = environment();
            const dir = migrationsDir({
                "1_a.sql": "CREATE TABLE a (id int);",
                "2_b.sql": "INSERT INTO a VALUES (2);",
            });
            assert.equal((await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env })).code, 0);
            renameSync(join(dir, "2_b.sql"), join(dir, "3_b.sql"));
            const run = await runScript("migrate.sh", { ...migrateEnv(db, dir), ...shell.env });
            assert.equal(run.code, 1, run.stdout);
            assert.match(
                run.stderr,
                /3_b\.sql has the content of 2_b\.sql, which release acme\/files\d+:v1 applied as version 2: applying it would run the same statements twice/,
            );
            assert.match(run.stderr, /give the file back its name 2_b\.sql/);
            assert.equal(runSql(db.migrator, "SELECT count(*) FROM a;"), "1");
        });
    });
}
