import { strict as assert } from "assert";
import { join } from "path";
import { policies } from "../policy/policies";
import { requireEngines } from "./helpers/engines";
import { PulumiProject } from "./helpers/project";
import type { E2eServer } from "./helpers/server";
import { stackConfigFor, startServer } from "./helpers/server";

const pack = join(__dirname, "..", "policy");

// `pulumi preview --policy-pack policy`, loaded by the real CLI through the language host.
describe("the policy pack, loaded by the real Pulumi CLI", function () {
    this.timeout(600000);
    let server: E2eServer;

    before(async () => {
        requireEngines();
        server = await startServer("admin-e2e-policy");
    });
    after(async () => server?.pg.stop());

    const stacks: [string, string, Record<string, unknown>][] = [
        ["the dev stack (delivery argocd)", "dev", {}],
        ["a staging-like stack", "staging", { database: { sslmode: "disable" } }],
        ["a direct-delivery stack", "dev", { delivery: "direct" }],
    ];
    for (const [title, stack, extra] of stacks) {
        it(`passes ${title}`, async () => {
            const project = new PulumiProject(`policy-${stack}`);
            project.writeStack(
                stack,
                stackConfigFor(stack, server, {
                    kubernetes: { renderDirectory: join(project.home, "rendered") },
                    ...extra,
                }),
            );
            await project.initStack(stack, { databaseAdminPassword: server.adminPassword });
            const out = await project.must(["preview", "--stack", stack, "--policy-pack", pack]);
            assert.match(out, /Policies:\s+✅ migrate-first@v[\d.]+ \(local: /);
        });
    }

    const mandatory = policies.map((p) => p.name);
    it("holds five mandatory policies, each proven below", () => {
        assert.deepEqual(mandatory, [
            "schema-first",
            "migration-job",
            "no-plain-credentials",
            "restricted-pods",
            "argocd-application",
        ]);
    });

    for (const name of mandatory) {
        it(`fails a program that breaks ${name}, naming it`, async () => {
            const project = new PulumiProject(`policy-breaks-${name}`, "e2e/fixtures/policy-variants");
            project.writeStack(
                "dev",
                { breaks: name, renderDirectory: join(project.home, "rendered") },
                "policy-variants",
            );
            await project.must(["stack", "init", "dev"]);
            const result = await project.pulumi(["preview", "--stack", "dev", "--policy-pack", pack]);
            assert.notEqual(result.status, 0, result.stdout);
            const violations = [...result.stdout.matchAll(/\[mandatory\]\s+(\S+)/g)].map((m) => m[1]);
            assert.deepEqual([...new Set(violations)], [name], result.stdout);
        });
    }

    it("passes the same program when it breaks nothing", async () => {
        const project = new PulumiProject("policy-breaks-nothing", "e2e/fixtures/policy-variants");
        project.writeStack(
            "dev",
            { breaks: "nothing", renderDirectory: join(project.home, "rendered") },
            "policy-variants",
        );
        await project.must(["stack", "init", "dev"]);
        await project.must(["preview", "--stack", "dev", "--policy-pack", pack]);
    });
});
