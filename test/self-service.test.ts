import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import type { StackConfig } from "../stacks";
import { readStackFile, selfServiceEnvironments } from "../stacks";
import { created, runProgram, stackConfig } from "./helpers/program";
import { ofType } from "./helpers/pulumi-mocks";
import { scratchDir } from "./helpers/scratch";
import { migrateFirst } from "./helpers/cli";

const root = join(__dirname, "..");

const policy = (directory: string) => ({
    directory,
    registries: ["ghcr.io/acme/"],
    teams: ["payments", "search"],
    database: { host: "postgres.platform.internal", sslmode: "require" },
    argocd: { repoURL: "https://github.com/acme/gitops.git" },
});

const good = (team: string, app: string, extra = "") =>
    `app: ${app}\nteam: ${team}\nimage: ghcr.io/acme/${app}:v1.0.0\n${extra}`;

/** Beside a request file, the migrations the platform's gate lints (SQL mode). */
function migrationsBeside(dir: string, requestFile: string): void {
    const folder = join(dir, requestFile.replace(/\.ya?ml$/, ""), "migrations");
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "0001_create_items.sql"), "CREATE TABLE items (id bigint PRIMARY KEY);\n");
}

/** A folder of request files, each with its migrations; returns it. */
function requests(files: Record<string, string>): string {
    const dir = scratchDir("requests");
    for (const [name, text] of Object.entries(files)) {
        writeFileSync(join(dir, name), text);
        migrationsBeside(dir, name);
    }
    return dir;
}

const platform = (dir: string, extra: Record<string, unknown> = {}): StackConfig => ({
    stack: "platform",
    entries: { "migrate-first:selfService": { ...policy(dir), ...extra } },
    isSecret: () => false,
});

function refusal(run: () => unknown): string {
    try {
        run();
    } catch (error) {
        return error instanceof Error ? error.message : String(error);
    }
    assert.fail("expected the request files to be refused");
}

