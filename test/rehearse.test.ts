import { strict as assert } from "assert";
import { devStackYaml } from "./helpers/specs";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { connect } from "net";
import { tmpdir } from "os";
import { join } from "path";
import { migrateFirst } from "./helpers/cli";

const root = join(__dirname, "..");

function rehearse(...args: string[]) {
    const run = migrateFirst(["rehearse", ...args], { cwd: root, encoding: "utf8", timeout: 120000 });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** True when something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = connect(port, "127.0.0.1");
        socket.once("connect", () => (socket.destroy(), resolve(true)));
        socket.once("error", () => resolve(false));
    });
}

/** What varies between runs: times, ports, durations and where the checkout is. */
const normalized = (text: string) =>
    text
        .replaceAll(root, ".../migrate-first")
        .replace(/\[ *\d+\.\ds\]/g, "[t]")
        .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:port")
        .replace(/in \d+ ms/g, "in n ms")
        .replace(/after \d+s/g, "after ns");

/** The README's copy of the dev rehearsal's output: the code block after "what it prints". */
function readmeRehearsal(): string {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const block = /This is what it prints[\s\S]*?\n```\n([\s\S]*?)```\n/.exec(readme);
    assert.ok(block, "README.md has no rehearsal output block");
    return block[1];
}

const indexOf = (text: string, pattern: RegExp) => {
    const match = pattern.exec(text);
    assert.ok(match, `no line matches ${pattern}`);
    return match.index;
};

