import type { SyncPhase } from "./argocd-rules";
import { deletePolicies, generatedHookName, groupKind, placement, wave, waveDelaySeconds } from "./argocd-rules";
import { healthCheck } from "./health-checks";
import type { OrderedTask } from "./task-order";
import { orderTasks } from "./task-order";

/** The fields of a Kubernetes object the sync order depends on. */
export interface KubeObject {
    /** Missing reads as "" (the core group), as in Go's unstructured objects. */
    readonly apiVersion?: string;
    /** Missing reads as "", an unlisted kind. */
    readonly kind?: string;
    readonly metadata?: {
        readonly name?: string;
        readonly generateName?: string;
        readonly namespace?: string;
        readonly annotations?: Readonly<Record<string, string>>;
    };
    readonly spec?: unknown;
}

/** What Argo CD knows at sync time that the manifests do not say. */
export interface PlanOptions {
    /** The Application's `spec.destination.namespace`: objects without `metadata.namespace` are put there (ge: getSyncTasks), and so count as in that Namespace. @default none */
    readonly namespace?: string;
    /** The revision being synced: a hook with only `generateName` is named from its first 7 characters. @default "{revision}" in the name */
    readonly revision?: string;
    /** When the sync operation started (a Date, an ISO time, Unix seconds or milliseconds): the rest of such a hook's name. @default "{startedAt}" in the name */
    readonly startedAt?: Date | number | string;
    /** "group/Kind" keys (`*` wildcards) the Argo CD instance's `resource.customizations` give a health check. @default [] */
    readonly healthChecks?: readonly string[];
    /** A sync that runs no hooks: a selective sync, or the "apply" strategy (argo-cd controller/sync.go). @default false */
    readonly skipHooks?: boolean;
}

/** One sync task: an object in one phase (ge: one task per phase). */
export interface SyncTask {
    readonly phase: SyncPhase;
    readonly wave: number;
    readonly kind: string;
    readonly name: string;
    /** "" for none. */
    readonly namespace: string;
    /** The API group ("" for the core group). */
    readonly group: string;
    readonly hook: boolean;
    readonly deletePolicies: readonly string[];
    /** What Healthy means for it (Argo CD's health check); undefined: no health check, done once applied. */
    readonly healthCheck?: string;
}

/** One (phase, wave): applied in one pass, then waited on before the next. */
export interface SyncStep {
    readonly step: number;
    readonly phase: SyncPhase;
    readonly wave: number;
    readonly tasks: readonly SyncTask[];
    /** Seconds Argo CD sleeps right after applying this step, before its first health check (0 after the last). */
    readonly delayAfterApply: number;
    /** The tasks whose health this step waits for: it fails when one is Degraded (a hook also when Unknown). */
    readonly gates: readonly SyncTask[];
    /**
     * Tasks this step does not wait for but whose health the engine still reads while it waits
     * for the step's hooks (a one-step sync): one seen Degraded before the last hook is done fails
     * the step, one that degrades later does not. A race the plan cannot decide (ge: Sync assesses
     * every running task, then fails on any completed unsuccessfully).
     */
    readonly watched: readonly SyncTask[];
    /** What must be true before this step is applied. */
    readonly waitsFor: string;
    /** What this step has to reach for the sync to go on. */
    readonly succeedsWhen: string;
}

export interface SyncPlan {
    /** PreSync, Sync and PostSync steps in the order Argo CD runs them. */
    readonly steps: readonly SyncStep[];
    /** SyncFail hooks: applied together, without waves, only when a step fails; each hook is waited on. */
    readonly onFailure: readonly SyncTask[];
    /** Objects with no sync task (Skip, only non-engine hooks such as PreDelete, or any hook when hooks are skipped). */
    readonly skipped: readonly { readonly kind: string; readonly name: string }[];
    /** More than one (phase, wave), SyncFail hooks included: then resources, not only hooks, are health-checked (ge: syncTasks.multiStep). */
    readonly multiStep: boolean;
}

interface Draft extends OrderedTask {
    readonly hook: boolean;
    readonly deletePolicies: readonly string[];
    readonly healthCheck?: string;
}

function crdKey(object: KubeObject, group: string, kind: string): string | undefined {
    if (group !== "apiextensions.k8s.io" || kind !== "CustomResourceDefinition") return undefined;
    const spec = object.spec as { group?: unknown; names?: { kind?: unknown } } | undefined;
    const [crdGroup, crdKind] = [spec?.group, spec?.names?.kind];
    return typeof crdGroup === "string" && typeof crdKind === "string" ? `${crdGroup}/${crdKind}` : undefined;
}