describe("platform self-service: environments from request files", () => {
    it("turns the example folder into specs under the platform's policy: team namespaces, sizes, Git paths", () => {
        const envs = selfServiceEnvironments(readStackFile(root, "platform"), root);
        assert.deepEqual(
            envs.map((e) => [e.file, e.key, e.spec.app.namespace, e.spec.database.name, e.spec.argocd.path]),
            [
                [
                    "environments/payments-checkout.yaml",
                    "payments-checkout",
                    "payments-checkout",
                    "payments_checkout",
                    "teams/payments/checkout",
                ],
                [
                    "environments/search-indexer.yaml",
                    "search-indexer",
                    "search-indexer",
                    "search_indexer",
                    "teams/search/indexer",
                ],
            ],
        );
        const [checkout, indexer] = envs;
        assert.deepEqual(
            [checkout?.spec.app.replicas, checkout?.spec.app.resources.limits.memory, checkout?.spec.app.healthPath],
            [3, "1Gi", "/healthz"],
            "size medium",
        );
        assert.deepEqual(
            [
                indexer?.spec.app.replicas,
                indexer?.spec.app.resources.limits.memory,
                indexer?.spec.database.roles,
                indexer?.spec.migration.mode,
            ],
            [1, "256Mi", "single", "command"],
        );
        assert.notEqual(
            checkout?.spec.environment,
            indexer?.spec.environment,
            "two teams' Applications never share a name",
        );
    });

    it("names the file, the field, the value and the fix for each policy rule", () => {
        const dir = requests({
            "payments-a.yaml": good("payments", "a").replace("ghcr.io/acme/", "docker.io/someone/"),
            "ops-b.yaml": good("ops", "b"),
            "payments-c.yaml": good("payments", "c", "replicas: 5\n"),
            "payments-d.yaml": good("payments", "dd"),
            "payments-e.yaml": good("payments", "e", "imagee: x\n"),
            "payments-F.yaml": good("payments", "F"),
        });
        const message = refusal(() => selfServiceEnvironments(platform(dir), root));
        assert.match(
            message,
            /6 of 6 request file\(s\) have problems; no environment was created, not even the good ones/,
        );
        assert.match(
            message,
            /payments-a\.yaml:\n {4}- image: "docker\.io\/someone\/a:v1\.0\.0" is not from an allowed registry; push it to one of "ghcr\.io\/acme\/"/,
        );
        assert.match(
            message,
            /ops-b\.yaml:\n {4}- team: "ops" is not a team the platform knows; use one of payments, search, or ask the platform team to add it/,
        );
        assert.match(
            message,
            /payments-c\.yaml:\n {4}- replicas: 5 is more than size "small" allows \(2\); lower it, or ask for a larger size/,
        );
        assert.match(
            message,
            /payments-d\.yaml:\n {4}- the file is named for another environment; rename it to payments-dd\.yaml/,
        );
        assert.match(message, /payments-e\.yaml:\n {4}- imagee: unknown field; did you mean "image"\?/);
        assert.match(
            message,
            /payments-F\.yaml:\n {4}- app: "F" is not a valid app name/,
            "a spec problem is named by the file's own key",
        );
    });

    it("turns any stack name into valid labels: upper case, dots and underscores included", () => {
        const dir = requests({ "payments-a.yaml": good("payments", "a") });
        const [env] = selfServiceEnvironments({ ...platform(dir), stack: "Platform_EU.1" }, root);
        assert.equal(env?.spec.environment, "payments-platform-eu-1");
    });

    it("is all or nothing: one bad file among good ones stops them all, and names only the bad one", () => {
        const dir = requests({
            "payments-a.yaml": good("payments", "a"),
            "payments-b.yaml": "app: b\nteam: payments\nimage: [\n",
            "search-c.yaml": good("search", "c"),
        });
        const message = refusal(() => selfServiceEnvironments(platform(dir), root));
        assert.match(message, /1 of 3 request file\(s\) have problems/);
        assert.match(message, /payments-b\.yaml:\n {4}- is not valid YAML:/);
        assert.doesNotMatch(message, /payments-a\.yaml|search-c\.yaml/);
    });

    it("refuses a YAML alias bomb as an error instead of expanding it", () => {
        const bomb = [
            "a: &a [x, x, x, x, x, x, x, x, x, x]",
            ...Array.from(
                { length: 8 },
                (_, i) =>
                    `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
                        .fill(`*${String.fromCharCode(97 + i)}`)
                        .join(", ")}]`,
            ),
        ].join("\n");
        const dir = requests({ "payments-a.yaml": `${bomb}\n` });
        const started = Date.now();
        const message = refusal(() => selfServiceEnvironments(platform(dir), root));
        assert.ok(Date.now() - started < 2000, "refused quickly");
        assert.match(message, /payments-a\.yaml:\n {4}- is not valid YAML: .*alias/i);
    });

    it("checks the policy once, naming its config keys, and refuses other migrate-first keys beside it", () => {
        assert.match(
            refusal(() => selfServiceEnvironments(platform(requests({}), { registries: [] }), root)),
            /migrate-first:selfService\.registries: \[\] is too short; give at least 1 item/,
        );
        assert.match(
            refusal(() => selfServiceEnvironments(platform(requests({}), { database: { sslmode: "require" } }), root)),
            /migrate-first:selfService\.database\.host: is missing/,
        );
        const stray = platform(requests({}));
        assert.match(
            refusal(() =>
                selfServiceEnvironments(
                    { ...stray, entries: { ...stray.entries, "migrate-first:app": { name: "x" } } },
                    root,
                ),
            ),
            /migrate-first:app: is not used with migrate-first:selfService/,
        );
    });

    describe("the program under the mock runtime", () => {
        const config = (dir: string) => ({
            ...stackConfig("platform"),
            "migrate-first:selfService": JSON.stringify(policy(dir)),
        });

        it("creates one AppEnvironment per file, each with its own namespace and database", async () => {
            const dir = requests({
                "payments-a.yaml": good("payments", "a"),
                "search-b.yaml": good("search", "b", "size: large\nreplicas: 6\n"),
            });
            const { resources, outputs, error } = await runProgram(config(dir), { stack: "platform" });
            assert.equal(error, undefined, String(error));
            assert.deepEqual(
                ofType(resources, "migrate-first:env:AppEnvironment").map((r) => r.name),
                ["payments-a", "search-b"],
            );
            assert.deepEqual(
                ofType(resources, "postgresql:index/database:Database")
                    .map((r) => r.inputs.name)
                    .sort(),
                ["payments_a", "search_b"],
            );
            assert.equal(outputs.environmentCount, 2);
            const providers = ofType(resources, "pulumi:providers:postgresql");
            assert.equal(providers.length, 1, "one admin connection to the shared server for every environment");
            assert.equal(providers[0]?.inputs.maxConnections, "10", "providers receive their config as text");
        });

        it("creates nothing at all when one file is bad", async () => {
            const dir = requests({
                "payments-a.yaml": good("payments", "a"),
                "search-b.yaml": good("search", "b", "replicas: 99\n"),
            });
            const { resources, error } = await runProgram(config(dir), { stack: "platform" });
            assert.deepEqual(created(resources), []);
            assert.ok(pulumi.RunError.isInstance(error));
            assert.match(String(error.message), /search-b\.yaml:\n {4}- replicas: 99 is more than size "small" allows/);
        });
    });

    it("the render CLI renders a self-service stack, one folder per environment, and writes nothing when a file is bad", () => {
        const dir = scratchDir("platform");
        const envs = join(dir, "environments");
        const render = (stack: string) =>
            migrateFirst(["render", "--dir", dir, "--stack", stack, "--out", join(dir, "out")], { encoding: "utf8" });
        mkdirSync(envs);
        writeFileSync(join(envs, "payments-a.yaml"), good("payments", "a"));
        migrationsBeside(envs, "payments-a.yaml");
        writeFileSync(
            join(dir, "Pulumi.platform.yaml"),
            `config:\n  migrate-first:selfService: ${JSON.stringify(policy("environments"))}\n`,
        );
        const ok = render("platform");
        assert.equal(ok.status, 0, ok.stderr);
        assert.ok(existsSync(join(dir, "out", "payments-a", "gitops", "manifests.yaml")));
        writeFileSync(join(envs, "search-b.yaml"), good("search", "b").replace("ghcr.io", "quay.io"));
        rmSync(join(dir, "out"), { recursive: true });
        const bad = render("platform");
        assert.equal(bad.status, 1);
        assert.match(
            bad.stderr,
            /environments\/search-b\.yaml:\n {4}- image: "quay\.io\/acme\/b:v1\.0\.0" is not from an allowed registry/,
        );
        assert.ok(!existsSync(join(dir, "out")), "nothing written");
    });
});
