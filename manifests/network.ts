import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";
import type { EnvironmentSpec } from "../environment-schema";
import { labels } from "./names";

// What the default webhook range leaves out: the cluster's own and other private networks.
const privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/** The components of the workload that talk to the database (labels from the builders). */
export const databaseClients = ["app", "migrate", "smoke", "sync-fail"] as const;

function podsOf(spec: EnvironmentSpec, ...components: string[]) {
    return {
        matchLabels: { "app.kubernetes.io/name": spec.app.name },
        matchExpressions: [{ key: "app.kubernetes.io/component", operator: "In", values: components }],
    };
}

const namespaceNamed = (name: string): INetworkPolicyPeer => ({
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
});

/**
 * The environment's network isolation, owned by Pulumi like the namespace, so it holds before
 * the first hook runs. Everything is denied both ways, then allowed by purpose: the app accepts
 * its port from its namespace and the ingress namespaces; every pod resolves names; the app and
 * the migration, smoke and alert pods reach the database port; the smoke test reaches the app;
 * the alert reaches the webhook. Nothing else.
 */
export function networkPolicies(spec: EnvironmentSpec): INetworkPolicy[] {
    const n = spec.network;
    if (!n.enabled) return [];
    const policy = (suffix: string, body: INetworkPolicy["spec"]): INetworkPolicy => ({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: {
            name: `${spec.app.name}-${suffix}`,
            namespace: spec.app.namespace,
            labels: labels(spec, "network"),
        },
        spec: body,
    });
    const database: INetworkPolicyPeer[] | undefined =
        n.databaseCidrs?.map((cidr) => ({ ipBlock: { cidr } })) ??
        (n.databaseNamespace === undefined ? undefined : [namespaceNamed(n.databaseNamespace)]);
    const webhook: INetworkPolicyPeer[] = n.webhookCidrs?.map((cidr) => ({ ipBlock: { cidr } })) ?? [
        { ipBlock: { cidr: "0.0.0.0/0", except: privateRanges } },
    ];
    return [
        policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
        policy("dns", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [{ ...namespaceNamed(n.dns.namespace), podSelector: { matchLabels: n.dns.podLabels } }],
                    ports: [
                        { protocol: "UDP", port: 53 },
                        { protocol: "TCP", port: 53 },
                    ],
                },
            ],
        }),
        policy("app-ingress", {
            podSelector: podsOf(spec, "app"),
            policyTypes: ["Ingress"],
            // A peer with only a podSelector means pods of this namespace.
            ingress: [
                {
                    from: [{ podSelector: {} }, ...n.ingressNamespaces.map(namespaceNamed)],
                    ports: [{ protocol: "TCP", port: spec.app.port }],
                },
            ],
        }),
        policy("database-egress", {
            podSelector: podsOf(spec, ...databaseClients),
            policyTypes: ["Egress"],
            // Without a known address: every destination, but only on the database's port.
            egress: [
                {
                    ...(database === undefined ? {} : { to: database }),
                    ports: [{ protocol: "TCP", port: spec.database.port }],
                },
            ],
        }),
        policy("smoke-egress", {
            podSelector: podsOf(spec, "smoke"),
            policyTypes: ["Egress"],
            egress: [{ to: [{ podSelector: podsOf(spec, "app") }], ports: [{ protocol: "TCP", port: spec.app.port }] }],
        }),
        policy("alert-egress", {
            podSelector: podsOf(spec, "sync-fail"),
            policyTypes: ["Egress"],
            egress: [{ to: webhook, ports: n.webhookPorts.map((port) => ({ protocol: "TCP", port })) }],
        }),
    ];
}
