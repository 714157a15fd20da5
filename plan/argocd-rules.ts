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

// ge: pkg/sync/hook/hook.go and pkg/sync/hook/helm/type.go.
export function placement(annotations: Readonly<Record<string, string>>): Placement {
    const argo = annotations["argocd.argoproj.io/hook"];
    const helm = annotations["helm.sh/hook"];
    const split = (value: string | undefined) => [
        ...new Set(
            (value ?? "")
                .split(",")
                .map((t) => t.trim())
                .filter((t) => t !== ""),
        ),
    ];
    let types = split(argo).filter((t): t is HookType => (hookTypes as readonly string[]).includes(t));
    if (types.length === 0) {
        // Helm's hooks count only when there is no valid Argo CD type.
        const mapped = split(helm).map((t) =>
            t === "pre-install" || t === "pre-upgrade"
                ? "PreSync"
                : t === "post-install" || t === "post-upgrade"
                  ? "PostSync"
                  : undefined,
        );
        types = [...new Set(mapped.filter((t): t is "PreSync" | "PostSync" => t !== undefined))];
    }
    if (types.length === 0) {
        // An object with a hook annotation but no valid type (e.g. PreDelete) gets no sync task.
        return argo === undefined && helm === undefined
            ? { hook: false, phases: ["Sync"] }
            : { hook: true, phases: [] };
    }
    if (types.length === 1 && types[0] === "Skip") return { hook: true, phases: [] };
    return { hook: true, phases: phaseOrder.filter((p) => (types as string[]).includes(p)) };
}

// Go's strconv.Atoi: optional sign, decimal digits, nothing else, within int64.
function atoi(value: string | undefined): number | undefined {
    if (value === undefined || !/^[+-]?[0-9]+$/.test(value)) return undefined;
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
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

/** Seconds the controller sleeps after each non-final wave (ARGOCD_SYNC_WAVE_DELAY, argo-cd controller/sync.go). */
export const waveDelaySeconds = 2;
