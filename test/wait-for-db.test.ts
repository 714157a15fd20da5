import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { join } from "path";
import type { LocalPostgres } from "../rehearsal/postgres";
import { freePort, startPostgres } from "../rehearsal/postgres";

const script = join(__dirname, "..", "runtime", "wait-for-db.sh");

function waitForDb(env: Record<string, string>) {
    const started = Date.now();
    const run = spawnSync("sh", [script], {
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
        encoding: "utf8",
        timeout: 30000,
    });
    return { code: run.status, out: run.stdout + run.stderr, seconds: (Date.now() - started) / 1000 };
}

describe("runtime/wait-for-db.sh against a real Postgres", function () {
    this.timeout(60000);
    let pg: LocalPostgres;
    before(async () => {
        pg = await startPostgres("wait-canary-admin-pw");
    });
    after(async () => pg?.stop());

    it("is ready once the real credentials connect and SELECT 1 answers on a primary", () => {
        const { code, out } = waitForDb(pg.env("postgres", pg.adminPassword));
        assert.equal(code, 0, out);
        assert.match(out, /wait-for-db: postgres@127\.0\.0\.1:\d+\/postgres ready after \d+s \(attempt 1\)/);
    });

    it("is not ready with a wrong password: fails at its deadline and says why, without the password", () => {
        const { code, out, seconds } = waitForDb({
            ...pg.env("postgres", "wrong-canary-pw"),
            WAIT_TIMEOUT: "2",
            WAIT_INTERVAL: "1",
        });
        assert.equal(code, 1);
        assert.match(
            out,
            /not ready after \d+s, deadline 2s \(\d+ attempts\): .*password authentication failed for user "postgres"/,
        );
        assert.ok(seconds >= 2 && seconds < 10, `gave up after ${seconds}s`);
        assert.ok(!out.includes("wrong-canary-pw") && !out.includes(pg.adminPassword));
    });

    it("is not ready when nothing listens: fails at its deadline instead of hanging", async () => {
        const { code, out, seconds } = waitForDb({
            ...pg.env("postgres", pg.adminPassword),
            PGPORT: String(await freePort()),
            WAIT_TIMEOUT: "2",
            WAIT_INTERVAL: "1",
        });
        assert.equal(code, 1);
        assert.match(out, /not ready after \d+s, deadline 2s/);
        assert.match(out, /raise WAIT_TIMEOUT/);
        assert.ok(seconds < 10, `gave up after ${seconds}s`);
    });

    it("is not ready when the database does not exist yet", () => {
        const { code, out } = waitForDb({
            ...pg.env("postgres", pg.adminPassword, "not_created_yet"),
            WAIT_TIMEOUT: "1",
        });
        assert.equal(code, 1);
        assert.match(out, /database "not_created_yet" does not exist/);
    });
});
