import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { podProblems, podTier, types } from "../policy/checks";
import { buildWorkload } from "../manifests";
import { loadRuntimeScripts } from "../runtime";
import { parseSpec, SpecError } from "../environment-schema";
import { specFromConfig, stackTierOrigin } from "../stacks";
import { AppEnvironment } from "../components";
import { runProgram, stackConfig } from "./helpers/program";
import { registered } from "./helpers/pulumi-mocks";
import { scratchDir } from "./helpers/scratch";
import { specInput, validSpec } from "./helpers/specs";
import { migrateFirst } from "./helpers/cli";

const root = join(__dirname, "..");
const plain = () => false;
const devEntries = {
    "migrate-first:app": { name: "shop", image: "ghcr.io/acme/shop:main" },
    "migrate-first:database": { host: "db.internal" },
    "migrate-first:argocd": { repoURL: "https://github.com/acme/gitops.git" },
};
const qaOrigin =
    'tier "prod", because the stack name "qa" is none of dev, staging, prod or pr-<number>, so the strictest tier applies; to choose another: pulumi config set migrate-first:tier staging';

function problems(run: () => unknown): string {
    try {
        run();
    } catch (error) {
        assert.ok(error instanceof SpecError, String(error));
        return error.message;
    }
    assert.fail("expected a SpecError");
}

/** pulumi.log's info and warn lines while `run` lasts. */
async function logged(run: () => Promise<unknown>): Promise<string[]> {
    const lines: string[] = [];
    const log = pulumi.log as { info: (m: string) => Promise<void>; warn: (m: string) => Promise<void> };
    const { info, warn } = log;
    log.info = (message: string) => Promise.resolve(void lines.push(`info: ${message}`));
    log.warn = (message: string) => Promise.resolve(void lines.push(`warn: ${message}`));
    try {
        await run();
    } finally {
        Object.assign(log, { info, warn });
    }
    return lines;
}

