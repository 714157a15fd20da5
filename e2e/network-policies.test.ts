import { strict as assert } from "assert";
import { copyFileSync, readFileSync, readdirSync, statSync, writeFileSync } from "fs";
import { join, relative, resolve } from "path";
import type { ILabelSelector } from "@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { parse, parseAllDocuments, stringify } from "yaml";
import { networkPolicies } from "../manifests";
import type { ControlPlane } from "../rehearsal/cluster/control-plane";
import { requireControlPlane, startControlPlane } from "../rehearsal/cluster/control-plane";
import type { Destination, Pod } from "../test/helpers/network-policy";
import { allowed, policyProblems } from "../test/helpers/network-policy";
import { validSpec } from "../test/helpers/specs";
import { PulumiProject } from "./helpers/project";

const repo = resolve(__dirname, "..");

/** Every file named `network-policies.yaml` under `dir`. */
function policyFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((entry) => {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) return policyFiles(path);
        return entry === "network-policies.yaml" ? [path] : [];
    });
}

/** Label sets a selector selects: its matchLabels with each value an In expression allows, one per value. */
function labelSets(selector: ILabelSelector | undefined): Record<string, string>[] {
    let sets: Record<string, string>[] = [{ ...(selector?.matchLabels ?? {}) }];
    for (const e of selector?.matchExpressions ?? []) {
        if (e.operator === "In") sets = sets.flatMap((s) => (e.values ?? []).map((v) => ({ ...s, [e.key]: v })));
        if (e.operator === "Exists") sets = sets.map((s) => ({ ...s, [e.key]: "present" }));
    }
    return sets;
}

/** The first address of an IPv4 CIDR, and the one just past it. */
function addressesOf(cidr: string): string[] {
    const [base = "", bits = "32"] = cidr.split("/");
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(base)) return [];
    const n = base.split(".").reduce((sum, part) => sum * 256 + Number(part), 0);
    const size = 2 ** (32 - Number(bits));
    const start = Math.floor(n / size) * size;
    const dotted = (v: number) => [24, 16, 8, 0].map((shift) => Math.floor(v / 2 ** shift) % 256).join(".");
    return [dotted(start), dotted((start + size) % 2 ** 32)];
}

/**
 * Every verdict of the evaluator for a set of policies, on a grid built from the policies
 * themselves: pods in every namespace they name (and one they do not) with every label set their
 * selectors select (and none), each with a container port named "http" (8080); addresses at the
 * edges of every ipBlock and a few fixed ones; every port they name, its neighbours and common
 * ones, over TCP, UDP and SCTP. Returned as the connections allowed.
 */
function verdicts(policies: readonly INetworkPolicy[]): string[] {
    const peers = policies.flatMap((p) => [
        ...(p.spec?.ingress ?? []).flatMap((r) => r.from ?? []),
        ...(p.spec?.egress ?? []).flatMap((r) => r.to ?? []),
    ]);
    const namespaces = new Set<string>(["elsewhere"]);
    for (const p of policies) namespaces.add(String(p.metadata?.namespace));
    for (const peer of peers) {
        const name = peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
        if (name !== undefined) namespaces.add(name);
    }
    const selectors = [...policies.map((p) => p.spec?.podSelector), ...peers.map((peer) => peer.podSelector)];
    const labels = new Map<string, Record<string, string>>([["{}", {}]]);
    for (const set of selectors.flatMap(labelSets)) labels.set(JSON.stringify(set), set);
    const pods: Pod[] = [...namespaces].flatMap((namespace) =>
        [...labels.values()].map((set) => ({ namespace, labels: set, ports: { http: 8080 } })),
    );
    const ips = new Set(["34.120.1.2", "10.3.0.7", "203.0.113.9", "198.51.100.1", "192.168.1.1"]);
    for (const peer of peers)
        for (const cidr of [peer.ipBlock?.cidr ?? "", ...(peer.ipBlock?.except ?? [])])
            addressesOf(cidr).forEach((ip) => ips.add(ip));
    const ports = new Set([22, 53, 80, 443, 5432, 8080, 8443]);
    for (const p of policies)
        for (const rule of [...(p.spec?.ingress ?? []), ...(p.spec?.egress ?? [])])
            for (const port of rule.ports ?? [])
                for (const n of [port.port, port.endPort])
                    if (typeof n === "number") [n - 1, n, n + 1].forEach((m) => ports.add(m));
    const destinations: Destination[] = [...pods.map((pod) => ({ pod })), ...[...ips].map((ip) => ({ ip }))];
    const out: string[] = [];
    for (const from of pods)
        for (const to of destinations)
            for (const port of ports)
                for (const protocol of ["TCP", "UDP", "SCTP"])
                    if (allowed(policies, from, to, port, protocol))
                        out.push(`${JSON.stringify(from)} -> ${JSON.stringify(to)} ${protocol}/${port}`);
    return out;
}

