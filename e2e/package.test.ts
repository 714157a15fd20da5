import { strict as assert } from "assert";
import { readdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { temporaryDir } from "../rehearsal/postgres";
import { installPacked, repo, run, succeed } from "./helpers/packed";

// The package as a user consumes it: packed, installed from the tarball into a project of its own,
// with no access to this repository's sources.

/** Every ```ts block of the README, in order. */
function readmeSnippets(): string[] {
    const readme = readFileSync(join(repo, "README.md"), "utf8");
    return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

// Runs the compiled program under the SDK's mocks and prints what it registered.
const mockRunner = `
const pulumi = require("@pulumi/pulumi");
const registered = [];
pulumi.runtime.setMocks(
    {
        newResource: (args) => {
            registered.push({ type: args.type, name: args.name });
            return { id: args.name + "-id", state: args.type.startsWith("random:") ? { ...args.inputs, result: "pw" } : args.inputs };
        },
        call: (args) => args.inputs,
    },
    "consumer",
    "dev",
    false,
);
process.on("beforeExit", () => {
    process.stdout.write(JSON.stringify(registered));
});
require(process.argv[2]);
`;

describe("the packed package, as a new project installs and uses it", function () {
    this.timeout(900000);
    const home = temporaryDir("e2e-package");
    let consumer = "";

    before(() => {
        consumer = installPacked(repo, home, ["typescript@5", "@types/node@20"]);
    });

    it("ships the compiled library, its declarations and the runtime scripts, not the sources or tests", () => {
        const pkg = join(consumer, "node_modules/migrate-first");
        const top = readdirSync(pkg).sort();
        assert.deepEqual(top, ["README.md", "dist", "package.json", "pulumi-package"]);
        // The component package other Pulumi languages add (e2e/component-package.test.ts): its
        // manifest and schema entry; what runs is the compiled library under dist/.
        assert.deepEqual(readdirSync(join(pkg, "pulumi-package")).sort(), [
            "PulumiPlugin.yaml",
            "index.ts",
            "package-lock.json",
            "package.json",
            "tsconfig.json",
        ]);
        const runtime = readdirSync(join(pkg, "dist/runtime"));
        for (const script of ["migrate.sh", "lib.sh", "wait-for-db.sh", "smoke-check.sh", "alert.sh"])
            assert.ok(runtime.includes(script), `dist/runtime lacks ${script}: ${runtime.join(", ")}`);
        assert.ok(readdirSync(join(pkg, "dist")).includes("library.d.ts"));
        assert.ok(!readdirSync(join(pkg, "dist")).includes("test"));
    });

    it("compiles every TypeScript snippet of the README against the installed package, strictly", () => {
        const snippets = readmeSnippets();
        assert.ok(snippets.length > 0, "the README has no ```ts snippet");
        snippets.forEach((code, i) => writeFileSync(join(consumer, `snippet${i}.ts`), code));
        writeFileSync(
            join(consumer, "tsconfig.json"),
            JSON.stringify({
                compilerOptions: {
                    target: "ES2022",
                    module: "commonjs",
                    strict: true,
                    esModuleInterop: true,
                    outDir: "out",
                    types: ["node"],
                },
                include: snippets.map((_, i) => `snippet${i}.ts`),
            }),
        );
        succeed(join(consumer, "node_modules/.bin/tsc"), ["-p", "."], consumer);
    });

    it("runs the README's program under the SDK's mocks: one AppEnvironment and what it owns", () => {
        writeFileSync(join(consumer, "mock-runner.js"), mockRunner);
        // The mocks' config, as the engine would pass it.
        const config = { PULUMI_CONFIG: JSON.stringify({ "consumer:databaseAdminPassword": "x" }) };
        const result = run(process.execPath, ["mock-runner.js", "./out/snippet0.js"], consumer, config);
        assert.equal(result.status, 0, result.stderr);
        const registered = JSON.parse(result.stdout.slice(result.stdout.lastIndexOf("[{"))) as {
            type: string;
            name: string;
        }[];
        const types = registered.map((r) => r.type);
        assert.ok(types.includes("migrate-first:env:AppEnvironment"), types.join("\n"));
        for (const type of [
            "postgresql:index/role:Role",
            "kubernetes:core/v1:Secret",
            "kubernetes:argoproj.io/v1alpha1:Application",
        ])
            assert.ok(types.includes(type), `no ${type} among:\n${types.join("\n")}`);
    });

    it("loads the pure builders from their subpaths without loading Pulumi", () => {
        for (const subpath of ["manifests", "sync-plan", "lint", "environment-schema"]) {
            const out = succeed(
                process.execPath,
                [
                    "-e",
                    `const m = require("migrate-first/${subpath}");
                     const pulumi = Object.keys(require.cache).filter((k) => k.includes("@pulumi"));
                     console.log(JSON.stringify({ exports: Object.keys(m).length, pulumi: pulumi.length }));`,
                ],
                consumer,
            );
            const loaded = JSON.parse(out) as { exports: number; pulumi: number };
            assert.ok(loaded.exports > 0, `migrate-first/${subpath} exports nothing`);
            assert.equal(loaded.pulumi, 0, `migrate-first/${subpath} loaded ${loaded.pulumi} Pulumi module(s)`);
        }
    });

    it("runs `npx migrate-first lint migrations/` in the project: clean files pass, a blocking one fails", () => {
        const clean = run("npx", ["--no-install", "migrate-first", "lint", "migrations"], consumer);
        assert.equal(clean.status, 0, clean.stdout + clean.stderr);
        assert.match(clean.stdout, /3 file\(s\), \d+ statement\(s\): 0 error\(s\)/);
        writeFileSync(
            join(consumer, "migrations/0004_index.sql"),
            "CREATE INDEX customers_name ON customers (name);\n",
        );
        const blocking = run("npx", ["--no-install", "migrate-first", "lint", "migrations"], consumer);
        assert.equal(blocking.status, 1, blocking.stdout + blocking.stderr);
        assert.match(blocking.stdout, /0004_index\.sql:1:1 .*error/);
        const help = run("npx", ["--no-install", "migrate-first", "--help"], consumer);
        assert.match(help.stdout, /render[\s\S]*rehearse[\s\S]*lint/);
    });
});