describe("the rehearsal (npm start)", function () {
    this.timeout(180000);

    it("rehearses the dev sync on an embedded Postgres in the plan's order, and leaves nothing running", async () => {
        const { code, stdout, stderr } = rehearse("--stack", "dev");
        assert.equal(code, 0, stderr + stdout);
        assert.equal(normalized(stdout), normalized(readmeRehearsal()), "README.md shows another output");
        const order = [
            /wait-for-db: shop_migrator@127\.0\.0\.1:\d+\/shop ready/,
            /migrate: applied 0001_create_customers\.sql/,
            /migrate: applying 0003_index_orders_by_customer\.sql on its own/,
            /Deployment shop: a stand-in app answers/,
            /smoke-check: all 3 migration file\(s\) of this release are applied/,
            /smoke-check: release ghcr\.io\/acme\/shop:v1\.2\.0 verified/,
        ];
        const positions = order.map((pattern) => indexOf(stdout, pattern));
        assert.deepEqual(
            positions,
            [...positions].sort((a, b) => a - b),
            "steps out of order",
        );
        assert.match(stdout, /\[ *\d+\.\ds\] step 1: PreSync wave -1: ConfigMap shop-runtime, Job shop-migrate/);
        assert.match(stdout, /migrate \(migrate\.sh\): done in \d+ ms/);
        assert.match(
            stdout,
            /end state: migrate_first\.schema_history has 3 file\(s\)\n.*1 0001_create_customers\.sql ghcr\.io\/acme\/shop:v1\.2\.0/,
        );
        assert.match(stdout, /end state: verified release\(s\): ghcr\.io\/acme\/shop:v1\.2\.0/);
        assert.match(stdout, /rehearse: the sync succeeded/);
        const port = Number(/Postgres [\d.]+ on 127\.0\.0\.1:(\d+)/.exec(stdout)?.[1]);
        assert.equal(await listening(port), false, "the embedded Postgres is still running");
        assert.match(stdout, /embedded Postgres stopped and its data removed/);
    });

    it("shows a failing migration stopping the sync before the Deployment, and the alert it sends", () => {
        const { code, stdout, stderr } = rehearse("--stack", "dev", "--break-migration");
        assert.equal(code, 0, stderr + stdout);
        assert.match(stdout, /migrate: FAILED: 99999_rehearsal_breaks_here\.sql, at the statement ending on line 3/);
        assert.match(stdout, /sync stopped: Job shop-migrate failed; later steps are never applied/);
        assert.doesNotMatch(stdout, /Deployment shop: a stand-in app/);
        assert.doesNotMatch(stdout, /smoke-check:/);
        const alert = /\| (\{"text".*\})$/m.exec(stdout)?.[1];
        const body = JSON.parse(alert ?? "") as Record<string, string>;
        assert.equal(body.phase, "PreSync migrate");
        assert.match(body.text ?? "", /relation "no_such_table" does not exist/);
        assert.match(
            stdout,
            /end state: migrate_first\.schema_history has 3 file\(s\)/,
            "the files before the bad one stay applied",
        );
        assert.match(stdout, /end state: verified release\(s\): none/);
    });

    it("rehearses command mode: the lock sidecar holds the lock; the team's command needs its image", () => {
        const dir = mkdtempSync(join(tmpdir(), "migrate-first-stack-"));
        try {
            const dev = devStackYaml().replace(
                "    directory: examples/shop/migrations\n",
                '    mode: command\n    command: ["python", "manage.py", "migrate"]\n',
            );
            writeFileSync(join(dir, "Pulumi.cmd.yaml"), dev);
            const { code, stdout, stderr } = rehearse("--stack", "cmd", "--dir", dir);
            assert.equal(code, 0, stderr + stdout);
            assert.match(stdout, /migration-lock: lock held/);
            assert.match(
                stdout,
                /migration-lock \(migration-lock\.sh\): running beside the migration \(startup probe passed\)/,
            );
            assert.match(
                stdout,
                /migrate: not run: "python manage\.py migrate" needs the image ghcr\.io\/acme\/shop:v1\.2\.0/,
            );
            assert.match(stdout, /migration-lock: stopped by the kubelet/);
            assert.match(stdout, /smoke-check: no MIGRATIONS_DIR: the migrations run with the team's own tool/);
            assert.match(stdout, /end state: verified release\(s\): ghcr\.io\/acme\/shop:v1\.2\.0/);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("says what to do when the migrations directory is missing", () => {
        const dir = mkdtempSync(join(tmpdir(), "migrate-first-stack-"));
        try {
            writeFileSync(join(dir, "Pulumi.qa.yaml"), devStackYaml());
            const { code, stderr } = rehearse("--stack", "qa", "--dir", dir);
            assert.equal(code, 1);
            assert.match(
                stderr,
                /rehearse: migrate-first:migration\.directory: "examples\/shop\/migrations" is not a directory \(looked for .*examples\/shop\/migrations\), so the migrations cannot be linted; set migrate-first:migration\.directory in Pulumi\.qa\.yaml, pointing it to the folder the image's \/app\/migrations is built from; nothing was rehearsed/,
            );
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("rehearses examples/users-email release by release: expand, verify, then contract; both at once is refused", () => {
        const stepwise = rehearse(
            "--stack",
            "dev",
            "--migrations",
            "examples/users-email/migrations",
            "--releases",
            "1",
            "2",
            "3",
        );
        assert.equal(stepwise.code, 0, stepwise.stderr + stepwise.stdout);
        assert.match(stepwise.stdout, /release 3 of 3: ghcr\.io\/acme\/shop:v1\.2\.0 \[files <= 3\]/);
        assert.match(
            stepwise.stdout,
            /3 0003_drop_is_email_confirmed\.sql ghcr\.io\/acme\/shop:v1\.2\.0 \[files <= 3\]/,
        );
        const together = rehearse(
            "--stack",
            "dev",
            "--migrations",
            "examples/users-email/migrations",
            "--releases",
            "1",
            "3",
        );
        assert.equal(together.code, 1);
        assert.match(
            together.stdout,
            /0003_drop_is_email_confirmed\.sql completes 0002_add_email_verified\.sql, which arrives in this same release/,
        );
        assert.match(together.stdout, /rehearse: the sync stopped at Job shop-migrate/);
    });
});
