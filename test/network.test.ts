import { strict as assert } from "assert";
import { databaseClients, networkPolicies } from "../manifests";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { EnvironmentSpecInput } from "../environment-schema";
import type { Pod } from "./helpers/network-policy";
import { allowed, policyProblems, policyTypes } from "./helpers/network-policy";
import { validateAgainstSchema } from "./helpers/kube-schemas";
import { validSpec } from "./helpers/specs";

const pod = (component: string, namespace = "shop"): Pod => ({
    namespace,
    labels: { "app.kubernetes.io/name": "shop", "app.kubernetes.io/component": component },
});
const dnsPod: Pod = { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } };
const ingress: Pod = { namespace: "ingress-nginx", labels: { "app.kubernetes.io/name": "ingress-nginx" } };
const stranger: Pod = { namespace: "other-team", labels: { app: "scraper" } };
const publicWebhook = { ip: "34.120.1.2" };
const privateService = { ip: "10.3.0.7" };
const database = { ip: "203.0.113.9" };

describe("network isolation: one NetworkPolicy set per environment", () => {
    const policies = (network: EnvironmentSpecInput["network"] = {}) => networkPolicies(validSpec({ network }));

    it("builds objects the real NetworkPolicy schema accepts, in the app's namespace", () => {
        const all = policies();
        assert.deepEqual(
            all.map((p) => p.metadata?.name),
            [
                "shop-default-deny",
                "shop-dns",
                "shop-app-ingress",
                "shop-database-egress",
                "shop-smoke-egress",
                "shop-alert-egress",
            ],
        );
        for (const p of all) {
            validateAgainstSchema(p);
            assert.deepEqual(policyProblems(p), [], String(p.metadata?.name));
            assert.equal(p.metadata?.namespace, "shop");
        }
    });

    it("lets the app accept its port only, from its namespace and the ingress namespaces", () => {
        const all = policies();
        assert.ok(allowed(all, ingress, { pod: pod("app") }, 8080));
        assert.ok(allowed(all, pod("smoke"), { pod: pod("app") }, 8080), "the smoke test reaches the app");
        assert.ok(!allowed(all, ingress, { pod: pod("app") }, 9090), "another port");
        assert.ok(!allowed(all, stranger, { pod: pod("app") }, 8080), "another namespace");
        assert.ok(!allowed(all, ingress, { pod: pod("migrate") }, 8080), "no pod but the app accepts anything");
    });

    it("lets the app, migration, smoke and alert pods reach DNS and the database port, and nothing else", () => {
        const all = policies();
        for (const component of databaseClients) {
            assert.ok(allowed(all, pod(component), { pod: dnsPod }, 53, "UDP"), `${component} resolves names`);
            assert.ok(allowed(all, pod(component), database, 5432), `${component} reaches the database`);
            assert.ok(!allowed(all, pod(component), database, 22), `${component} reaches no other port of it`);
            assert.ok(
                !allowed(all, pod(component), { pod: stranger }, 8080),
                `${component} reaches no other namespace`,
            );
        }
        assert.ok(!allowed(all, pod("migrate"), publicWebhook, 443), "only the alert posts out");
        assert.ok(!allowed(all, pod("app"), publicWebhook, 443));
        assert.ok(!allowed(all, pod("migrate"), { pod: pod("app") }, 8080), "the migration does not call the app");
    });

    it("lets only the alert post to the webhook, on public addresses unless told otherwise", () => {
        assert.ok(allowed(policies(), pod("sync-fail"), publicWebhook, 443));
        assert.ok(
            !allowed(policies(), pod("sync-fail"), privateService, 443),
            "private ranges are left out by default",
        );
        assert.ok(!allowed(policies(), pod("sync-fail"), publicWebhook, 80));
        const internal = policies({ webhookCidrs: ["10.3.0.0/16"], webhookPorts: [8443] });
        assert.ok(allowed(internal, pod("sync-fail"), privateService, 8443));
        assert.ok(!allowed(internal, pod("sync-fail"), publicWebhook, 8443));
    });

    it("narrows the database to its addresses or its namespace when told where it is", () => {
        const cidrs = policies({ databaseCidrs: ["203.0.113.0/24"] });
        assert.ok(allowed(cidrs, pod("migrate"), database, 5432));
        assert.ok(!allowed(cidrs, pod("migrate"), { ip: "198.51.100.1" }, 5432));
        const inCluster = policies({ databaseNamespace: "databases" });
        const postgres: Pod = { namespace: "databases", labels: { app: "postgres" } };
        assert.ok(allowed(inCluster, pod("migrate"), { pod: postgres }, 5432));
        assert.ok(!allowed(inCluster, pod("migrate"), { pod: stranger }, 5432));
        assert.ok(!allowed(inCluster, pod("migrate"), database, 5432));
    });

    it("can be turned off, and refuses two answers to where the database is", () => {
        assert.deepEqual(policies({ enabled: false }), []);
        assert.throws(
            () => policies({ databaseCidrs: ["10.0.0.0/8"], databaseNamespace: "db" }),
            /network\.databaseNamespace: "db" and network\.databaseCidrs both say where the database is; keep one/,
        );
        assert.throws(
            () => policies({ databaseCidrs: ["10.0.0.0/33"] }),
            /network\.databaseCidrs\[0\]: "10\.0\.0\.0\/33" is not a CIDR/,
        );
        // Kubernetes 1.36 refuses these in an ipBlock: caught before `pulumi up` creates anything.
        assert.throws(
            () => policies({ webhookCidrs: ["10.1.2.3/8"] }),
            /network\.webhookCidrs\[0\]: "10\.1\.2\.3\/8" has bits set past its \/8 prefix, which Kubernetes refuses in a NetworkPolicy; use "10\.0\.0\.0\/8"/,
        );
        assert.throws(
            () => policies({ databaseCidrs: ["::ffff:10.0.0.0/104"] }),
            /"::ffff:10\.0\.0\.0\/104" is an IPv4-mapped IPv6 address/,
        );
    });
});

