// Argo CD's sync rules, as ../shared/ARGOCD.md records them from gitops-engine's source.
// Kept apart from the planner so every fact has one home and one test.

/** Engine phases in order (ge: pkg/sync/sync_tasks.go syncPhaseOrder). */
export const phaseOrder = ["PreSync", "Sync", "PostSync", "SyncFail"] as const;
export type SyncPhase = (typeof phaseOrder)[number];

/** Kinds in apply order within a phase and wave (ge: pkg/sync/sync_tasks.go); unlisted kinds sort after all. */
export const kindOrder = [
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
] as const;

export function kindRank(kind: string): number {
    const index = (kindOrder as readonly string[]).indexOf(kind);
    return index === -1 ? kindOrder.length : index;
}

const hookTypes = ["PreSync", "Sync", "PostSync", "SyncFail", "Skip"] as const;
type HookType = (typeof hookTypes)[number];

/** What the annotations make of an object: the phases it runs in (one task each), or none. */
export type Placement = { readonly hook: boolean; readonly phases: readonly SyncPhase[] };

// ge: pkg/sync/resource/annotations.go GetAnnotationCSVs: split on commas, trimmed, empty dropped, deduped.
const csv = (value: string | undefined) => [
    ...new Set(
        (value ?? "")
            .split(",")
            .map((t) => t.trim())
            .filter((t) => t !== ""),
    ),
];

// ge: pkg/sync/hook/hook.go Types: Argo CD's valid types; Helm's only when there is none.
function hookTypesOf(annotations: Readonly<Record<string, string>>): HookType[] {
    const argo = csv(annotations["argocd.argoproj.io/hook"]).filter((t): t is HookType =>
        (hookTypes as readonly string[]).includes(t),
    );
    if (argo.length > 0) return argo;
    // ge: pkg/sync/hook/helm/type.go: only these four map; crd-install, test and the rest do not.
    const helm: Record<string, HookType> = {
        "pre-install": "PreSync",
        "pre-upgrade": "PreSync",
        "post-install": "PostSync",
        "post-upgrade": "PostSync",
    };
    return csv(annotations["helm.sh/hook"]).flatMap((t) => (helm[t] === undefined ? [] : [helm[t]]));
}

// ge: pkg/sync/sync_phase.go syncPhases, pkg/sync/hook/hook.go IsHook and Skip, pkg/sync/hook/helm/hook.go IsHook.
export function placement(annotations: Readonly<Record<string, string>>): Placement {
    const types = hookTypesOf(annotations);
    // Skip counts only when it is the one type: "Skip,Sync" is a Sync hook.
    if (types.length === 1 && types[0] === "Skip") return { hook: false, phases: [] };
    const hook =
        "argocd.argoproj.io/hook" in annotations ||
        // Helm marks CRDs with the same annotation; "crd-install" alone makes no hook, so a plain Sync resource.
        ("helm.sh/hook" in annotations && annotations["helm.sh/hook"] !== "crd-install");
    if (!hook) return { hook: false, phases: ["Sync"] };
    // A hook with no engine type (PreDelete, helm's test) gets no sync task.
    return { hook: true, phases: phaseOrder.filter((p) => (types as readonly string[]).includes(p)) };
}

/** Group and kind as Go's unstructured GroupVersionKind() reads them: an apiVersion with two slashes gives neither. */
export function groupKind(object: { readonly apiVersion?: string; readonly kind: string }): {
    group: string;
    kind: string;
} {
    const apiVersion = object.apiVersion ?? "";
    const slashes = apiVersion.split("/").length - 1;
    if (apiVersion === "" || apiVersion === "/" || slashes === 0) return { group: "", kind: object.kind };
    if (slashes === 1) return { group: apiVersion.split("/")[0], kind: object.kind };
    return { group: "", kind: "" };
}

/**
 * The name a hook with only `metadata.generateName` gets: generateName, then lowercase
 * "<first 7 characters of the revision>-<phase>-<operation start, Unix seconds>", one per phase
 * (ge: pkg/sync/sync_context.go getSyncTasks). Retries keep the start time, so the name repeats.
 */
export function generatedHookName(
    generateName: string,
    phase: SyncPhase,
    revision: string | undefined,
    startedAt: Date | number | string | undefined,
): string {
    // strings.ToLower of the whole postfix is the same as lowercasing its parts; a value not given
    // stays a visible placeholder.
    const rev =
        revision === undefined ? "{revision}" : (revision.length >= 8 ? revision.slice(0, 7) : revision).toLowerCase();
    return `${generateName}${rev}-${phase.toLowerCase()}-${startedAt === undefined ? "{startedAt}" : unixSeconds(startedAt)}`;
}

/**
 * Go's time.Unix(): whole seconds since the epoch. A number is Unix seconds, or milliseconds
 * (Date.now()) when it is too large to be seconds (above 1e11, the year 5138).
 */
function unixSeconds(time: Date | number | string): number {
    const ms =
        time instanceof Date
            ? time.getTime()
            : typeof time === "string"
              ? Date.parse(time)
              : time > 1e11
                ? time
                : time * 1000;
    return Math.floor(ms / 1000);
}

// Go's strconv.Atoi: optional sign, decimal digits, nothing else, within int64 (Argo CD runs on 64 bits).
export function atoi(value: string | undefined): number | undefined {
    if (value === undefined || !/^[+-]?[0-9]+$/.test(value)) return undefined;
    const n = BigInt(value);
    return n >= -(2n ** 63n) && n < 2n ** 63n ? Number(n) : undefined;
}

/** ge: pkg/sync/syncwaves/waves.go: sync-wave, else helm.sh/hook-weight, else 0. */
export function wave(annotations: Readonly<Record<string, string>>): number {
    return atoi(annotations["argocd.argoproj.io/sync-wave"]) ?? atoi(annotations["helm.sh/hook-weight"]) ?? 0;
}

/** Hook delete policies; Helm's are added to Argo CD's; none means BeforeHookCreation (ge: pkg/sync/hook/delete_policy.go). */
export function deletePolicies(annotations: Readonly<Record<string, string>>): string[] {
    const helm: Record<string, string> = {
        "before-hook-creation": "BeforeHookCreation",
        "hook-succeeded": "HookSucceeded",
        "hook-failed": "HookFailed",
    };
    const valid = ["BeforeHookCreation", "HookSucceeded", "HookFailed"];
    const found = new Set<string>();
    for (const p of (annotations["argocd.argoproj.io/hook-delete-policy"] ?? "").split(","))
        if (valid.includes(p.trim())) found.add(p.trim());
    for (const p of (annotations["helm.sh/hook-delete-policy"] ?? "").split(","))
        if (helm[p.trim()] !== undefined) found.add(helm[p.trim()]);
    return found.size === 0 ? ["BeforeHookCreation"] : valid.filter((p) => found.has(p));
}

/**
 * Seconds the controller sleeps right after applying each wave but the last, before the wave's
 * first health check (ARGOCD_SYNC_WAVE_DELAY; argo-cd controller/sync.go delayBetweenSyncWaves,
 * called by ge: pkg/sync/sync_context.go Sync right after runTasks).
 */
export const waveDelaySeconds = 2;

/**
 * The controller's re-check of a running sync: the operation is re-processed this many seconds
 * after a watched object changes (a Job completing), and at the latest after the maximum
 * (argo-cd controller/appcontroller.go appOperationRequeueDelay, appOperationMaxRequeueInterval).
 * This, not the wave delay, is the gap between a Job completing and the next wave's apply.
 */
export const recheckSeconds = { afterChange: 5, atMost: 30 } as const;