/** What the evaluator reads of an object the API server answered with. */
function asPolicy(object: unknown): INetworkPolicy {
    const { metadata, spec } = object as INetworkPolicy;
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: metadata?.name, namespace: metadata?.namespace },
        spec,
    };
}

const edgeNamespace = "edge";
// Some specs are outside the type on purpose (an unknown protocol, a named port with endPort):
// the API server is the judge of those.
const edge = (name: string, spec: Record<string, unknown>): INetworkPolicy => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: edgeNamespace },
    spec: spec as unknown as INetworkPolicy["spec"],
});

// Policies our builders never write, on the rules the evaluator and the API server could read
// differently: defaults the server fills in, empty lists it drops, and what it refuses.
const edgeCases: INetworkPolicy[] = [
    edge("ingress-all", { podSelector: {}, ingress: [{}] }),
    edge("types-omitted-egress", { podSelector: { matchLabels: { app: "a" } }, egress: [{ ports: [{ port: 53 }] }] }),
    edge("types-omitted-empty-egress", { podSelector: {}, egress: [] }),
    edge("empty-lists", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [], ports: [] }] }),
    edge("egress-type-ingress-rules", {
        podSelector: {},
        policyTypes: ["Egress"],
        ingress: [{ ports: [{ port: 8080 }] }],
    }),
    edge("named-port", { podSelector: {}, ingress: [{ ports: [{ port: "http" }] }] }),
    edge("named-port-endport", { podSelector: {}, ingress: [{ ports: [{ port: "http", endPort: 9000 }] }] }),
    edge("bad-port-name", { podSelector: {}, ingress: [{ ports: [{ port: "Not_A_Name" }] }] }),
    edge("endport-range", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ ports: [{ port: 8000, endPort: 8100 }] }],
    }),
    edge("endport-below", { podSelector: {}, egress: [{ ports: [{ port: 8100, endPort: 8000 }] }] }),
    edge("endport-alone", { podSelector: {}, egress: [{ ports: [{ endPort: 8000 }] }] }),
    edge("port-zero", { podSelector: {}, ingress: [{ ports: [{ port: 0 }] }] }),
    edge("port-too-big", { podSelector: {}, ingress: [{ ports: [{ port: 70000 }] }] }),
    edge("protocol-omitted-udp-sctp", {
        podSelector: {},
        ingress: [{ ports: [{ port: 53 }, { protocol: "UDP", port: 53 }, { protocol: "SCTP", port: 9 }] }],
    }),
    edge("protocol-icmp", { podSelector: {}, ingress: [{ ports: [{ protocol: "ICMP", port: 1 }] }] }),
    edge("ipblock-except", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.3.0.0/16"] } }] }],
    }),
    edge("ipblock-except-outside", {
        podSelector: {},
        egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["192.168.0.0/16"] } }] }],
    }),
    edge("ipblock-except-equal", {
        podSelector: {},
        egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.0.0.0/8"] } }] }],
    }),
    edge("ipblock-bad-prefix", { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/33" } }] }] }),
    edge("ipblock-no-prefix", { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0" } }] }] }),
    edge("ipblock-leading-zero", { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "010.0.0.0/8" } }] }] }),
    edge("ipblock-host-bits", { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "10.1.2.3/8" } }] }] }),
    edge("ipblock-ipv6-host-bits", { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "2001:db8::1/32" } }] }] }),
    edge("ipblock-ipv4-mapped", { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "::ffff:10.0.0.0/104" } }] }] }),
    edge("ipblock-except-host-bits", {
        podSelector: {},
        egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.3.0.1/16"] } }] }],
    }),
    edge("ipblock-ipv6", { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "2001:db8::/32" } }] }] }),
    edge("ipblock-and-selector", {
        podSelector: {},
        egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {} }] }],
    }),
    edge("empty-peer", { podSelector: {}, ingress: [{ from: [{}] }] }),
    edge("all-namespaces", {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "a" } } }] }],
    }),
    edge("in-without-values", {
        podSelector: { matchExpressions: [{ key: "app", operator: "In", values: [] }] },
    }),
    edge("exists-with-values", {
        podSelector: { matchExpressions: [{ key: "app", operator: "Exists", values: ["a"] }] },
    }),
    edge("operator-equals", {
        podSelector: { matchExpressions: [{ key: "app", operator: "Equals", values: ["a"] }] },
    }),
    edge("notin-doesnotexist", {
        podSelector: {
            matchExpressions: [
                { key: "app", operator: "NotIn", values: ["a"] },
                { key: "tier", operator: "DoesNotExist" },
            ],
        },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: "a" } } }] }],
    }),
    edge("bad-label-value", { podSelector: { matchLabels: { app: "has space" } } }),
    edge("three-types", { podSelector: {}, policyTypes: ["Ingress", "Egress", "Ingress"] }),
    edge("unknown-type", { podSelector: {}, policyTypes: ["Sideways"] }),
    edge("Upper-Case-Name", { podSelector: {} }),
];