describe("tiers that say where they come from", function () {
    this.timeout(60000);

    it("says which tier, why and how to choose another, for each way a stack gets one", () => {
        const origin = (stack: string, extra: Record<string, unknown> = {}) =>
            stackTierOrigin({ stack, entries: { ...devEntries, ...extra }, isSecret: plain });
        assert.equal(origin("qa"), qaOrigin);
        assert.equal(
            origin("staging"),
            'tier "staging", because the stack is named "staging"; to choose another: pulumi config set migrate-first:tier <dev, staging, prod>',
        );
        assert.equal(
            origin("qa", { "migrate-first:tier": "dev" }),
            'tier "dev", as the config\'s tier says; to choose another: pulumi config set migrate-first:tier <dev, staging, prod>',
        );
    });

    it("names the tier and why in the error of a dev stack file copied to another name, and in render's first line", () => {
        const dir = scratchDir("tiers");
        writeFileSync(join(dir, "Pulumi.qa.yaml"), readFileSync(join(root, "Pulumi.dev.yaml"), "utf8"));
        const run = migrateFirst(["render", "--dir", dir, "--stack", "qa", "--out", join(dir, "out")], {
            cwd: root,
            encoding: "utf8",
        });
        assert.equal(run.status, 1);
        assert.equal(run.stdout.split("\n")[0], `render: stack qa: ${qaOrigin}`);
        assert.match(
            run.stderr,
            /migrate-first:migration\.statementTimeout: "10min" must be shorter than migration\.activeDeadlineSeconds \(300 s\).*\(the prod preset's value; set your own to change it\)/,
        );
        assert.ok(run.stderr.trimEnd().endsWith(`\n  (${qaOrigin})`), run.stderr);
    });

    it("refuses a tier below the stack name's without a written reason; with one, warns and exports it", async () => {
        const prodConfig = stackConfig("prod", { "migrate-first:tier": "dev" });
        const refused = await runProgram(prodConfig, { stack: "prod" });
        assert.ok(refused.error instanceof Error);
        assert.match(
            refused.error.message,
            /migrate-first:tier: "dev" is below "prod", the tier the stack name "prod" implies: it drops that tier's rules \(pinned images; in prod also the database's protection, the promotion gate and manual pruning\); give the reason in tierReason \(a sentence\), or remove tier/,
        );
        assert.equal(refused.resources.filter((r) => r.type !== "pulumi:pulumi:StackReference").length, 0);

        const reason = "load test of the prod shape for incident 4711, torn down after";
        const { outputs, logs: lines } = await runProgram(
            { ...prodConfig, "migrate-first:tierReason": reason },
            { stack: "prod" },
        );
        assert.deepEqual(outputs.tierOverride, { tier: "dev", implied: "prod", reason });
        assert.ok(
            lines.includes(
                `warn: migrate-first: stack "prod" runs as tier "dev", below "prod" its name implies: ${reason}`,
            ),
            lines.join("\n"),
        );
        assert.ok(
            lines.includes(
                'info: migrate-first: stack "prod": tier "dev", as the config\'s tier says; to choose another: pulumi config set migrate-first:tier <dev, staging, prod>',
            ),
            lines.join("\n"),
        );
        assert.match(
            problems(() =>
                specFromConfig({
                    stack: "qa",
                    entries: { ...devEntries, "migrate-first:tier": "dev", "migrate-first:tierReason": reason },
                    isSecret: plain,
                }),
            ),
            /migrate-first:tierReason: .* is only for a tier below the one the stack name implies \("qa" implies none\); remove it/,
        );
        assert.equal(
            specFromConfig({ stack: "qa", entries: { ...devEntries, "migrate-first:tier": "dev" }, isSecret: plain })
                .tier,
            "dev",
            "a name that implies no tier may choose any",
        );
    });

    it("logs a library user's tier and why at preview", async () => {
        const lines = await logged(() =>
            registered(
                () =>
                    new AppEnvironment("shop", {
                        spec: specInput({ app: { name: "shop", image: "ghcr.io/acme/shop:v1.2.0" } }),
                        databaseAdminPassword: "pw",
                    }),
                { stack: "mystack" },
            ),
        );
        assert.ok(
            lines.includes(
                'info: migrate-first: shop: tier "prod", because the stack name "mystack" is none of dev, staging, prod or pr-<number>, so the strictest tier applies; to choose another: set spec.tier to staging',
            ),
            lines.join("\n"),
        );
    });

    it("holds pods in the policy pack to the stack name's tier even when their label says less", () => {
        const dev = validSpec({ tier: "dev", app: { name: "shop", image: "ghcr.io/acme/shop:main" } });
        const deployment = {
            type: types.deployment,
            name: "shop",
            props: buildWorkload(dev, loadRuntimeScripts()).deployment as unknown as Record<string, unknown>,
        };
        assert.deepEqual(
            podProblems(
                { ...deployment, urn: "urn:pulumi:dev::migrate-first::kubernetes:apps/v1:Deployment::shop" },
                "prod",
            ),
            [],
        );
        assert.equal(
            podTier(
                { ...deployment, urn: "urn:pulumi:prod::migrate-first::kubernetes:apps/v1:Deployment::shop" },
                "dev",
            ),
            "prod",
        );
        assert.match(
            podProblems(
                { ...deployment, urn: "urn:pulumi:prod::migrate-first::kubernetes:apps/v1:Deployment::shop" },
                "dev",
            ).join(),
            /image "ghcr\.io\/acme\/shop:main" has the tag "main", which can move to another build; in prod/,
        );
        assert.equal(parseSpec(specInput({ tier: "staging" }), { stack: "staging" }).tier, "staging");
    });
});

describe("tiers for a platform's self-service stack", function () {
    this.timeout(60000);
    const policy = (extra: Record<string, unknown> = {}) => ({
        directory: "environments",
        tier: "dev",
        registries: ["ghcr.io/acme/"],
        teams: ["payments", "search"],
        database: { host: "db.internal" },
        argocd: { repoURL: "https://github.com/acme/gitops.git" },
        ...extra,
    });

    it("refuses a policy tier below the stack name's without a reason, naming the policy's own keys; with one, warns and exports it", async () => {
        const refused = await runProgram(
            { "migrate-first:selfService": JSON.stringify(policy()), "migrate-first:databaseAdminPassword": "pw" },
            { stack: "prod" },
        );
        assert.ok(refused.error instanceof Error);
        assert.match(
            refused.error.message,
            /migrate-first:selfService\.tier: "dev" is below "prod", the tier the stack name "prod" implies/,
        );
        const reason = "the platform's prod cluster hosts team sandboxes until the new cluster is up";
        const { outputs, logs: lines } = await runProgram(
            {
                "migrate-first:selfService": JSON.stringify(policy({ tierReason: reason })),
                "migrate-first:databaseAdminPassword": "pw",
            },
            { stack: "prod" },
        );
        assert.deepEqual(outputs.tierOverride, { tier: "dev", implied: "prod", reason });
        assert.ok(
            lines.includes(
                `warn: migrate-first: stack "prod" runs its environments as tier "dev", below "prod" its name implies: ${reason}`,
            ),
            lines.join("\n"),
        );
    });
});
