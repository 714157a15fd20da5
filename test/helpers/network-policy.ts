import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";
import type { INetworkPolicyPort } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort";
import { cidrProblem } from "../../environment-schema/fields";

/** A pod, by its namespace's name, its labels and its containers' named ports (name to number). */
export interface Pod {
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly ports?: Readonly<Record<string, number>>;
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

const ipv4Pattern = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function ipv4(ip: string): number {
    return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

// IPv4 only, as our policies and the grids are; an IPv6 block holds no IPv4 address. Bits
// beyond the prefix are ignored, as the API server's sloppy parse does.
function inCidr(ip: string, cidr: string): boolean {
    const [base = "", bits = "32"] = cidr.split("/");
    if (!ipv4Pattern.test(base) || !ipv4Pattern.test(ip)) return false;
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

// No ports (absent or empty) means every port. A number matches it or, with endPort, the range
// up to endPort; a name matches the port the destination pod's containers give that name (an
// address outside the cluster has no named ports). The protocol defaults to TCP.
function portMatches(
    ports: INetworkPolicyPort[] | undefined,
    port: number,
    protocol: string,
    to: Destination,
): boolean {
    if (ports === undefined || ports.length === 0) return true;
    return ports.some((p) => {
        if ((p.protocol ?? "TCP") !== protocol) return false;
        if (p.port === undefined) return true;
        if (typeof p.port === "string") return "pod" in to && to.pod.ports?.[p.port] === port;
        return p.endPort === undefined ? p.port === port : p.port <= port && port <= p.endPort;
    });
}

// No peers (absent or empty) means every source or destination.
function peersMatch(peers: INetworkPolicyPeer[] | undefined, namespace: string, target: Destination): boolean {
    return peers === undefined || peers.length === 0 || peers.some((peer) => peerMatches(peer, namespace, target));
}

/**
 * The directions a policy isolates: its policyTypes or, when it gives none, what the API server
 * defaults them to: Ingress, and Egress too when it has egress rules.
 */
export function policyTypes(policy: INetworkPolicy): string[] {
    const given = policy.spec?.policyTypes ?? [];
    if (given.length > 0) return given;
    return (policy.spec?.egress ?? []).length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
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
                policyTypes(p).includes(type) &&
                selects(p.spec?.podSelector as Selector, pod.labels),
        );
    const egress = applying(from, "Egress");
    const out =
        egress.length === 0 ||
        egress.some((p) =>
            (p.spec?.egress ?? []).some(
                (rule) =>
                    portMatches(rule.ports, port, protocol, to) && peersMatch(rule.to, p.metadata?.namespace ?? "", to),
            ),
        );
    if (!out || "ip" in to) return out;
    const ingress = applying(to.pod, "Ingress");
    return (
        ingress.length === 0 ||
        ingress.some((p) =>
            (p.spec?.ingress ?? []).some(
                (rule) =>
                    portMatches(rule.ports, port, protocol, to) &&
                    peersMatch(rule.from, p.metadata?.namespace ?? "", { pod: from }),
            ),
        )
    );
}

const dnsLabel = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const dnsSubdomain = new RegExp(`^${dnsLabel}(\\.${dnsLabel})*$`);
const labelName = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;

function labelKeyProblems(key: string): string[] {
    const slash = key.lastIndexOf("/");
    const prefix = slash < 0 ? undefined : key.slice(0, slash);
    const name = key.slice(slash + 1);
    const problems: string[] = [];
    if (prefix !== undefined && (prefix.length > 253 || !dnsSubdomain.test(prefix)))
        problems.push(`label key ${key}: the prefix must be a DNS subdomain`);
    if (name.length > 63 || !labelName.test(name)) problems.push(`label key ${key}: not a qualified name`);
    return problems;
}

function labelValueProblems(value: string): string[] {
    return value === "" || (value.length <= 63 && labelName.test(value)) ? [] : [`label value ${value}: invalid`];
}

function selectorProblems(selector: Selector | undefined, where: string): string[] {
    if (selector === undefined) return [];
    return [
        ...Object.entries(selector.matchLabels ?? {}).flatMap(([key, value]) => [
            ...labelKeyProblems(key),
            ...labelValueProblems(value),
        ]),
        ...(selector.matchExpressions ?? []).flatMap((e) => {
            const values = e.values ?? [];
            const own = labelKeyProblems(e.key);
            if (e.operator === "In" || e.operator === "NotIn")
                return [
                    ...own,
                    ...(values.length === 0 ? [`${where}: ${e.operator} needs values`] : []),
                    ...values.flatMap(labelValueProblems),
                ];
            if (e.operator === "Exists" || e.operator === "DoesNotExist")
                return [...own, ...(values.length > 0 ? [`${where}: ${e.operator} takes no values`] : [])];
            return [...own, `${where}: operator ${e.operator} is not In, NotIn, Exists or DoesNotExist`];
        }),
    ];
}

function validPort(n: number): boolean {
    return Number.isInteger(n) && n >= 1 && n <= 65535;
}

// An IANA service name, as a container port's name: 1 to 15 of [a-z0-9-], a letter among them,
// no "-" at either end nor two together.
function validPortName(name: string): boolean {
    return /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(name) && /[a-z]/.test(name) && !name.includes("--");
}

function portProblems(p: INetworkPolicyPort, where: string): string[] {
    const problems: string[] = [];
    if (p.protocol !== undefined && !["TCP", "UDP", "SCTP"].includes(p.protocol))
        problems.push(`${where}: protocol ${p.protocol} is not TCP, UDP or SCTP`);
    if (p.port === undefined) {
        if (p.endPort !== undefined) problems.push(`${where}: endPort without port`);
    } else if (typeof p.port === "string") {
        if (!validPortName(p.port)) problems.push(`${where}: ${p.port} is not a port name`);
        if (p.endPort !== undefined) problems.push(`${where}: endPort with a named port`);
    } else {
        if (!validPort(p.port)) problems.push(`${where}: port ${p.port} is out of range`);
        if (p.endPort !== undefined && (!validPort(p.endPort) || p.endPort < p.port))
            problems.push(`${where}: endPort ${p.endPort} is out of range or below port ${p.port}`);
    }
    return problems;
}

// The prefix length, parsed as the API server does: IPv4 with no leading zeros, a prefix of 0
// to 32; IPv6 as given (our policies use none). What the strict parse refuses on top (bits past
// the prefix, IPv4-mapped IPv6) is the spec's own check, cidrProblem.
function cidrBits(cidr: string): number | undefined {
    const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
    if (match === null) return undefined;
    const [, base = "", bits = ""] = match;
    if (base.includes(":")) return Number(bits) <= 128 ? Number(bits) : undefined;
    return ipv4Pattern.test(base) && Number(bits) <= 32 ? Number(bits) : undefined;
}

function peerProblems(peer: INetworkPolicyPeer, where: string): string[] {
    const kinds = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter((k) => k !== undefined).length;
    if (kinds === 0) return [`${where}: names no peer`];
    const problems = [
        ...selectorProblems(peer.podSelector, `${where}.podSelector`),
        ...selectorProblems(peer.namespaceSelector, `${where}.namespaceSelector`),
    ];
    if (peer.ipBlock === undefined) return problems;
    if (kinds > 1) problems.push(`${where}: ipBlock with a selector`);
    const { cidr, except = [] } = peer.ipBlock;
    const bits = cidrBits(cidr);
    if (bits === undefined) return [...problems, `${where}: ${cidr} is not a CIDR`];
    const strict = cidrProblem(cidr);
    if (strict !== undefined) problems.push(`${where}: ${cidr} ${strict}`);
    for (const inner of except) {
        const innerBits = cidrBits(inner);
        if (innerBits === undefined) problems.push(`${where}: except ${inner} is not a CIDR`);
        else if (cidrProblem(inner) !== undefined) problems.push(`${where}: except ${inner} ${cidrProblem(inner)}`);
        else if (innerBits <= bits || (!cidr.includes(":") && !inCidr(inner.split("/")[0] ?? "", cidr)))
            problems.push(`${where}: except ${inner} is not a strict subset of ${cidr}`);
    }
    return problems;
}

/**
 * Why the API server would refuse the policy (networking/validation in Kubernetes 1.36: its
 * name, selectors, ports, peers and policyTypes); none when it would store it. The evaluator
 * above gives a refused policy no meaning.
 */
export function policyProblems(policy: INetworkPolicy): string[] {
    const spec = policy.spec;
    const name = policy.metadata?.name ?? "";
    const rules = [
        ...(spec?.ingress ?? []).map((rule, i) => ({ where: `ingress[${i}]`, ports: rule.ports, peers: rule.from })),
        ...(spec?.egress ?? []).map((rule, i) => ({ where: `egress[${i}]`, ports: rule.ports, peers: rule.to })),
    ];
    // Strings: a policy read from YAML or JSON may carry any value.
    const types: readonly string[] = spec?.policyTypes ?? [];
    return [
        ...(name.length <= 253 && dnsSubdomain.test(name) ? [] : [`name ${name} is not a DNS subdomain`]),
        ...selectorProblems(spec?.podSelector, "podSelector"),
        ...rules.flatMap(({ where, ports, peers }) => [
            ...(ports ?? []).flatMap((p, i) => portProblems(p, `${where}.ports[${i}]`)),
            ...(peers ?? []).flatMap((peer, i) => peerProblems(peer, `${where}.peers[${i}]`)),
        ]),
        ...(types.length > 2
            ? ["more than two policyTypes"]
            : types.filter((t) => t !== "Ingress" && t !== "Egress").map((t) => `policyType ${t}`)),
    ];
}
