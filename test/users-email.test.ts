import { strict as assert } from "assert";
import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { lintDirectory, loadParser } from "../lint";
import { runSql } from "../rehearsal/provision";
import { runScript } from "../rehearsal/scripts";
import type { TestEnvironment } from "./helpers/environments";
import { verifyRelease, withPostgres } from "./helpers/environments";
import { migrationsDir } from "./helpers/scratch";

const example = join(__dirname, "..", "examples", "users-email");
const files = readdirSync(join(example, "migrations")).sort();

/** Release n ships the files up to version n + 1. */
function releaseDir(n: number): string {
    return migrationsDir(
        Object.fromEntries(
            files.slice(0, n + 1).map((name) => [name, readFileSync(join(example, "migrations", name), "utf8")]),
        ),
    );
}
const image = (n: number) => `ghcr.io/acme/users:r${n}`;

describe("examples/users-email: the article's two deploys, rehearsed", function () {
    this.timeout(60000);
    const { environment, migrateEnv } = withPostgres("users");
    let db: TestEnvironment;
    before(() => {
        db = environment();
    });

    const migrate = (n: number) => runScript("migrate.sh", migrateEnv(db, releaseDir(n), { RELEASE: image(n) }));
    /** Release n's code, as the app role. */
    const queries = (n: number) => () =>
        runSql(db.app, readFileSync(join(example, "releases", String(n), "queries.sql"), "utf8"));
    const verify = (n: number) => verifyRelease(db, releaseDir(n), image(n));

    it("lints clean: the drop sits in a contract file naming its expand", async () => {
        await loadParser();
        const report = lintDirectory(join(example, "migrations"));
        assert.equal(report.errors, 0, report.findings.map((f) => `${f.file} ${f.rule}`).join("\n"));
        assert.deepEqual(
            report.findings.filter((f) => f.rule === "ban-drop-column").map((f) => [f.severity, f.reason]),
            [["allowed", "contract file completing 2"]],
        );
    });

    it("release 0 deploys and is verified", async () => {
        assert.equal((await migrate(0)).code, 0);
        assert.doesNotThrow(queries(0));
        await verify(0);
    });

    it("release 1 expands: its code works, and so does release 0's on the new schema", async () => {
        assert.equal((await migrate(1)).code, 0);
        assert.doesNotThrow(queries(1));
        assert.doesNotThrow(queries(0), "old code on the new schema");
    });

    it("release 2's contract is refused while release 1 is unverified, and nothing is dropped", async () => {
        const run = await migrate(2);
        assert.equal(run.code, 1);
        assert.match(
            run.stderr,
            /0003_drop_is_email_confirmed\.sql completes 0002_add_email_verified\.sql, applied by release ghcr\.io\/acme\/users:r1, which has not been verified/,
        );
        assert.doesNotThrow(queries(0), "the column is still there");
    });

    it("once release 1 is verified, release 2 contracts and its code works; only now would release 0's break", async () => {
        await verify(1);
        const run = await migrate(2);
        assert.equal(run.code, 0, run.stderr);
        assert.doesNotThrow(queries(2));
        assert.throws(queries(0), /column "is_email_confirmed" .*does not exist/);
    });
});
