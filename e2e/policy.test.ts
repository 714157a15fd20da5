import { strict as assert } from "assert";
import { join } from "path";
import { policies } from "../policy/policies";
import type { ControlPlane } from "../rehearsal/cluster/control-plane";
import { requireControlPlane, startControlPlane } from "../rehearsal/cluster/control-plane";
import { requireEngines } from "./helpers/engines";
import { installArgoCdCrd } from "./helpers/argocd";
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

// The same pack on what the real kubernetes provider sends a real API server (no render
// directory): the provider's server-side dry-run in a preview, and the objects an up applies.
describe("the policy pack, on stacks the real kubernetes provider applies to a real API server", function () {
    this.timeout(600000);
    let server: E2eServer;
    let cluster: ControlPlane;

    before(async () => {
        requireEngines();
        requireControlPlane();
        server = await startServer("admin-e2e-policy-applied");
        // Storing objects needs no controller; Argo CD's namespace and Application CRD, as an
        // install of Argo CD leaves them, for the dev stack's Application.
        cluster = await startControlPlane({ controllers: false });
        await installArgoCdCrd(cluster);
    });
    after(async () => {
        await cluster?.stop();
        await server?.pg.stop();
    });

    const project = async (purpose: string, extra: Record<string, unknown>) => {
        const p = new PulumiProject(purpose);
        p.env.KUBECONFIG = cluster.kubeconfig;
        p.writeStack("dev", stackConfigFor("dev", server, extra));
        await p.initStack("dev", { databaseAdminPassword: server.adminPassword });
        return p;
    };

    it("passes `pulumi preview` of a direct-delivery stack, the Job and Deployment dry-run by the API server", async () => {
        const p = await project("policy-applied-direct", { delivery: "direct" });
        const out = await p.must(["preview", "--stack", "dev", "--policy-pack", pack]);
        assert.match(out, /Policies:\s+✅ migrate-first@v[\d.]+ \(local: /);
        for (const type of ["kubernetes:batch/v1:Job", "kubernetes:apps/v1:Deployment"])
            assert.ok(out.includes(type), `the preview checked no ${type}:\n${out}`);
        // A preview applies nothing.
        const namespace = await cluster.api.request("GET", "/api/v1/namespaces/shop");
        assert.equal(namespace.status, 404, namespace.text);
    });

    it("passes `pulumi up` of the dev stack (delivery argocd), and the objects it checked are stored", async () => {
        const p = await project("policy-applied-argocd", {});
        const out = await p.must(["up", "--yes", "--skip-preview", "--stack", "dev", "--policy-pack", pack]);
        assert.match(out, /Policies:\s+✅ migrate-first@v[\d.]+ \(local: /);
        const applications = await cluster.api.get<{ items: unknown[] }>(
            "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications",
        );
        assert.equal(applications.items.length, 1, "the Application was not stored");
        const policies = await cluster.api.get<{ items: unknown[] }>(
            "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies",
        );
        assert.ok(policies.items.length > 0, "no NetworkPolicy was stored");
    });
});
