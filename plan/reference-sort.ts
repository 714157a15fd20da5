// REFERENCE, not used by the planner: a line-by-line port of gitops-engine's task order, kept as
// the yardstick the planner (task-order.ts) is tested against (test/sync-order-property.test.ts).
// Source: github.com/argoproj/gitops-engine @5baed5604d2d (v0.7.1-0.20251217140045),
// pkg/sync/sync_tasks.go, with the few lines of sync_task.go, sync_phase.go, hook/, syncwaves/ and
// sync_context.go getSyncTasks that decide a task's phase, wave, name and namespace. Written
// to read like the Go, not like this repository: change it only to follow upstream.
//
// One deliberate difference: Go's sort.Sort is not stable, and the tasks it sorts come from a Go
// map (random order), so tasks equal in phase, wave, kind and name have no defined order upstream.
// Here, as in the planner, they keep their input order (a stable sort).

/** unstructured.Unstructured, as far as the order reads it. */
export interface Unstructured {
    readonly apiVersion?: string;
    readonly kind?: string;
    readonly metadata?: {
        readonly name?: string;
        readonly generateName?: string;
        readonly namespace?: string;
        readonly annotations?: Readonly<Record<string, string>>;
    };
    readonly spec?: unknown;
}

// --- k8s.io/apimachinery unstructured accessors ---
const getKind = (o: Unstructured) => o.kind ?? "";
const getName = (o: Unstructured) => o.metadata?.name ?? "";
const getNamespace = (o: Unstructured) => o.metadata?.namespace ?? "";
const getAnnotations = (o: Unstructured): Readonly<Record<string, string>> => o.metadata?.annotations ?? {};

// schema.ParseGroupVersion (runtime/schema/group_version.go L211-227) and
// Unstructured.GroupVersionKind(): an error gives the empty GroupVersionKind.
function groupVersionKind(o: Unstructured): { Group: string; Kind: string } {
    const gv = o.apiVersion ?? "";
    if (gv.length === 0 || gv === "/") return { Group: "", Kind: getKind(o) };
    switch (gv.split("/").length - 1) {
        case 0:
            return { Group: "", Kind: getKind(o) };
        case 1:
            return { Group: gv.slice(0, gv.indexOf("/")), Kind: getKind(o) };
        default:
            return { Group: "", Kind: "" };
    }
}

// unstructured.NestedString: ok only when the field is a string.
function nestedString(o: Unstructured, ...fields: string[]): [string, boolean] {
    let value: unknown = o;
    for (const f of fields) {
        if (typeof value !== "object" || value === null) return ["", false];
        value = (value as Record<string, unknown>)[f];
    }
    return typeof value === "string" ? [value, true] : ["", false];
}

// strconv.Atoi on a 64-bit platform.
function atoi(text: string): [number, boolean] {
    if (!/^[+-]?[0-9]+$/.test(text)) return [0, false];
    const n = BigInt(text);
    return n >= -(2n ** 63n) && n < 2n ** 63n ? [Number(n), true] : [0, false];
}

// Go's < on strings: byte-wise on UTF-8.
const goLess = (a: string, b: string) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")) < 0;

// --- pkg/sync/resource/annotations.go GetAnnotationCSVs ---
function getAnnotationCSVs(obj: Unstructured, key: string): string[] {
    const valuesToBool = new Map<string, boolean>();
    for (const item of (getAnnotations(obj)[key] ?? "").split(",")) {
        const val = item.trim();
        if (val !== "") valuesToBool.set(val, true);
    }
    return [...valuesToBool.keys()];
}

// --- pkg/sync/hook/helm: weight.go Weight L10, hook.go IsHook L5, type.go Types L38 ---
function helmWeight(obj: Unstructured): number {
    const text = getAnnotations(obj)["helm.sh/hook-weight"];
    if (text !== undefined) {
        const [value, ok] = atoi(text);
        if (ok) return value;
    }
    return 0;
}
function helmIsHook(obj: Unstructured): boolean {
    const value = getAnnotations(obj)["helm.sh/hook"];
    return value !== undefined && value !== "crd-install";
}
const helmHookTypes: Record<string, string> = {
    "pre-install": "PreSync",
    "pre-upgrade": "PreSync",
    "post-upgrade": "PostSync",
    "post-install": "PostSync",
};
function helmTypes(obj: Unstructured): string[] {
    return getAnnotationCSVs(obj, "helm.sh/hook").filter((t) => t in helmHookTypes);
}

