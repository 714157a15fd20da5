// The policy pack's rules as plain functions over a resource's type and inputs, so they are
// tested directly and run by the pack (policy/policies.ts) without change.
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { isPinnedImage, tierImageProblem } from "../environment-schema/image";
import { impliedTier, isLowerTier, tiers } from "../environment-schema/tier";

/** A resource as a policy sees it: its Pulumi type token and its inputs. */
export interface Checked {
    readonly type: string;
    readonly name: string;
    readonly props: Readonly<Record<string, unknown>>;
    /** The resource's URN, which carries its stack's name. @default - unknown: the stack name adds no rule */
    readonly urn?: string;
}

type Metadata = {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
};

const hookKey = "argocd.argoproj.io/hook";
const waveKey = "argocd.argoproj.io/sync-wave";
const deletePolicyKey = "argocd.argoproj.io/hook-delete-policy";
const resourcesFinalizer = "resources-finalizer.argocd.argoproj.io";

export const types = {
    deployment: "kubernetes:apps/v1:Deployment",
    job: "kubernetes:batch/v1:Job",
    configMap: "kubernetes:core/v1:ConfigMap",
    application: "kubernetes:argoproj.io/v1alpha1:Application",
} as const;

// Where each kind keeps its pod template.
const podPaths: Readonly<Record<string, readonly string[]>> = {
    "kubernetes:core/v1:Pod": ["spec"],
    [types.deployment]: ["spec", "template", "spec"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
    [types.job]: ["spec", "template", "spec"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

const at = (value: unknown, path: readonly string[]): unknown =>
    path.reduce<unknown>(
        (node, key) => (typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined),
        value,
    );

function metadata(r: Checked): Metadata {
    return r.props.metadata ?? {};
}

/** The pod spec of a pod-bearing resource, or undefined for any other kind. */
function podSpec(r: Checked): IPodSpec | undefined {
    const path = podPaths[r.type];
    return path === undefined ? undefined : (at(r.props, path) as IPodSpec | undefined);
}

const containersOf = (pod: IPodSpec): IContainer[] => [...(pod.initContainers ?? []), ...pod.containers];

/** A migration Job: an Argo CD PreSync hook, or labelled as the migration. */
export function isMigrationJob(r: Checked): boolean {
    if (r.type !== types.job) return false;
    const meta = metadata(r);
    const hooks = (meta.annotations?.[hookKey] ?? "").split(",").map((h) => h.trim());
    return (
        hooks.includes("PreSync") ||
        ["migrate", "migration"].includes(meta.labels?.["app.kubernetes.io/component"] ?? "")
    );
}

/** backoffLimit 0, a deadline, restartPolicy Never, and (as an Argo CD hook) BeforeHookCreation. */
export function migrationJobProblems(r: Checked): string[] {
    if (!isMigrationJob(r)) return [];
    const spec = (r.props.spec ?? {}) as {
        backoffLimit?: number;
        activeDeadlineSeconds?: number;
        template?: { spec?: { restartPolicy?: string } };
    };
    const problems: string[] = [];
    if (spec.backoffLimit !== 0)
        problems.push(
            `backoffLimit is ${spec.backoffLimit ?? "unset (Kubernetes' default is 6)"}; set it to 0: a retried half-run migration corrupts, and Argo CD's sync retry already re-runs the hook`,
        );
    if (spec.activeDeadlineSeconds === undefined)
        problems.push(
            "has no activeDeadlineSeconds; set one, so a stuck migration fails the sync instead of hanging it",
        );
    if (spec.template?.spec?.restartPolicy !== "Never")
        problems.push(
            `restartPolicy is ${spec.template?.spec?.restartPolicy ?? "unset"}; set it to Never, so a failed migration is not restarted in place`,
        );
    const meta = metadata(r);
    if (
        meta.annotations?.[hookKey] !== undefined &&
        !(meta.annotations[deletePolicyKey] ?? "")
            .split(",")
            .map((p) => p.trim())
            .includes("BeforeHookCreation")
    ) {
        problems.push(
            `its ${deletePolicyKey} lacks BeforeHookCreation; add it, so the next sync replaces a Job left by a failed one`,
        );
    }
    return problems;
}

// A connection URL that carries a password, and names that hold credentials.
const credentialUrl = /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i;
const credentialName = /(PASSWORD|PASSWD|SECRET|DATABASE_URL|DB_URL|PGPASSWORD|TOKEN)/i;

/** No password or URL with credentials in a ConfigMap, an env value, args or command; Secrets only through secretKeyRef. */
export function credentialProblems(r: Checked): string[] {
    const problems: string[] = [];
    if (r.type === types.configMap) {
        for (const [key, value] of Object.entries((r.props.data ?? {}) as Record<string, string>)) {
            if (credentialUrl.test(value))
                problems.push(
                    `data.${key} holds a URL with a password; put it in a Secret and read it through secretKeyRef`,
                );
            else if (credentialName.test(key) && value !== "")
                problems.push(
                    `data.${key} looks like a credential; put it in a Secret and read it through secretKeyRef`,
                );
        }
    }
    const pod = podSpec(r);
    for (const c of pod === undefined ? [] : containersOf(pod)) {
        for (const e of c.env ?? []) {
            if (
                e.value !== undefined &&
                (credentialUrl.test(e.value) || (credentialName.test(e.name) && e.value !== ""))
            ) {
                problems.push(
                    `container ${c.name}: env ${e.name} has its credential as a plain value; use valueFrom.secretKeyRef`,
                );
            }
        }
        for (const from of c.envFrom ?? []) {
            if (from.secretRef !== undefined)
                problems.push(
                    `container ${c.name}: envFrom takes every key of Secret ${from.secretRef.name ?? ""}; name each one with env[].valueFrom.secretKeyRef`,
                );
        }
        for (const [field, words] of [
            ["command", c.command],
            ["args", c.args],
        ] as const) {
            if ((words ?? []).some((w) => credentialUrl.test(w) || /PGPASSWORD=|--password[= ]\S/.test(w))) {
                problems.push(
                    `container ${c.name}: ${field} carries a credential, visible in the process table; pass it through a secretKeyRef environment variable`,
                );
            }
        }
    }
    return problems;
}

/**
 * The tier a pod is held to: its `migrate-first.dev/tier` label (else the pack's), but never
 * below the tier its stack's name implies, so one config line cannot turn prod into dev here.
 */
export function podTier(r: Checked, defaultTier: string): string {
    const labelled = metadata(r).labels?.["migrate-first.dev/tier"] ?? defaultTier;
    const named = impliedTier(/^urn:pulumi:([^:]+)::/.exec(r.urn ?? "")?.[1] ?? "");
    const known = tiers.find((t) => t === labelled);
    return named !== undefined && (known === undefined || isLowerTier(known, named)) ? named : labelled;
}

/** Pod Security "restricted", requests and limits on every container, and images pinned for the tier. */
export function podProblems(r: Checked, defaultTier: string): string[] {
    const pod = podSpec(r);
    if (pod === undefined) return [];
    const problems: string[] = [];
    const podContext = pod.securityContext ?? {};
    for (const flag of ["hostNetwork", "hostPID", "hostIPC"] as const)
        if (pod[flag] === true) problems.push(`${flag} is true; "restricted" forbids it`);
    const tier = podTier(r, defaultTier);
    for (const c of containersOf(pod)) {
        const sc = c.securityContext ?? {};
        if ((sc.runAsNonRoot ?? podContext.runAsNonRoot) !== true)
            problems.push(`container ${c.name}: runAsNonRoot is not true; set it (pod or container securityContext)`);
        if (sc.allowPrivilegeEscalation !== false)
            problems.push(`container ${c.name}: allowPrivilegeEscalation is not false; set it to false`);
        if (sc.privileged === true) problems.push(`container ${c.name}: is privileged; remove it`);
        if (!(sc.capabilities?.drop ?? []).includes("ALL"))
            problems.push(`container ${c.name}: capabilities.drop lacks ALL; drop ALL`);
        const seccomp = sc.seccompProfile?.type ?? podContext.seccompProfile?.type;
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost")
            problems.push(`container ${c.name}: seccompProfile is ${seccomp ?? "unset"}; set type RuntimeDefault`);
        for (const kind of ["requests", "limits"] as const) {
            const set = c.resources?.[kind] ?? {};
            if (set.cpu === undefined || set.memory === undefined)
                problems.push(`container ${c.name}: resources.${kind} needs cpu and memory; set both`);
        }
        const image = c.image ?? "";
        const unpinned = isPinnedImage(image)
            ? tierImageProblem(image, tier)
            : "has no tag or digest; pin it to a version or a digest";
        if (unpinned !== undefined) problems.push(`container ${c.name}: image "${image}" ${unpinned}`);
    }
    return problems;
}

/** The resources finalizer (destroy removes what it synced) and a destination namespace. */
export function applicationProblems(r: Checked): string[] {
    if (r.type !== types.application) return [];
    const problems: string[] = [];
    if (!(metadata(r).finalizers ?? []).includes(resourcesFinalizer))
        problems.push(`has no ${resourcesFinalizer}; add it, or deleting the Application orphans everything it synced`);
    if (typeof at(r.props, ["spec", "destination", "namespace"]) !== "string")
        problems.push("has no spec.destination.namespace; set it, so nothing lands in a namespace nobody chose");
    return problems;
}

// A Deployment reads a database URL when a container takes DATABASE_URL, a libpq password, or a Secret's `url`.
function readsDatabase(pod: IPodSpec): boolean {
    return containersOf(pod).some((c) =>
        (c.env ?? []).some(
            (e) => /^(DATABASE_URL|DB_URL|PGPASSWORD)$/.test(e.name) || e.valueFrom?.secretKeyRef?.key === "url",
        ),
    );
}

const images = (pod: IPodSpec | undefined) => new Set((pod === undefined ? [] : containersOf(pod)).map((c) => c.image));
const wave = (r: Checked) => Number(metadata(r).annotations?.[waveKey] ?? "0");

/**
 * Schema first, then code: a Deployment that reads a database URL needs a migration Job with
 * its image that runs before it, as an Argo CD PreSync hook in a lower wave, or as a Job the
 * Deployment depends on (delivery "direct"). `dependsOn(deployment, job)` answers the latter.
 */
export function schemaFirstProblems(
    resources: readonly Checked[],
    dependsOn: (a: Checked, b: Checked) => boolean,
): { resource: Checked; problem: string }[] {
    const jobs = resources.filter(isMigrationJob);
    return resources.flatMap((d) => {
        const pod = podSpec(d);
        if (d.type !== types.deployment || pod === undefined || !readsDatabase(pod)) return [];
        const namespace = metadata(d).namespace;
        const same = jobs.filter(
            (j) =>
                metadata(j).namespace === namespace && [...images(podSpec(j))].some((image) => images(pod).has(image)),
        );
        const before = same.filter(
            (j) =>
                dependsOn(d, j) ||
                (metadata(j).annotations?.[hookKey]?.includes("PreSync") === true && wave(j) < wave(d)),
        );
        if (before.length > 0) return [];
        const why =
            same.length === 0
                ? `no migration Job in namespace ${namespace ?? "(default)"} runs its image ${[...images(pod)].join(", ")}`
                : `migration Job ${metadata(same[0]).name ?? ""} runs its image but not before it`;
        return [
            {
                resource: d,
                problem: `Deployment ${metadata(d).name ?? d.name} reads a database URL, but ${why}; add a PreSync migration Job with the same image in a lower sync wave (or, without Argo CD, make the Deployment depend on it)`,
            },
        ];
    });
}
