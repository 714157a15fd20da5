import { strict as assert } from "assert";
import { cpSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { removeDir, temporaryDir } from "../rehearsal/postgres";
import { migrateFirst } from "./helpers/cli";

// The one command, from its sources: subcommands, help, version and exit codes.
const root = join(__dirname, "..");

function cli(...args: string[]) {
    const run = migrateFirst([...args], { cwd: root, encoding: "utf8", timeout: 60000 });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("the migrate-first command", function () {
    this.timeout(120000);
    let dir: string;
    before(() => {
        dir = temporaryDir("cli");
        // Two warnings (a 32-bit key, a varchar limit), no error.
        writeFileSync(join(dir, "0001_t.sql"), "CREATE TABLE t (id int PRIMARY KEY, name varchar(10));\n");
    });
    after(() => removeDir(dir));

    it("lists render, rehearse and lint in its help, each with a help of its own", () => {
        const help = cli("--help");
        assert.equal(help.code, 0);
        for (const command of ["render", "rehearse", "lint"]) {
            assert.match(help.stdout, new RegExp(`^  ${command} `, "m"));
            const own = cli(command, "--help");
            assert.equal(own.code, 0, own.stderr);
            assert.match(own.stdout, new RegExp(`^Usage: migrate-first ${command} `, "m"));
        }
    });

    it("prints the package's version", () => {
        const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
        assert.equal(cli("--version").stdout.trim(), version);
    });

    it("refuses an unknown subcommand, saying how to get help", () => {
        const run = cli("deploy");
        assert.notEqual(run.code, 0);
        assert.match(run.stderr, /unknown command 'deploy'/);
        assert.match(run.stderr, /--help/);
    });

    it("rehearse --control-plane refuses a direct-delivery stack before anything starts: Argo CD's engine is not what applies it", () => {
        const project = temporaryDir("cli-direct");
        try {
            cpSync(join(root, "examples"), join(project, "examples"), { recursive: true });
            const dev = readFileSync(join(root, "Pulumi.dev.yaml"), "utf8");
            writeFileSync(join(project, "Pulumi.dev.yaml"), `${dev}\n  migrate-first:delivery: direct\n`);
            const run = cli("rehearse", "--stack", "dev", "--dir", project, "--control-plane");
            assert.equal(run.code, 1, run.stdout + run.stderr);
            assert.match(run.stderr, /delivery "direct": pulumi up applies its workload/);
            assert.doesNotMatch(run.stdout, /starting an embedded Postgres/);
        } finally {
            removeDir(project);
        }
    });

    it("lint: warnings pass by default, and fail past --max-warnings", () => {
        const plain = cli("lint", dir);
        assert.equal(plain.code, 0, plain.stdout);
        assert.match(plain.stdout, /0 error\(s\), 2 warning\(s\)/);
        assert.equal(cli("lint", dir, "--max-warnings", "2").code, 0);
        const strict = cli("lint", dir, "--max-warnings", "1");
        assert.equal(strict.code, 1);
        assert.match(strict.stdout, /lint: 2 warning\(s\), more than --max-warnings 1/);
        const bad = cli("lint", dir, "--max-warnings", "some");
        assert.notEqual(bad.code, 0);
        assert.match(bad.stderr, /give a whole number of warnings/);
    });

    it("lint: a missing directory is a usage error (2), not a clean run", () => {
        const run = cli("lint", join(dir, "nope"));
        assert.equal(run.code, 2);
        assert.match(run.stderr, /^lint: .*nope does not exist; give the directory of your migration files/m);
    });
});
