import { strict as assert } from "assert";
import { randomBytes } from "crypto";
import { existsSync, readFileSync, readdirSync, readlinkSync } from "fs";
import { join } from "path";
import type { ControlPlane } from "../rehearsal/cluster/control-plane";
import { requireControlPlane, startControlPlane } from "../rehearsal/cluster/control-plane";
import { requireEngines } from "./helpers/engines";
import { installArgoCdCrd } from "./helpers/argocd";
import { PulumiProject } from "./helpers/project";
import type { KubeObject } from "./helpers/rendered";
import { objectsIn, textOfTree } from "./helpers/rendered";
import type { E2eServer } from "./helpers/server";
import { learnPassword, stackConfigFor, startServer } from "./helpers/server";
import { temporaryDir } from "../rehearsal/postgres";

/** A list answer of the API server. */
interface KubeList {
    items: KubeObject[];
}

/** Every field of `expected` is in `actual` with the same value (the server may add defaults beside them). */
function assertContains(actual: unknown, expected: unknown, where: string): void {
    if (Array.isArray(expected)) {
        assert.ok(Array.isArray(actual) && actual.length === expected.length, `${where}: ${JSON.stringify(actual)}`);
        expected.forEach((item, i) => assertContains((actual as unknown[])[i], item, `${where}[${i}]`));
    } else if (typeof expected === "object" && expected !== null) {
        assert.ok(typeof actual === "object" && actual !== null, `${where}: ${JSON.stringify(actual)}`);
        for (const [key, value] of Object.entries(expected))
            assertContains((actual as Record<string, unknown>)[key], value, `${where}.${key}`);
    } else {
        assert.equal(actual, expected, where);
    }
}

/** The local addresses `pid` listens on over TCP, from /proc (hex "address:port" as the kernel writes them). */
function listening(pid: number): string[] {
    const sockets = new Set(
        readdirSync(`/proc/${pid}/fd`)
            .map((fd) => {
                try {
                    return readlinkSync(`/proc/${pid}/fd/${fd}`);
                } catch {
                    return ""; // closed since the listing
                }
            })
            .map((link) => /^socket:\[(\d+)\]$/.exec(link)?.[1])
            .filter((inode): inode is string => inode !== undefined),
    );
    return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((table) =>
        readFileSync(table, "utf8")
            .split("\n")
            .slice(1)
            .map((line) => line.trim().split(/\s+/))
            // Fields: sl, local address, remote address, state (0A: LISTEN), ..., inode (10th).
            .filter((fields) => fields[3] === "0A" && sockets.has(fields[9]))
            .map((fields) => fields[1]),
    );
}

describe("the throwaway control plane", function () {
    this.timeout(300000);

    it("fails before starting anything, naming `npm run engines`, when a binary is missing", () => {
        const empty = temporaryDir("no-engines");
        assert.throws(
            () => requireControlPlane(empty),
            /etcd, kube-apiserver, kube-controller-manager, kube-scheduler not found in .*: run `npm run engines` first/,
        );
    });

    it("listens on loopback only, answers as v1.36.3, and leaves no process or directory behind", async () => {
        requireControlPlane();
        const cluster = await startControlPlane();
        try {
            assert.match(cluster.server, /^https:\/\/127\.0\.0\.1:\d+$/);
            const version = await cluster.api.get<{ gitVersion: string; major: string; minor: string }>("/version");
            assert.deepEqual([version.gitVersion, version.major, version.minor], ["v1.36.3", "1", "36"]);
            assert.equal(cluster.pids.size, 4);
            for (const [name, pid] of cluster.pids) {
                const addresses = listening(pid);
                assert.ok(addresses.length > 0, `${name} listens on nothing`);
                for (const address of addresses) {
                    // 127.0.0.1 in /proc/net/tcp, or ::1 / ::ffff:127.0.0.1 in tcp6.
                    assert.match(
                        address,
                        /^(0100007F|00000000000000000000000001000000|0000000000000000FFFF00000100007F):/,
                        `${name} listens beyond loopback (${address})`,
                    );
                }
            }
        } finally {
            await cluster.stop();
        }
        assert.ok(!existsSync(cluster.dir), `${cluster.dir} is still there`);
        for (const [name, pid] of cluster.pids) {
            assert.ok(
                !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z "),
                `${name} still runs`,
            );
        }
    });
});

