import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { registered, ofType, reveal } from "./helpers/pulumi-mocks";
import * as pulumi from "@pulumi/pulumi";

const root = join(__dirname, "..");
const programPath = require.resolve("../index");

// Pulumi hands the program its config as text: objects as JSON.
function devConfig(extra: Record<string, string> = {}): Record<string, string> {
    const file = parse(readFileSync(join(root, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(file.config)) config[key] = typeof value === "string" ? value : JSON.stringify(value);
    return { ...config, "migrate-first:databaseAdminPassword": "program-canary-pw", ...extra };
}

function runProgram(config: Record<string, string>, secretKeys = ["migrate-first:databaseAdminPassword"]) {
    let outputs: Record<string, unknown> = {};
    let error: unknown;
    return registered(() => {
        delete require.cache[programPath];
        try {
            outputs = require(programPath) as Record<string, unknown>;
        } catch (e) {
            error = e;
        }
    }, { stack: "dev", config, secretKeys }).then((resources) => ({ resources, outputs, error }));
}

describe("the Pulumi program (index.ts) on the dev stack's config", () => {
    it("builds the dev environment from Pulumi.dev.yaml with the dev preset, and exports the sync plan", async () => {
        const { resources, outputs, error } = await runProgram(devConfig());
        assert.equal(error, undefined);
        assert.equal(ofType(resources, "migrate-first:env:AppEnvironment").length, 1);
        assert.equal(outputs.image, "ghcr.io/acme/shop:v1.2.0");
        const plan = outputs.syncPlan as { step: number; phase: string; kind: string; name: string }[];
        assert.deepEqual(plan.map((r) => `${r.step} ${r.phase} ${r.kind}`), ["1 PreSync ConfigMap", "1 PreSync Job", "2 Sync Service", "2 Sync Deployment", "3 PostSync Job", "4 SyncFail Job"]);
        const url = await reveal(outputs.appDatabaseUrl as pulumi.Output<string>);
        assert.equal(url.secret, true, "the exported URL is secret");
        assert.match(url.value, /@postgres\.databases\.svc\.cluster\.local:5432\/shop\?sslmode=disable$/, "pods get the cluster host");
    });

    it("fails before creating anything when the config is bad, naming the config keys", async () => {
        const config = devConfig({ "migrate-first:app": JSON.stringify({ name: "shop", image: "myapp/api" }), "migrate-first:delivery": "flux" });
        const { resources, error } = await runProgram(config);
        assert.deepEqual(resources, []);
        assert.ok(pulumi.RunError.isInstance(error), "a RunError: Pulumi shows the message without a stack trace");
        assert.match(String((error as Error).message), /migrate-first:app\.image: "myapp\/api" has no tag or digest/);
        assert.match(String((error as Error).message), /migrate-first:delivery: "flux" is not allowed/);
    });

    it("refuses an admin password stored in plain text", async () => {
        const { resources, error } = await runProgram(devConfig(), []);
        assert.deepEqual(resources, []);
        assert.match(String(error), /migrate-first:databaseAdminPassword: is stored in plain text; set it with: pulumi config set --secret databaseAdminPassword <value>/);
        assert.ok(!String(error).includes("program-canary-pw"));
    });
});