describe("NetworkPolicies on a real API server (stored and validated only: no CNI runs here, so nothing enforces them)", function () {
    this.timeout(600000);
    let cluster: ControlPlane;
    const sets: { source: string; policies: INetworkPolicy[] }[] = [];

    before(async () => {
        requireControlPlane();
        // Every stack's review/network-policies.yaml, as `migrate-first render` writes it: the
        // stacks of this repository, a pull-request preview made from Pulumi.preview.yaml as CI
        // makes one, and the self-service stack (one folder per request).
        // The copy leaves the stack files out: these are the repository's, and pr-42 is
        // Pulumi.preview.yaml with the branch CI sets.
        const project = new PulumiProject("network-policies");
        const stackFile = (stack: string) => join(repo, `Pulumi.${stack}.yaml`);
        for (const stack of ["dev", "staging", "prod", "platform"])
            copyFileSync(stackFile(stack), join(project.dir, `Pulumi.${stack}.yaml`));
        const previewConfig = parse(readFileSync(stackFile("preview"), "utf8")) as { config: Record<string, unknown> };
        previewConfig.config["migrate-first:preview"] = { branch: "feature/discounts" };
        writeFileSync(join(project.dir, "Pulumi.pr-42.yaml"), stringify(previewConfig));
        const out = join(project.home, "rendered");
        for (const stack of ["dev", "staging", "prod", "pr-42", "platform"]) {
            const render = project.tool("render", ["--stack", stack, "--out", join(out, stack), "--quiet"]);
            assert.equal(render.status, 0, `render --stack ${stack}:\n${render.stdout}\n${render.stderr}`);
        }
        for (const file of policyFiles(out)) {
            const policies = parseAllDocuments(readFileSync(file, "utf8"))
                .map((doc) => doc.toJS() as INetworkPolicy | null)
                .filter((p): p is INetworkPolicy => p?.kind === "NetworkPolicy");
            sets.push({ source: relative(out, file), policies });
        }
        // The builder's other forms, which no stack of this repository uses today.
        for (const network of [
            { databaseCidrs: ["203.0.113.0/24"] },
            { databaseNamespace: "databases" },
            { webhookCidrs: ["10.3.0.0/16"], webhookPorts: [8443] },
        ])
            sets.push({
                source: `builder ${JSON.stringify(network)}`,
                policies: networkPolicies(validSpec({ network })),
            });
        // Object storage and validation need no controller.
        cluster = await startControlPlane({ controllers: false });
    });
    after(async () => cluster?.stop());

    it("renders a NetworkPolicy set for every stack, the preview and each self-service environment", () => {
        assert.deepEqual(
            sets
                .map((s) => s.source)
                .filter((s) => !s.startsWith("builder"))
                .sort(),
            [
                "dev/review/network-policies.yaml",
                "platform/payments-checkout/review/network-policies.yaml",
                "platform/search-indexer/review/network-policies.yaml",
                "pr-42/review/network-policies.yaml",
                "prod/review/network-policies.yaml",
                "staging/review/network-policies.yaml",
            ],
        );
        for (const set of sets) assert.ok(set.policies.length > 0, `${set.source} holds no NetworkPolicy`);
    });

    it("stores every set, and read back each means to the evaluator what it meant before (a grid of pods, addresses and ports)", async () => {
        const api = cluster.api;
        for (const { source, policies } of sets) {
            const namespaces = [...new Set(policies.map((p) => String(p.metadata?.namespace)))];
            for (const name of namespaces)
                await api.create(
                    "/api/v1/namespaces",
                    { apiVersion: "v1", kind: "Namespace", metadata: { name } },
                    true,
                );
            const path = (p: INetworkPolicy) =>
                `/apis/networking.k8s.io/v1/namespaces/${String(p.metadata?.namespace)}/networkpolicies`;
            for (const p of policies) {
                assert.deepEqual(policyProblems(p), [], `${source}: ${String(p.metadata?.name)}`);
                await api.create(path(p), p);
            }
            const stored = await Promise.all(
                policies.map(async (p) => asPolicy(await api.get(`${path(p)}/${String(p.metadata?.name)}`))),
            );
            const before = verdicts(policies);
            assert.ok(before.length > 0, `${source}: the grid allows nothing, so it tests nothing`);
            assert.deepEqual(verdicts(stored), before, `${source}: the stored policies mean something else`);
            // Each environment in a cluster of its own: the next set may use the same names.
            for (const p of policies) {
                const gone = await api.request("DELETE", `${path(p)}/${String(p.metadata?.name)}`);
                assert.equal(gone.status, 200, gone.text);
            }
        }
    });

    it("the evaluator refuses exactly what the API server refuses (server-side dry-run), and means the same by what it accepts once defaulted", async () => {
        const api = cluster.api;
        await api.create(
            "/api/v1/namespaces",
            { apiVersion: "v1", kind: "Namespace", metadata: { name: edgeNamespace } },
            true,
        );
        const disagreements: string[] = [];
        let accepted = 0;
        for (const p of edgeCases) {
            const name = String(p.metadata?.name);
            const answer = await api.request(
                "POST",
                `/apis/networking.k8s.io/v1/namespaces/${edgeNamespace}/networkpolicies?dryRun=All`,
                p,
            );
            assert.ok(answer.status === 201 || answer.status === 422, `${name}: ${answer.status} ${answer.text}`);
            const problems = policyProblems(p);
            if ((answer.status === 201) !== (problems.length === 0))
                disagreements.push(
                    `${name}: the API server ${answer.status === 201 ? "accepts it" : `refuses it (${answer.text})`}, the evaluator ${problems.length === 0 ? "accepts it" : `refuses it (${problems.join("; ")})`}`,
                );
            if (answer.status === 201) {
                accepted++;
                const before = verdicts([p]);
                const after = verdicts([asPolicy(answer.body)]);
                if (JSON.stringify(before) !== JSON.stringify(after))
                    disagreements.push(
                        `${name}: as the API server defaults it, ${after.length} connections allowed instead of ${before.length} (${JSON.stringify(asPolicy(answer.body).spec)})`,
                    );
            }
        }
        assert.deepEqual(disagreements, []);
        // Both answers were seen: the comparison could have failed either way.
        assert.ok(accepted > 0 && accepted < edgeCases.length, `${accepted} of ${edgeCases.length} accepted`);
        // A dry run stores nothing.
        const list = await api.get<{ items: unknown[] }>(
            `/apis/networking.k8s.io/v1/namespaces/${edgeNamespace}/networkpolicies`,
        );
        assert.deepEqual(list.items, []);
    });
});
