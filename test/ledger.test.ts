import { strict as assert } from "assert";
import { writeFileSync } from "fs";
import { join } from "path";
import { lintDirectory, loadParser, releaseViolations } from "../lint";
import { runSql } from "../rehearsal/provision";
import { runScript } from "../rehearsal/scripts";
import type { TestEnvironment } from "./helpers/environments";
import { verifyRelease, withPostgres } from "./helpers/environments";
import { migrationsDir } from "./helpers/scratch";

const expand = "ALTER TABLE users ADD COLUMN email_verified boolean DEFAULT false;\n";
const contract = "-- migrate-first: contract completes 2\nALTER TABLE users DROP COLUMN is_email_confirmed;\n";

// The runtime half of expand/contract: migrate.sh obeys the release ledger even when the
// linter was never run.
describe("the release ledger, enforced by migrate.sh", function () {
    this.timeout(60000);
    const { environment, migrateEnv } = withPostgres("ledger");

    const migrate = (db: TestEnvironment, dir: string, release: string) =>
        runScript("migrate.sh", migrateEnv(db, dir, { RELEASE: release }));

    const columns = (db: TestEnvironment) =>
        runSql(
            db.migrator,
            "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attnum > 0 AND NOT attisdropped;",
        );

    /** The files each release ships: v0 creates the table, v1 adds the expand, v2 the contract. */
    function releases() {
        const create = {
            "0001_create_users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, is_email_confirmed boolean);\n",
        };
        const withExpand = { ...create, "0002_add_email_verified.sql": expand };
        return {
            v0: migrationsDir(create),
            v1: migrationsDir(withExpand),
            v2: migrationsDir({ ...withExpand, "0003_drop_is_email_confirmed.sql": contract }),
        };
    }

    it("refuses a contract that arrives in the same release as its expand, before applying anything", async () => {
        const db = environment();
        const r = releases();
        assert.equal((await migrate(db, r.v0, "acme/shop:v0")).code, 0);
        await verifyRelease(db, r.v0, "acme/shop:v0");
        const run = await migrate(db, r.v2, "acme/shop:v1");
        assert.equal(run.code, 1);
        assert.match(
            run.stderr,
            /0003_drop_is_email_confirmed\.sql completes 0002_add_email_verified\.sql, which arrives in this same release \(acme\/shop:v1\)/,
        );
        assert.match(
            run.stderr,
            /deploy a release with 0002_add_email_verified\.sql alone, let its PostSync smoke check verify it, then ship 0003_drop_is_email_confirmed\.sql in a later release/,
        );
        assert.equal(
            runSql(db.migrator, "SELECT count(*) FROM migrate_first.schema_history;"),
            "1",
            "nothing applied, not even the expand before it",
        );

        // The program says the same at preview, from the versions the last release shipped.
        await loadParser();
        const [atPreview] = releaseViolations(lintDirectory(r.v2), "acme/shop:v1", {
            image: "acme/shop:v0",
            versions: ["1"],
        });
        assert.ok(
            atPreview !== undefined && run.stderr.includes(atPreview.message) && run.stderr.includes(atPreview.hint),
            run.stderr,
        );
    });

    it("applies a whole history, contracts included, to a new database: no earlier release runs on it", async () => {
        const db = environment();
        const run = await migrate(db, releases().v2, "acme/shop:v2");
        assert.equal(run.code, 0, run.stderr);
        assert.match(
            run.stderr + run.stdout,
            /new database \(empty history\): no earlier release runs on it, so contract files apply with their expands/,
        );
        assert.equal(columns(db), "id,email_verified");
    });

    it("refuses a contract until the expand's release is verified, then applies it", async () => {
        const db = environment();
        const r = releases();
        assert.equal((await migrate(db, r.v0, "acme/shop:v0")).code, 0);
        await verifyRelease(db, r.v0, "acme/shop:v0");
        assert.equal((await migrate(db, r.v1, "acme/shop:v1")).code, 0);

        const early = await migrate(db, r.v2, "acme/shop:v2");
        assert.equal(early.code, 1);
        assert.match(
            early.stderr,
            /0003_drop_is_email_confirmed\.sql completes 0002_add_email_verified\.sql, applied by release acme\/shop:v1, which has not been verified/,
        );
        assert.match(
            early.stderr,
            /deploy acme\/shop:v1 and let its PostSync smoke check pass first; then sync this release again/,
        );
        assert.equal(columns(db), "id,is_email_confirmed,email_verified");

        // A release whose smoke check fails is not verified either.
        const down = await runScript("smoke-check.sh", {
            ...db.app,
            HEALTH_URL: "http://127.0.0.1:9/health",
            MIGRATIONS_DIR: r.v1,
            RELEASE: "acme/shop:v1",
            SMOKE_TIMEOUT: "1",
            SMOKE_INTERVAL: "0.2",
        });
        assert.equal(down.code, 1);
        assert.equal((await migrate(db, r.v2, "acme/shop:v2")).code, 1);

        await verifyRelease(db, r.v1, "acme/shop:v1");
        const applied = await migrate(db, r.v2, "acme/shop:v2");
        assert.equal(applied.code, 0, applied.stderr);
        assert.equal(columns(db), "id,email_verified");
        assert.equal(
            runSql(
                db.migrator,
                "SELECT release || ' ' || completes FROM migrate_first.schema_history WHERE version = 3;",
            ),
            "acme/shop:v2 2",
        );
    });

    it("refuses a contract whose expand this very release applied, even across two runs", async () => {
        const db = environment();
        const r = releases();
        assert.equal((await migrate(db, r.v1, "acme/shop:v1")).code, 0);
        await verifyRelease(db, r.v1, "acme/shop:v1");
        const run = await migrate(db, r.v2, "acme/shop:v1");
        assert.equal(run.code, 1);
        assert.match(
            run.stderr,
            /completes 0002_add_email_verified\.sql, which this same release \(acme\/shop:v1\) applied: the old version may still be running/,
        );
    });

    it("refuses a contract that names a version neither applied nor shipped", async () => {
        const db = environment();
        const dir = releases().v0;
        writeFileSync(
            join(dir, "0004_drop.sql"),
            "-- migrate-first: contract completes 3\nALTER TABLE users DROP COLUMN is_email_confirmed;\n",
        );
        const run = await migrate(db, dir, "acme/shop:v1");
        assert.equal(run.code, 1);
        assert.match(run.stderr, /0004_drop\.sql completes version 3, which is neither applied nor in this release/);
    });
});
