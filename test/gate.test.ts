import { strict as assert } from "assert";
import { mkdirSync, readdirSync, writeFileSync } from "fs";
import { join } from "path";
import { devStackYaml } from "./helpers/specs";
import { created, runProgram, stackRef } from "./helpers/program";
import { scratchDir } from "./helpers/scratch";
import { migrateFirst } from "./helpers/cli";

const root = join(__dirname, "..");

// A CLI as a user runs it: a real process, real files.
function cli(name: "render" | "rehearse", ...args: string[]) {
    const run = migrateFirst([name, ...args], { cwd: root, encoding: "utf8", timeout: 120000 });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const dropWithoutContract = "0002_drop.sql:1:1 ban-drop-column error: DROP COLUMN email from users";

/** A project holding Pulumi.qa.yaml (the dev stack's config) and a release that drops a column without a contract header. */
function projectDroppingAColumn(directoryLine = "directory: migrations"): string {
    const dir = scratchDir("gate");
    mkdirSync(join(dir, "migrations"));
    writeFileSync(
        join(dir, "migrations", "0001_users.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    );
    writeFileSync(join(dir, "migrations", "0002_drop.sql"), "ALTER TABLE users DROP COLUMN email;\n");
    writeFileSync(
        join(dir, "Pulumi.qa.yaml"),
        devStackYaml().replace("directory: examples/shop/migrations", directoryLine),
    );
    return dir;
}

describe("one migration gate for every entry point", function () {
    this.timeout(120000);

    it("refuses in the rehearsal what render refuses, with the same words, before Postgres starts", () => {
        const dir = projectDroppingAColumn();
        const rehearsal = cli("rehearse", "--dir", dir, "--stack", "qa");
        assert.equal(rehearsal.code, 1, rehearsal.stdout);
        assert.match(
            rehearsal.stderr,
            /^rehearse: 1 problem\(s\) in the migrations at .*\/migrations; nothing was rehearsed:\n {2}0002_drop\.sql:1:1 ban-drop-column error/,
        );
        assert.doesNotMatch(rehearsal.stdout, /Postgres|step 1/);
        const render = cli("render", "--dir", dir, "--stack", "qa", "--out", join(dir, "out"));
        assert.equal(render.code, 1);
        const finding = (text: string) => text.split("\n").find((line) => line.includes(dropWithoutContract));
        assert.ok(finding(render.stderr) !== undefined);
        assert.equal(finding(rehearsal.stderr), finding(render.stderr));
    });

    it("lints the files --migrations names in the rehearsal, naming the option when they are missing", () => {
        const rehearsal = cli("rehearse", "--stack", "dev", "--migrations", "examples/nope");
        assert.equal(rehearsal.code, 1);
        assert.match(
            rehearsal.stderr,
            /^rehearse: --migrations: "examples\/nope" is not a directory \(looked for .*\/examples\/nope\), so the migrations cannot be linted; give --migrations to the folder the image's \/app\/migrations is built from; nothing was rehearsed/,
        );
    });

    it("refuses to render a SQL-mode stack whose migration.directory is misspelt, naming the key and the likely folder, and writes nothing", () => {
        const dir = projectDroppingAColumn("directory: migration");
        const { code, stdout, stderr } = cli("render", "--dir", dir, "--stack", "qa", "--out", join(dir, "out"));
        assert.equal(code, 1, stdout);
        assert.equal(
            stderr.trim(),
            `render: migrate-first:migration.directory: "migration" is not a directory (looked for ${join(dir, "migration")}), so the migrations cannot be linted; did you mean "migrations"? set migrate-first:migration.directory in Pulumi.qa.yaml, pointing it to the folder the image's /app/migrations is built from; nothing was written`,
        );
        assert.ok(!readdirSync(dir).includes("out"), "nothing written");
    });

    it("refuses at preview a stack whose migration.directory is missing, naming the config key", async () => {
        const { stackConfig } = await import("./helpers/program");
        const config = stackConfig("dev", {
            "migrate-first:migration": JSON.stringify({ directory: "examples/shop/migratoins" }),
        });
        const { resources, error } = await runProgram(config);
        assert.ok(error instanceof Error);
        assert.match(
            error.message,
            /^migrate-first:migration\.directory: "examples\/shop\/migratoins" is not a directory .* did you mean "examples\/shop\/migrations"\? set it with: pulumi config set --path 'migrate-first:migration\.directory' <dir>, pointing it to the folder .*; nothing was created$/,
        );
        assert.equal(resources.filter((r) => r.type !== "pulumi:pulumi:StackReference").length, 0);
    });

    it("lints every self-service request's migrations before any environment, in the program and in render", async () => {
        const dir = scratchDir("gate-platform");
        mkdirSync(join(dir, "environments", "payments-checkout", "migrations"), { recursive: true });
        writeFileSync(
            join(dir, "environments", "payments-checkout.yaml"),
            "app: checkout\nteam: payments\nimage: ghcr.io/acme/checkout:v1.0.0\n",
        );
        writeFileSync(
            join(dir, "environments", "payments-checkout", "migrations", "0001_users.sql"),
            "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
        );
        writeFileSync(
            join(dir, "environments", "payments-checkout", "migrations", "0002_drop.sql"),
            "ALTER TABLE users DROP COLUMN email;\n",
        );
        writeFileSync(
            join(dir, "environments", "search-indexer.yaml"),
            "app: indexer\nteam: search\nimage: ghcr.io/acme/indexer:v1.0.0\n",
        );
        const policy = {
            registries: ["ghcr.io/acme/"],
            teams: ["payments", "search"],
            database: { host: "postgres.platform.internal" },
            argocd: { repoURL: "https://github.com/acme/gitops.git" },
        };
        writeFileSync(
            join(dir, "Pulumi.platform.yaml"),
            `config:\n  migrate-first:selfService: ${JSON.stringify(policy)}\n`,
        );
        const render = cli("render", "--dir", dir, "--stack", "platform", "--out", join(dir, "out"));
        assert.equal(render.code, 1, render.stdout);
        assert.match(
            render.stderr,
            /2 of 2 request file\(s\) have problems; no environment was created, not even the good ones/,
        );
        assert.ok(
            render.stderr.includes(
                `environments/payments-checkout.yaml:\n    - in the migrations at ${join(dir, "environments/payments-checkout/migrations")}: ${dropWithoutContract}`,
            ),
            render.stderr,
        );
        assert.ok(
            render.stderr.includes(
                `environments/search-indexer.yaml:\n    - migration.directory: "environments/search-indexer/migrations" is not a directory`,
            ),
            render.stderr,
        );
        assert.ok(!readdirSync(dir).includes("out"), "nothing written");

        const cwd = process.cwd();
        process.chdir(dir);
        try {
            const { resources, error } = await runProgram(
                { "migrate-first:selfService": JSON.stringify(policy), "migrate-first:databaseAdminPassword": "pw" },
                { stack: "platform" },
            );
            assert.ok(error instanceof Error);
            assert.ok(error.message.includes(dropWithoutContract), error.message);
            assert.deepEqual(created(resources), []);
        } finally {
            process.chdir(cwd);
        }
    });

    it("checks each self-service environment's contracts against what the stack shipped to it last, as a stack's", async () => {
        const dir = scratchDir("gate-contracts");
        const migrations = join(dir, "environments", "payments-checkout", "migrations");
        mkdirSync(migrations, { recursive: true });
        writeFileSync(
            join(dir, "environments", "payments-checkout.yaml"),
            "app: checkout\nteam: payments\nimage: ghcr.io/acme/checkout:v2.0.0\n",
        );
        writeFileSync(
            join(migrations, "0001_users.sql"),
            "CREATE TABLE users (id bigint PRIMARY KEY, email text, is_email_confirmed boolean);\n",
        );
        writeFileSync(
            join(migrations, "0002_add_verified.sql"),
            "ALTER TABLE users ADD COLUMN email_verified boolean;\n",
        );
        writeFileSync(
            join(migrations, "0003_drop_confirmed.sql"),
            "-- migrate-first: contract completes 2\nALTER TABLE users DROP COLUMN is_email_confirmed;\n",
        );
        const policy = {
            registries: ["ghcr.io/acme/"],
            teams: ["payments"],
            database: { host: "postgres.platform.internal" },
            argocd: { repoURL: "https://github.com/acme/gitops.git" },
        };
        const config = {
            "migrate-first:selfService": JSON.stringify(policy),
            "migrate-first:databaseAdminPassword": "pw",
        };
        const cwd = process.cwd();
        process.chdir(dir);
        try {
            const fresh = await runProgram(config, { stack: "platform" });
            assert.equal(fresh.error, undefined, String(fresh.error));
            const environments = fresh.outputs.environments as Record<string, { migrationVersions?: string[] }>;
            assert.deepEqual(
                environments["payments-checkout"]?.migrationVersions,
                ["1", "2", "3"],
                "a new database takes the whole history; the versions are exported",
            );

            const shipped = {
                environments: {
                    "payments-checkout": { image: "ghcr.io/acme/checkout:v1.0.0", migrationVersions: ["1"] },
                },
            };
            const { resources, error } = await runProgram(config, {
                stack: "platform",
                stackOutputs: { [stackRef("platform")]: shipped },
            });
            assert.ok(error instanceof Error);
            assert.ok(
                error.message.includes("environments/payments-checkout.yaml:\n    - in the migrations at "),
                error.message,
            );
            assert.ok(
                error.message.includes(
                    "0003_drop_confirmed.sql completes 0002_add_verified.sql, which arrives in this same release (ghcr.io/acme/checkout:v2.0.0): the old version still running needs what the expand keeps — deploy a release with 0002_add_verified.sql alone",
                ),
                error.message,
            );
            assert.deepEqual(created(resources), []);
        } finally {
            process.chdir(cwd);
        }
    });
});
