import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { chmodSync, existsSync, readdirSync, symlinkSync, writeFileSync } from "fs";
import { delimiter, join } from "path";
import { scratchDir } from "./helpers/scratch";
import { migrateFirst } from "./helpers/cli";

const root = join(__dirname, "..");

/**
 * A PATH with every program of this one except psql, as on a machine without postgresql-client;
 * with `brokenPsql`, a psql that fails as Debian's wrapper does when no client version is installed.
 */
function pathWithoutPsql(brokenPsql = false): string {
    const bin = scratchDir("no-psql-bin");
    if (brokenPsql) {
        writeFileSync(
            join(bin, "psql"),
            "#!/bin/sh\necho 'Error: You must install at least one postgresql-client-<version> package' >&2\nexit 1\n",
        );
        chmodSync(join(bin, "psql"), 0o755);
    }
    for (const dir of (process.env.PATH ?? "").split(delimiter).filter((d) => d !== "" && existsSync(d))) {
        for (const name of readdirSync(dir)) {
            if (name === "psql" || existsSync(join(bin, name))) continue;
            symlinkSync(join(dir, name), join(bin, name));
        }
    }
    return bin;
}

describe("the tests on a machine without psql", function () {
    this.timeout(180000);

    it("fail the suites that need it with the install hint, exit, and leave no temporary directory", () => {
        const tmp = scratchDir("no-psql-tmp");
        const run = spawnSync(
            process.execPath,
            [
                join(root, "node_modules/mocha/bin/mocha.js"),
                "test/least-privilege.test.ts",
                "test/wait-for-db.test.ts",
                "test/secrets-audit.test.ts",
            ],
            {
                cwd: root,
                encoding: "utf8",
                timeout: 150000,
                env: { ...process.env, PATH: pathWithoutPsql(), TMPDIR: tmp },
            },
        );
        assert.equal(run.signal, null, "mocha had to be killed: it hung after the failures");
        assert.equal(run.status, 3, run.stdout + run.stderr);
        assert.equal(
            run.stdout.match(
                /Error: psql is not installed: apt-get install -y postgresql-client \(see README\), then run npm test again/g,
            )?.length,
            3,
            run.stdout,
        );
        assert.deepEqual(
            readdirSync(tmp).filter((name) => name.startsWith("migrate-first-")),
            [],
        );
    });

    it("treat a psql that cannot run (Debian's wrapper without a client) as missing", () => {
        const tmp = scratchDir("no-psql-tmp");
        const run = spawnSync(
            process.execPath,
            [join(root, "node_modules/mocha/bin/mocha.js"), "test/least-privilege.test.ts"],
            {
                cwd: root,
                encoding: "utf8",
                timeout: 90000,
                env: { ...process.env, PATH: pathWithoutPsql(true), TMPDIR: tmp },
            },
        );
        assert.equal(run.signal, null, "mocha had to be killed: it hung after the failures");
        assert.equal(run.status, 1, run.stdout + run.stderr);
        assert.match(run.stdout, /Error: psql is not installed: apt-get install -y postgresql-client/);
        assert.deepEqual(
            readdirSync(tmp).filter((name) => name.startsWith("migrate-first-")),
            [],
        );
    });

    it("make the rehearsal say so and exit 1, leaving nothing behind", () => {
        const tmp = scratchDir("no-psql-tmp");
        const run = migrateFirst(["rehearse", "--stack", "dev"], {
            cwd: root,
            encoding: "utf8",
            timeout: 90000,
            env: { ...process.env, PATH: pathWithoutPsql(), TMPDIR: tmp },
        });
        assert.equal(run.signal, null);
        assert.equal(run.status, 1);
        assert.match(run.stderr, /^rehearse: psql is not installed: apt-get install -y postgresql-client/);
        assert.deepEqual(
            readdirSync(tmp).filter((name) => name.startsWith("migrate-first-")),
            [],
        );
    });
});

describe("sampling command lines during a run that fails", () => {
    it("stops when the run is rejected, so nothing keeps the test process alive", async () => {
        const { commandLinesDuring } = await import("./helpers/scratch");
        const failing = Promise.reject(new Error("psql is not installed"));
        failing.catch(() => undefined);
        const sampled = await Promise.race([
            commandLinesDuring(failing).then(() => "stopped"),
            new Promise((resolve) => setTimeout(() => resolve("still sampling"), 2000)),
        ]);
        assert.equal(sampled, "stopped");
    });
});