// --- pkg/sync/hook/hook.go IsHook L26, Skip L34, Types L43 ---
const hookTypes = ["PreSync", "Sync", "PostSync", "SyncFail", "Skip"];
function isHook(obj: Unstructured): boolean {
    if ("argocd.argoproj.io/hook" in getAnnotations(obj)) return !skip(obj);
    return helmIsHook(obj);
}
function skip(obj: Unstructured): boolean {
    for (const hookType of types(obj)) {
        if (hookType === "Skip") return types(obj).length === 1;
    }
    return false;
}
function types(obj: Unstructured): string[] {
    const result = getAnnotationCSVs(obj, "argocd.argoproj.io/hook").filter((t) => hookTypes.includes(t));
    // we ignore Helm hooks if we have Argo hook
    if (result.length === 0) for (const t of helmTypes(obj)) result.push(helmHookTypes[t]);
    return result;
}

// --- pkg/sync/sync_phase.go syncPhases L10 ---
export function syncPhases(obj: Unstructured): string[] {
    if (skip(obj)) return [];
    if (isHook(obj)) {
        const phasesMap = new Set<string>();
        for (const hookType of types(obj)) {
            if (["PreSync", "Sync", "PostSync", "SyncFail"].includes(hookType)) phasesMap.add(hookType);
        }
        return [...phasesMap];
    }
    return ["Sync"];
}

// --- pkg/sync/syncwaves/waves.go Wave L12 ---
function syncWave(obj: Unstructured): number {
    const text = getAnnotations(obj)["argocd.argoproj.io/sync-wave"];
    if (text !== undefined) {
        const [val, ok] = atoi(text);
        if (ok) return val;
    }
    return helmWeight(obj);
}

// --- pkg/sync/sync_task.go: syncTask, wave() L59 ---
export class RefSyncTask {
    waveOverride?: number;
    constructor(
        public phase: string,
        public readonly targetObj: Unstructured,
    ) {}
    obj(): Unstructured {
        return this.targetObj;
    }
    wave(): number {
        if (this.waveOverride !== undefined) return this.waveOverride;
        return syncWave(this.obj());
    }
    isHook(): boolean {
        return isHook(this.obj());
    }
}

// --- pkg/sync/sync_context.go getSyncTasks L773-845: a task per phase; unnamed hooks named; the
// destination namespace filled in. Upstream lists resources (from a map) before hooks; here every
// object's tasks come in manifest order, which only matters for ties (see the header). ---
export function getSyncTasks(
    objects: readonly Unstructured[],
    sc: { revision: string; startedAtUnix: number; namespace: string },
): RefSyncTask[] {
    const tasks: RefSyncTask[] = [];
    for (const obj of objects) {
        for (const phase of syncPhases(obj)) {
            // Hook resources names are deterministic, whether they are defined by the user (metadata.name),
            // or formulated at the time of the operation (metadata.generateName).
            let targetObj = obj;
            if (isHook(obj) && getName(targetObj) === "") {
                const syncRevision = sc.revision.length >= 8 ? sc.revision.slice(0, 7) : sc.revision;
                const postfix = `${syncRevision}-${phase}-${sc.startedAtUnix}`.toLowerCase();
                const generateName = obj.metadata?.generateName ?? "";
                targetObj = { ...targetObj, metadata: { ...targetObj.metadata, name: `${generateName}${postfix}` } };
            }
            // enrich target objects with the namespace
            if (getNamespace(targetObj) === "") {
                targetObj = { ...targetObj, metadata: { ...targetObj.metadata, namespace: sc.namespace } };
            }
            tasks.push(new RefSyncTask(phase, targetObj));
        }
    }
    return tasks;
}

// --- pkg/sync/sync_tasks.go ---

