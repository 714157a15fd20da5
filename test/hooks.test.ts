import { strict as assert } from "assert";
import { existsSync, readFileSync, writeFileSync } from "fs";
import type { Server } from "http";
import { createServer } from "http";
import type { AddressInfo } from "net";
import { join } from "path";
import { freePort } from "../rehearsal/postgres";
import { runSql } from "../rehearsal/provision";
import { runScript, startScript } from "../rehearsal/scripts";
import type { ScriptName } from "../runtime";
import { commandLinesDuring, migrationsDir, scratchDir } from "./helpers/scratch";
import type { TestEnvironment } from "./helpers/environments";
import { withPostgres } from "./helpers/environments";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A local HTTP endpoint answering with the next status of `statuses` (the last one repeats), recording request bodies. */
async function endpoint(
    statuses: number[],
): Promise<{ url: string; bodies: string[]; hits: () => number; close: () => Promise<void> }> {
    const bodies: string[] = [];
    let hits = 0;
    const server: Server = createServer((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", () => {
            bodies.push(body);
            res.statusCode = statuses[Math.min(hits++, statuses.length - 1)] ?? 200;
            res.end("ok");
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        bodies,
        hits: () => hits,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

describe("the PostSync, SyncFail and lock-sidecar scripts against a real Postgres", function () {
    this.timeout(60000);
    const { environment, migrateEnv, server, nextName } = withPostgres("hook");
    async function migrate(db: TestEnvironment, dir: string): Promise<number | null> {
        const run = await runScript("migrate.sh", migrateEnv(db, dir));
        return run.code;
    }
    const smokeEnv = (db: TestEnvironment, url: string, extra: Record<string, string> = {}) => ({
        ...db.app,
        HEALTH_URL: url,
        RELEASE: db.release,
        SMOKE_INTERVAL: "0.2",
        ...extra,
    });

    describe("smoke-check.sh", () => {
        it("verifies a release whose files are all applied and whose app answers, as the app role", async () => {
            const db = environment();
            const dir = migrationsDir({ "1_a.sql": "CREATE TABLE a (id int);", "7_b.sql": "CREATE TABLE b (id int);" });
            assert.equal(await migrate(db, dir), 0);
            const app = await endpoint([503, 503, 200]);
            const run = await runScript("smoke-check.sh", smokeEnv(db, `${app.url}/health`, { MIGRATIONS_DIR: dir }));
            await app.close();
            assert.equal(run.code, 0, run.stderr);
            assert.match(run.stdout, /all 2 migration file\(s\) of this release are applied/);
            assert.match(run.stdout, /waiting for http:\/\/127\.0\.0\.1:\d+\/health to answer 2xx/);
            assert.match(run.stdout, /release acme\/hook\d+:v1 verified/);
            assert.equal(app.hits(), 3);
            assert.equal(
                runSql(
                    db.migrator,
                    "SELECT release || ' ' || last_version || ' ' || verified_by FROM migrate_first.verified_release;",
                ),
                `${db.release} 7 ${db.plan.app}`,
            );
        });

        it("fails, and records why, when a file of the release is not in the history", async () => {
            const db = environment();
            const dir = migrationsDir({ "1_a.sql": "CREATE TABLE a (id int);" });
            assert.equal(await migrate(db, dir), 0);
            writeFileSync(join(dir, "2_b.sql"), "CREATE TABLE b (id int);");
            const app = await endpoint([200]);
            const run = await runScript("smoke-check.sh", smokeEnv(db, app.url, { MIGRATIONS_DIR: dir }));
            await app.close();
            assert.equal(run.code, 1);
            assert.match(
                run.stderr,
                /not in migrate_first\.schema_history: 2_b\.sql; the PreSync migration did not apply them/,
            );
            assert.equal(app.hits(), 0);
            assert.equal(runSql(db.migrator, "SELECT count(*) FROM migrate_first.verified_release;"), "0");
            assert.match(
                runSql(db.migrator, "SELECT hook || ': ' || detail FROM migrate_first.failure;"),
                /^PostSync smoke-check: not in migrate_first\.schema_history: 2_b\.sql/,
            );
        });

        it("fails at its deadline when the app never answers 2xx", async () => {
            const db = environment();
            const dir = migrationsDir({ "1_a.sql": "CREATE TABLE a (id int);" });
            assert.equal(await migrate(db, dir), 0);
            const app = await endpoint([500]);
            const run = await runScript(
                "smoke-check.sh",
                smokeEnv(db, app.url, { MIGRATIONS_DIR: dir, SMOKE_TIMEOUT: "2" }),
            );
            await app.close();
            assert.equal(run.code, 1);
            assert.match(run.stderr, /http:\/\/127\.0\.0\.1:\d+ did not answer 2xx within 2s \(\d+ attempts\)/);
            assert.ok(run.ms >= 2000 && run.ms < 8000, `took ${run.ms} ms`);
            assert.equal(runSql(db.migrator, "SELECT count(*) FROM migrate_first.verified_release;"), "0");
        });
    });

    describe("migration-lock.sh (command mode's sidecar)", () => {
        it("holds the lock until SIGTERM, signals through its file, and frees the lock at once", async () => {
            const db = environment();
            const lockFile = join(scratchDir("lock"), "locked");
            const sidecar = startScript("migration-lock.sh", {
                ...db.migrator,
                APP: db.name,
                APP_ROLE: db.plan.app,
                LOCK_FILE: lockFile,
            });
            for (let i = 0; i < 50 && !existsSync(lockFile); i++) await sleep(100);
            assert.ok(existsSync(lockFile), "no signal file after 5 s");
            // A migrate.sh run for the same app cannot take the lock meanwhile.
            const blocked = await runScript("migrate.sh", {
                ...db.migrator,
                MIGRATIONS_DIR: migrationsDir({}),
                APP: db.name,
                LOCK_WAIT: "1",
            });
            assert.equal(blocked.code, 1);
            assert.match(
                blocked.stderr,
                /the migration lock is still held by pid \d+ \(migrate-first migration-lock hook\d+/,
            );
            // The tables are there for the smoke check to record the release.
            assert.equal(runSql(db.app, "SELECT count(*) FROM migrate_first.verified_release;"), "0");

            // The kubelet signals the container's first process only.
            process.kill(sidecar.pid, "SIGTERM");
            const run = await sidecar.done;
            assert.equal(run.code, 0, run.stderr);
            assert.equal(existsSync(lockFile), false);
            assert.equal(runSql(db.migrator, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory';"), "0");
        });
    });

    describe("alert-message.sh and alert.sh (SyncFail)", () => {
        it("posts the failed hook and its last log lines as JSON, never showing the webhook URL", async () => {
            const db = environment();
            assert.equal(await migrate(db, migrationsDir({ "1_bad.sql": 'SELECT * FROM "no such table";' })), 1);
            const payload = join(scratchDir("alert"), "payload.json");
            const message = await runScript("alert-message.sh", {
                ...db.migrator,
                APP: db.name,
                ENVIRONMENT: "dev",
                RELEASE: db.release,
                ALERT_PAYLOAD: payload,
            });
            assert.equal(message.code, 0, message.stderr);
            assert.match(
                message.stdout,
                /Sync failed: hook\d+ in dev, release acme\/hook\d+:v1\. Failed: PreSync migrate\./,
            );

            const hook = await endpoint([500, 502, 200]);
            const webhook = `${hook.url}/services/T000/B000/canary-token-7f3a`;
            const running = startScript("alert.sh", { WEBHOOK_URL: webhook, ALERT_PAYLOAD: payload });
            const cmdlines = await commandLinesDuring(running.done);
            const sent = await running.done;
            await hook.close();
            assert.equal(sent.code, 0, sent.stderr);
            assert.match(sent.stdout, /alert: delivered/);
            assert.equal(hook.hits(), 3, "two failures, then delivered by a retry");
            assert.ok(
                [...cmdlines].some((cmd) => cmd.startsWith("curl -K -")),
                "the sampler never saw curl: it proves nothing",
            );
            for (const text of [sent.stdout, sent.stderr, message.stdout, message.stderr, ...cmdlines])
                assert.ok(!text.includes("canary-token-7f3a"), `the webhook URL leaked: ${text}`);

            const body = JSON.parse(hook.bodies[2] ?? "") as Record<string, string>;
            assert.equal(body.app, db.name);
            assert.equal(body.environment, "dev");
            assert.equal(body.release, db.release);
            assert.equal(body.phase, "PreSync migrate");
            assert.match(body.text ?? "", /relation "no such table" does not exist/);
            assert.match(body.text ?? "", /FAILED: 1_bad\.sql/);
        });

        it("still writes a message when the database cannot be read, and gives up on a webhook that never accepts", async () => {
            const payload = join(scratchDir("alert"), "payload.json");
            const env = {
                ...server().env("postgres", server().adminPassword),
                PGPORT: String(await freePort()),
                APP: "shop",
                ENVIRONMENT: "prod",
                RELEASE: "acme/shop:v2",
                ALERT_PAYLOAD: payload,
            };
            const message = await runScript("alert-message.sh", env);
            assert.equal(message.code, 0, message.stderr);
            const body = JSON.parse(readFileSync(payload, "utf8")) as Record<string, string>;
            assert.equal(body.phase, "unknown");
            assert.match(body.text ?? "", /The failure record could not be read: .*(refused|could not connect)/);

            const hook = await endpoint([500]);
            const sent = await runScript("alert.sh", {
                WEBHOOK_URL: hook.url,
                ALERT_PAYLOAD: payload,
                ALERT_RETRIES: "1",
            });
            await hook.close();
            assert.equal(sent.code, 1);
            assert.match(
                sent.stderr,
                /the webhook did not accept the message after 1 retries; check the alert Secret's url/,
            );
            assert.equal(hook.hits(), 2);

            const unset = await runScript("alert.sh", { ALERT_PAYLOAD: payload });
            assert.equal(unset.code, 0);
            assert.match(unset.stdout, /no webhook configured/);
        });
    });

    it("never shows either role's password, from wait-for-db to the alert: not in output, not on a command line", async () => {
        const canaries = { migrator: "canary-Migrator-Pw-91c2", app: "canary-App-Pw-3e7d" };
        const db = environment({ [`${nextName()}_migrator`]: canaries.migrator, [`${nextName()}_app`]: canaries.app });
        const dir = migrationsDir({ "1_t.sql": "CREATE TABLE t (id int);\nSELECT pg_sleep(0.5);" });
        const app = await endpoint([503, 200]);
        const steps: [ScriptName, Record<string, string>][] = [
            ["wait-for-db.sh", db.migrator],
            ["migrate.sh", migrateEnv(db, dir)],
            ["smoke-check.sh", smokeEnv(db, app.url, { MIGRATIONS_DIR: dir })],
            ["alert-message.sh", { ...db.migrator, ALERT_PAYLOAD: join(scratchDir("alert"), "payload.json") }],
        ];
        const seen = new Set<string>();
        for (const [script, env] of steps) {
            const running = startScript(script, env);
            for (const line of await commandLinesDuring(running.done)) seen.add(line);
            const run = await running.done;
            for (const text of [run.stdout, run.stderr]) seen.add(text);
            assert.equal(run.code, 0, run.stderr);
        }
        await app.close();
        assert.ok(
            [...seen].some((line) => /psql -X -q -f \S+plan\.psql/.test(line)),
            "the sampler never saw migrate.sh's psql: it proves nothing",
        );
        for (const text of seen) {
            assert.ok(
                !text.includes(canaries.migrator) && !text.includes(canaries.app),
                `a password leaked: ${text.slice(0, 200)}`,
            );
        }
    });
});