// The evaluator above, on the rules our builders do not use today; e2e/network-policies.test.ts
// checks the same against a real API server.
describe("the NetworkPolicy evaluator the tests use", () => {
    const a = pod("app");
    const b: Pod = { ...pod("migrate"), ports: { http: 8080 } };
    const one = (spec: INetworkPolicy["spec"]): INetworkPolicy[] => [
        { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "p", namespace: "shop" }, spec },
    ];

    it("defaults policyTypes as the API server does: Ingress, and Egress when there are egress rules", () => {
        const egressOnly = one({ podSelector: {}, egress: [{ ports: [{ port: 53 }] }] });
        assert.deepEqual(policyTypes(egressOnly[0]), ["Ingress", "Egress"]);
        assert.ok(!allowed(egressOnly, a, database, 5432), "egress is isolated by the egress rules");
        assert.ok(allowed(egressOnly, a, database, 53));
        assert.deepEqual(policyTypes(one({ podSelector: {}, egress: [] })[0]), ["Ingress"]);
    });

    it("reads empty peers and ports as every peer and port, and ports up to endPort", () => {
        const open = one({ podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [], ports: [] }] });
        assert.ok(allowed(open, { namespace: "elsewhere", labels: {} }, { pod: a }, 9999));
        const range = one({
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ ports: [{ port: 8000, endPort: 8100 }] }],
        });
        assert.ok(allowed(range, a, database, 8100));
        assert.ok(!allowed(range, a, database, 8101));
    });

    it("matches a named port on the destination pod's ports only", () => {
        const named = one({ podSelector: {}, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: "http" }] }] });
        assert.ok(allowed(named, a, { pod: b }, 8080));
        assert.ok(!allowed(named, a, { pod: b }, 8081));
        assert.ok(!allowed(named, b, { pod: a }, 8080), "the destination names no port http");
    });

    it("refuses what the API server refuses", () => {
        const problems = (spec: INetworkPolicy["spec"]) => policyProblems(one(spec)[0]);
        assert.deepEqual(problems({ podSelector: {}, ingress: [{ from: [{}] }] }), [
            "ingress[0].peers[0]: names no peer",
        ]);
        assert.deepEqual(problems({ podSelector: {}, egress: [{ ports: [{ port: "http", endPort: 90 }] }] }), [
            "egress[0].ports[0]: endPort with a named port",
        ]);
        assert.deepEqual(
            problems({
                podSelector: {},
                egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["192.168.0.0/16"] } }] }],
            }),
            ["egress[0].peers[0]: except 192.168.0.0/16 is not a strict subset of 10.0.0.0/8"],
        );
        assert.deepEqual(problems({ podSelector: {}, policyTypes: ["Ingress", "Egress"], egress: [{}] }), []);
    });
});