// L15-20
const syncPhaseOrder = new Map<string, number>([
    ["PreSync", -1],
    ["Sync", 0],
    ["PostSync", 1],
    ["SyncFail", 2],
]);

// L24-68: init(): every listed kind negative, so a kind not in the map (0) sorts last.
const kindOrder = new Map<string, number>();
(function init() {
    const kinds = [
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
    ];
    kinds.forEach((kind, i) => {
        // make sure none of the above entries are zero, we need that for custom resources
        kindOrder.set(kind, i - kinds.length);
    });
})();

// L85-110 Less
function less(tA: RefSyncTask, tB: RefSyncTask): boolean {
    let d = (syncPhaseOrder.get(tA.phase) ?? 0) - (syncPhaseOrder.get(tB.phase) ?? 0);
    if (d !== 0) return d < 0;

    d = tA.wave() - tB.wave();
    if (d !== 0) return d < 0;

    const a = tA.obj();
    const b = tB.obj();

    // we take advantage of the fact that if the kind is not in the kindOrder map,
    // then it will return the default int value of zero, which is the highest value
    d = (kindOrder.get(getKind(a)) ?? 0) - (kindOrder.get(getKind(b)) ?? 0);
    if (d !== 0) return d < 0;

    return goLess(getName(a), getName(b));
}

type DepFunc = (obj: Unstructured) => [string, boolean];

// L112-138 Sort
export function sortTasks(s: RefSyncTask[]): RefSyncTask[] {
    // sort.Sort(s), stable here (see the header)
    s.sort((x, y) => (less(x, y) ? -1 : less(y, x) ? 1 : 0));
    // make sure namespaces are created before resources referencing namespaces
    adjustDeps(
        s,
        (obj) => [getName(obj), getKind(obj) === "Namespace" && groupVersionKind(obj).Group === ""],
        (obj) => [getNamespace(obj), getNamespace(obj) !== ""],
    );
    // make sure CRDs are created before CRs
    adjustDeps(
        s,
        (obj) => {
            const gvk = groupVersionKind(obj);
            if (gvk.Kind === "CustomResourceDefinition" && gvk.Group === "apiextensions.k8s.io") {
                const [crdGroup, okGroup] = nestedString(obj, "spec", "group");
                if (!okGroup) return ["", false];
                const [crdKind, okKind] = nestedString(obj, "spec", "names", "kind");
                if (!okKind) return ["", false];
                return [`${crdGroup}/${crdKind}`, true];
            }
            return ["", false];
        },
        (obj) => {
            const gk = groupVersionKind(obj);
            return [`${gk.Group}/${gk.Kind}`, true];
        },
    );
    return s;
}

// L142-177 adjustDeps
function adjustDeps(s: RefSyncTask[], isDep: DepFunc, doesRefDep: DepFunc): void {
    // store dependency key and first occurrence of resource referencing the dependency
    const firstIndexByDepKey = new Map<string, number>();

    for (let i = 0; i < s.length; i++) {
        const t = s[i];
        const [depKey, ok] = isDep(t.targetObj);
        if (ok) {
            // if tasks is a dependency then insert if before first task that reference it
            const index = firstIndexByDepKey.get(depKey);
            if (index !== undefined) {
                // wave and sync phase of dependency resource must be same as wave and phase of resource that depend on it
                const wave = s[index].wave();
                t.waveOverride = wave;
                t.phase = s[index].phase;

                for (let j = i; j > index; j--) s[j] = s[j - 1];
                s[index] = t;
                // increase previously collected indexes by 1
                for (const [ns, firstIndex] of firstIndexByDepKey) {
                    if (firstIndex >= index) firstIndexByDepKey.set(ns, firstIndex + 1);
                }
            }
        } else {
            const [refKey, refOk] = doesRefDep(t.targetObj);
            // if task is referencing the dependency then store first index of it
            if (refOk && !firstIndexByDepKey.has(refKey)) firstIndexByDepKey.set(refKey, i);
        }
    }
}

// L274-276 multiStep
export function multiStep(s: readonly RefSyncTask[]): boolean {
    if (s.length === 0) return false;
    const first = s[0];
    const last = s[s.length - 1];
    return first.wave() !== last.wave() || first.phase !== last.phase;
}