// ge: pkg/sync/sync_context.go getSyncTasks: one task per phase, hooks named, namespaces filled in.
function draftTasks(objects: readonly KubeObject[], options: PlanOptions) {
    const drafts: Draft[] = [];
    const skipped: { kind: string; name: string }[] = [];
    for (const object of objects) {
        const annotations = object.metadata?.annotations ?? {};
        const where = placement(annotations);
        const given = object.metadata?.name ?? "";
        const kind = object.kind ?? "";
        if (where.phases.length === 0 || (where.hook && options.skipHooks === true)) {
            skipped.push({ kind, name: given });
            continue;
        }
        const gvk = groupKind({ apiVersion: object.apiVersion, kind });
        for (const phase of where.phases) {
            // Only hooks are named: a plain resource without a name stays unnamed (and fails to apply).
            const name =
                where.hook && given === ""
                    ? generatedHookName(object.metadata?.generateName ?? "", phase, options.revision, options.startedAt)
                    : given;
            drafts.push({
                phase,
                wave: wave(annotations),
                kind,
                name,
                namespace: object.metadata?.namespace || (options.namespace ?? ""),
                group: gvk.group,
                gvkKind: gvk.kind,
                defines: crdKey(object, gvk.group, gvk.kind),
                hook: where.hook,
                deletePolicies: where.hook ? deletePolicies(annotations) : [],
                healthCheck: healthCheck({ group: gvk.group, kind: gvk.kind, spec: object.spec }, options.healthChecks),
            });
        }
    }
    return { drafts, skipped };
}

const freeze = (d: Draft): SyncTask => ({
    phase: d.phase,
    wave: d.wave,
    kind: d.kind,
    name: d.name,
    namespace: d.namespace,
    group: d.group,
    hook: d.hook,
    deletePolicies: d.deletePolicies,
    ...(d.healthCheck === undefined ? {} : { healthCheck: d.healthCheck }),
});

/** A plain (non-hook) workload that rolls out pods: the new code, once applied. */
export const rollsOutCode = (t: SyncTask) =>
    !t.hook && t.group === "apps" && ["Deployment", "StatefulSet", "DaemonSet"].includes(t.kind);

/** What a step must reach: each gate's health; a hook without a health check only has to be applied. */
/** What can still fail a one-step sync that does not wait for it (see SyncStep.watched). */
function raced(watched: readonly SyncTask[]): string {
    if (watched.length === 0) return "";
    const names = watched.map((t) => `${t.kind} ${t.name}`).join(", ");
    return `; fails instead if ${names} is seen Degraded first (not waited for: a race)`;
}

function stepGoal(gates: readonly SyncTask[], tasks: readonly SyncTask[]): string {
    const parts = tasks.flatMap((t) =>
        gates.includes(t)
            ? [`${t.kind} ${t.name} ${t.healthCheck ?? ""}`]
            : t.hook && t.healthCheck === undefined
              ? [`${t.kind} ${t.name} applied`]
              : [],
    );
    return parts.length === 0 ? "applied" : parts.join("; ");
}

/**
 * What Argo CD will do with these objects, step by step: sorted by phase, wave, kind and name
 * (a Namespace or CRD moved before its first user); each (phase, wave) applied in one pass,
 * then, after the wave delay, health-checked until its gates are Healthy, and the next step
 * applied at the controller's next re-check.
 */
export function planSync(objects: readonly KubeObject[], options: PlanOptions = {}): SyncPlan {
    const { drafts, skipped } = draftTasks(objects, options);
    const ordered = orderTasks(drafts).map(freeze);
    // ge: Sync: multiStep is read over every task, SyncFail hooks included.
    const multiStep =
        ordered.length > 0 &&
        (ordered[0].phase !== ordered[ordered.length - 1].phase ||
            ordered[0].wave !== ordered[ordered.length - 1].wave);
    const groups: { phase: SyncPhase; wave: number; tasks: SyncTask[] }[] = [];
    for (const task of ordered.filter((t) => t.phase !== "SyncFail")) {
        const last = groups[groups.length - 1];
        if (last !== undefined && last.phase === task.phase && last.wave === task.wave) last.tasks.push(task);
        else groups.push({ phase: task.phase, wave: task.wave, tasks: [task] });
    }
    const steps: SyncStep[] = [];
    groups.forEach((group, i) => {
        const final = i === groups.length - 1;
        const hasHooks = group.tasks.some((t) => t.hook);
        // Hooks are always waited on. Other resources only in a multi-step sync, and not in a last
        // step without hooks: that one succeeds right after its apply, even if it degrades later.
        const waitsForResources = multiStep && !(final && !hasHooks);
        const gates = group.tasks.filter((t) => t.healthCheck !== undefined && (t.hook || waitsForResources));
        const watched = hasHooks ? group.tasks.filter((t) => t.healthCheck !== undefined && !gates.includes(t)) : [];
        const previous = steps[i - 1];
        steps.push({
            step: i + 1,
            ...group,
            delayAfterApply: final ? 0 : waveDelaySeconds,
            gates,
            watched,
            waitsFor:
                previous === undefined
                    ? "dry-run of every object succeeds"
                    : previous.gates.length === 0
                      ? `step ${i}: applied; then the ${previous.delayAfterApply}s wave delay and a controller re-check`
                      : `step ${i}: ${previous.succeedsWhen}; first checked after the ${previous.delayAfterApply}s wave delay that follows its apply, then at each controller re-check`,
            succeedsWhen: `${stepGoal(gates, group.tasks)}${raced(watched)}`,
        });
    });
    return { steps, onFailure: ordered.filter((t) => t.phase === "SyncFail"), skipped, multiStep };
}
