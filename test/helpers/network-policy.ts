import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";

/** A pod, by its namespace's name and its labels. */
export interface Pod {
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
}

/** Where a connection goes: a pod, or an address outside the cluster. */
export type Destination = { readonly pod: Pod } | { readonly ip: string };

type Selector = {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
};

// Label selector semantics: every matchLabels pair and every expression must hold; {} selects all.
function selects(selector: Selector | undefined, labels: Readonly<Record<string, string>>): boolean {
    if (selector === undefined) return true;
    const pairs = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    const expressions = (selector.matchExpressions ?? []).every((e) => {
        const value = labels[e.key];
        if (e.operator === "In") return value !== undefined && (e.values ?? []).includes(value);
        if (e.operator === "NotIn") return value === undefined || !(e.values ?? []).includes(value);
        if (e.operator === "Exists") return value !== undefined;
        return value === undefined; // DoesNotExist
    });
    return pairs && expressions;
}

function ipv4(ip: string): number {
    return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

function inCidr(ip: string, cidr: string): boolean {
    const [base = "", bits = "32"] = cidr.split("/");
    const size = 2 ** (32 - Number(bits));
    return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
}

// A peer: ipBlock matches addresses outside the cluster; selectors match pods. A peer with only
// a podSelector means pods of the policy's own namespace.
function peerMatches(peer: INetworkPolicyPeer, policyNamespace: string, target: Destination): boolean {
    if ("ip" in target)
        return (
            peer.ipBlock !== undefined &&
            inCidr(target.ip, peer.ipBlock.cidr) &&
            !(peer.ipBlock.except ?? []).some((c) => inCidr(target.ip, c))
        );
    if (peer.ipBlock !== undefined) return false;
    const namespaceOk =
        peer.namespaceSelector === undefined
            ? target.pod.namespace === policyNamespace
            : selects(peer.namespaceSelector, { "kubernetes.io/metadata.name": target.pod.namespace });
    return namespaceOk && selects(peer.podSelector, target.pod.labels);
}

function portMatches(
    ports: { protocol?: string; port?: number | string }[] | undefined,
    port: number,
    protocol: string,
): boolean {
    return (
        ports === undefined ||
        ports.some((p) => (p.protocol ?? "TCP") === protocol && (p.port === undefined || p.port === port))
    );
}

/**
 * Whether the policies let `from` open a connection to `to` on `port`, by the NetworkPolicy rules:
 * a pod selected by a policy of a direction is isolated in it, and then only a rule of one of
 * those policies lets traffic through; policies add up.
 */
export function allowed(
    policies: readonly INetworkPolicy[],
    from: Pod,
    to: Destination,
    port: number,
    protocol = "TCP",
): boolean {
    const applying = (pod: Pod, type: "Ingress" | "Egress") =>
        policies.filter(
            (p) =>
                p.metadata?.namespace === pod.namespace &&
                (p.spec?.policyTypes ?? ["Ingress"]).includes(type) &&
                selects(p.spec?.podSelector as Selector, pod.labels),
        );
    const egress = applying(from, "Egress");
    const out =
        egress.length === 0 ||
        egress.some((p) =>
            (p.spec?.egress ?? []).some(
                (rule) =>
                    portMatches(rule.ports, port, protocol) &&
                    (rule.to === undefined ||
                        rule.to.some((peer) => peerMatches(peer, p.metadata?.namespace ?? "", to))),
            ),
        );
    if (!out || "ip" in to) return out;
    const ingress = applying(to.pod, "Ingress");
    return (
        ingress.length === 0 ||
        ingress.some((p) =>
            (p.spec?.ingress ?? []).some(
                (rule) =>
                    portMatches(rule.ports, port, protocol) &&
                    (rule.from === undefined ||
                        rule.from.some((peer) => peerMatches(peer, p.metadata?.namespace ?? "", { pod: from }))),
            ),
        )
    );
}