// The dev stack (delivery argocd) through the real CLI and the real kubernetes provider against
// a real kube-apiserver (etcd, controller manager and scheduler beside it), not render mode:
// the provider finds the cluster through $KUBECONFIG, as a user's current context.
describe("the dev stack, applied to a real Kubernetes API server", function () {
    this.timeout(600000);
    const adminPassword = `canary-admin-${randomBytes(6).toString("hex")}`;
    const webhook = `https://hooks.example.com/services/canary-${randomBytes(6).toString("hex")}`;
    let server: E2eServer;
    let cluster: ControlPlane;
    let project: PulumiProject;
    let outputs: Record<string, unknown>;

    before(async () => {
        requireEngines();
        requireControlPlane();
        server = await startServer(adminPassword);
        cluster = await startControlPlane();
        await installArgoCdCrd(cluster);
        project = new PulumiProject("control-plane");
        project.env.KUBECONFIG = cluster.kubeconfig;
        project.writeStack("dev", stackConfigFor("dev", server));
        await project.initStack("dev", { databaseAdminPassword: adminPassword, alertWebhookUrl: webhook });
    });
    after(async () => {
        await cluster?.stop();
        await server?.pg.stop();
    });

    it("`pulumi up` creates the namespace, NetworkPolicies, Secrets and the Application on the API server", async () => {
        const out = await project.must(["up", "--yes", "--skip-preview", "--stack", "dev"]);
        outputs = await project.outputs("dev", true);
        learnPassword(server, outputs.migratorDatabaseUrl);
        learnPassword(server, outputs.appDatabaseUrl);
        for (const type of [
            "kubernetes:core/v1:Namespace",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            "kubernetes:core/v1:Secret",
            "kubernetes:argoproj.io/v1alpha1:Application",
        ]) {
            assert.ok(out.includes(type), `pulumi up created no ${type}:\n${out}`);
        }
        const namespace = await cluster.api.get<KubeObject & { status: { phase: string } }>("/api/v1/namespaces/shop");
        assert.equal(namespace.status.phase, "Active");
        assertContains(
            namespace.metadata,
            {
                labels: {
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/enforce-version": "latest",
                },
            },
            "namespace shop",
        );
    });

    it("stores the Application and NetworkPolicies as `npm run render` writes them, Argo CD's schema pruning nothing", async () => {
        const out = join(project.home, "render-cli");
        const render = project.tool("render", ["--stack", "dev", "--out", out, "--quiet"]);
        assert.equal(render.status, 0, render.stderr);
        const rendered = objectsIn(join(out, "review"));
        const application = rendered.find((o) => o.kind === "Application");
        assert.ok(application !== undefined, "npm run render wrote no Application");
        const name = String(application.metadata?.name);
        const stored = await cluster.api.get<KubeObject>(
            `/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/${name}`,
        );
        // The CRD's structural schema drops unknown fields on write: equal specs mean none was ours.
        assert.deepEqual(stored.spec, application.spec, "the Application's spec as the API server stored it");
        assertContains(stored.metadata, application.metadata, `Application ${name}`);

        const policies = rendered.filter((o) => o.kind === "NetworkPolicy");
        assert.ok(policies.length > 0, "npm run render wrote no NetworkPolicy");
        const list = await cluster.api.get<KubeList>("/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies");
        assert.deepEqual(
            list.items.map((o) => o.metadata?.name).sort(),
            policies.map((o) => o.metadata?.name).sort(),
            "the NetworkPolicies in namespace shop",
        );
        for (const policy of policies) {
            const twin = list.items.find((o) => o.metadata?.name === policy.metadata?.name);
            // The server fills defaults (a port's protocol TCP): ours must all be there, unchanged.
            assertContains(
                twin,
                { metadata: policy.metadata, spec: policy.spec },
                `NetworkPolicy ${String(policy.metadata?.name)}`,
            );
        }
    });

    it("stores the credentials Secrets with the URLs the stack exports and the webhook", async () => {
        const decoded = async (name: string) => {
            const secret = await cluster.api.get<KubeObject & { type: string; data: Record<string, string> }>(
                `/api/v1/namespaces/shop/secrets/${name}`,
            );
            assert.equal(secret.type, "Opaque", name);
            return Object.fromEntries(
                Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
            );
        };
        assert.equal((await decoded("db-credentials")).url, outputs.appDatabaseUrl);
        assert.equal((await decoded("db-migrator-credentials")).url, outputs.migratorDatabaseUrl);
        assert.equal((await decoded("shop-alert-webhook")).url, webhook);
        // The URL names the host pods reach (database.clusterHost), not the one Pulumi used.
        assert.match(String(outputs.appDatabaseUrl), /@postgres\.databases\.svc\.cluster\.local:/);
    });

    it("keeps every Secret's data out of the state, in plain text and in base64", async () => {
        const exported = await project.must(["stack", "export", "--stack", "dev"]);
        const files = textOfTree(join(project.home, "state"));
        const values = [
            adminPassword,
            webhook,
            String(outputs.appDatabaseUrl),
            String(outputs.migratorDatabaseUrl),
            ...[...server.passwords].filter(([role]) => role.startsWith("shop_")).map(([, password]) => password),
        ];
        assert.equal(values.length, 6);
        for (const value of values) {
            for (const form of [value, Buffer.from(value).toString("base64")]) {
                assert.ok(!exported.includes(form), "a secret is in `pulumi stack export`");
                assert.ok(!files.includes(form), "a secret is in the backend's files");
            }
        }
        // Each Secret as the state holds it: wherever its data sits (the inputs, into which the
        // provider's check folds stringData as base64 data; the outputs, and the copy of the
        // inputs it keeps there), it is ciphertext.
        const deployment = JSON.parse(exported) as {
            deployment: { resources: ({ type: string; urn: string } & Record<string, unknown>)[] };
        };
        const secrets = deployment.deployment.resources.filter((r) => r.type === "kubernetes:core/v1:Secret");
        assert.equal(secrets.length, 3);
        const isCiphertext = (value: unknown) => typeof value === "object" && value !== null && "ciphertext" in value;
        const dataFields = (value: unknown, path: string): [string, unknown][] =>
            typeof value !== "object" || value === null || isCiphertext(value)
                ? []
                : Object.entries(value).flatMap(([key, child]) =>
                      key === "data" || key === "stringData"
                          ? [[`${path}.${key}`, child] as [string, unknown]]
                          : dataFields(child, `${path}.${key}`),
                  );
        for (const secret of secrets) {
            const fields = dataFields({ inputs: secret.inputs, outputs: secret.outputs }, "");
            assert.ok(
                fields.some(([path]) => path === ".outputs.data"),
                `${secret.urn}: no data output`,
            );
            for (const [path, value] of fields) assert.ok(isCiphertext(value), `${secret.urn}${path} is not a secret`);
        }
    });

    it("changes nothing on a second `pulumi up` (the cluster's defaults are no diff)", async () => {
        await project.must(["up", "--yes", "--skip-preview", "--expect-no-changes", "--stack", "dev"]);
    });
});
