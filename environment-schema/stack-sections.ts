// The sections that say where the environment runs: a pull request's preview, its network
// isolation, and which stack must have verified its image.
import { z } from "zod";
import { branchName, cidr, dnsLabel, labelKey, labelValue, positiveInt } from "./fields";
import { previewNumber } from "./tier";

export const previewSchema = (stack: string) =>
    z.strictObject({
        /** The pull request's number; names the namespace, database, roles and Application. @default - from a stack named "pr-<number>"; required otherwise */
        pr:
            previewNumber(stack) === undefined
                ? positiveInt(999999999)
                : positiveInt(999999999).default(previewNumber(stack) ?? 0),
        /** The pull request's branch: the Application tracks it (unless commit is set), and a label carries it. Required. */
        branch: branchName,
        /** A commit to track instead of the branch head (pins the preview to one push). @default - the branch head */
        commit: z
            .string()
            .regex(/^[0-9a-f]{7,40}$/, { error: "is not a commit SHA (7 to 40 lower-case hex characters)" })
            .optional(),
        /** Hours the preview lives after its last `pulumi up`; a clean-up job deletes it after that. @default 72 */
        ttlHours: positiveInt(24 * 90).default(72),
        /** When it expires (ISO 8601, UTC), carried by the namespace's and the Application's labels. @default - set by the program: its last update plus ttlHours */
        expiresAt: z.iso.datetime({ error: 'is not an ISO 8601 UTC time such as "2026-12-01T12:00:00Z"' }).optional(),
    });

export const networkSchema = z.strictObject({
    /** Create the environment's NetworkPolicies (the cluster's CNI must enforce them: Calico, Cilium, ...). @default true */
    enabled: z.boolean().default(true),
    /** Namespaces besides the app's own whose pods may reach the app's port (the ingress controller's). @default ["ingress-nginx"] */
    ingressNamespaces: z.array(dnsLabel(63)).default(["ingress-nginx"]),
    /** The database's addresses (a managed server), for egress on database.port. @default - any address, on database.port only */
    databaseCidrs: z.array(cidr).min(1).optional(),
    /** The namespace of an in-cluster database, for egress on database.port; instead of databaseCidrs. @default - none */
    databaseNamespace: dnsLabel(63).optional(),
    /** Where the SyncFail alert may post. @default ["0.0.0.0/0"], without the private ranges 10/8, 172.16/12, 192.168/16 */
    webhookCidrs: z.array(cidr).min(1).optional(),
    /** Ports the alert may post to. @default [443] */
    webhookPorts: z.array(z.int().min(1).max(65535)).min(1).default([443]),
    /** The cluster DNS pods every pod may query on port 53. @default - namespace "kube-system", labels { "k8s-app": "kube-dns" } */
    dns: z
        .strictObject({
            namespace: dnsLabel(63).default("kube-system"),
            podLabels: z.record(labelKey, labelValue).default({ "k8s-app": "kube-dns" }),
        })
        .prefault({}),
});

export const promotionSchema = z.strictObject({
    /**
     * The stack whose verified releases this one may run: its `verifiedImages` output must hold
     * app.image, so nothing reaches this stack that the other's PostSync smoke check has not passed.
     * A stack name of this project ("staging") or "org/project/stack".
     * @default - none; the prod preset sets "staging"
     */
    from: z
        .string()
        .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+)?$/, {
            error: 'is not a stack name; give "staging" or "org/project/staging"',
        })
        .optional(),
    /** Emergency override: run an image `from` has not verified. The reason is required; it is logged and exported as promotionOverride. @default - none */
    override: z
        .string()
        .trim()
        .min(10, {
            error: 'must give the reason in a sentence (at least 10 characters), e.g. "hotfix for incident 4711, verified by hand"',
        })
        .optional(),
});

export const kubernetesSchema = z.strictObject({
    /**
     * Write the Kubernetes objects Pulumi owns (namespace, NetworkPolicies, Secrets, the
     * Application; with delivery "direct" the workload too) as YAML files under this directory
     * instead of applying them: the Kubernetes provider's `renderYamlToDirectory`. Nothing
     * reaches a cluster, nothing is awaited, and Secrets are written there in plain text.
     * @default - none: applied to the cluster of the current kubeconfig context
     */
    renderDirectory: z
        .string()
        .regex(/^[^\0\r\n]+$/, { error: "must be a directory path on one line" })
        .optional(),
});
