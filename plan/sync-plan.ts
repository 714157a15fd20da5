import type { SyncPhase } from "./argocd-rules";
import { deletePolicies, kindRank, phaseOrder, placement, wave, waveDelaySeconds } from "./argocd-rules";

/** The fields of a Kubernetes object the sync order depends on. */
export interface KubeObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata?: {
        readonly name?: string;
        readonly namespace?: string;
        readonly annotations?: Readonly<Record<string, string>>;
    };
    readonly spec?: unknown;
}

/** One sync task: an object in one phase (ge: one task per phase). */
export interface SyncTask {
    readonly phase: SyncPhase;
    readonly wave: number;
    readonly kind: string;
    readonly name: string;
    readonly hook: boolean;
    readonly deletePolicies: readonly string[];
}

/** One (phase, wave): applied in one pass, then waited on before the next. */
export interface SyncStep {
    readonly step: number;
    readonly phase: SyncPhase;
    readonly wave: number;
    readonly tasks: readonly SyncTask[];
    /** What must be true before this step is applied. */
    readonly waitsFor: string;
    /** What this step has to reach for the sync to go on. */
    readonly succeedsWhen: string;
}

export interface SyncPlan {
    /** PreSync, Sync and PostSync steps in the order Argo CD runs them. */
    readonly steps: readonly SyncStep[];
    /** SyncFail hooks: applied together, without waves, only when a step fails. */
    readonly onFailure: readonly SyncTask[];
    /** Objects with no sync task (Skip, or only non-engine hooks such as PreDelete). */
    readonly skipped: readonly { readonly kind: string; readonly name: string }[];
}

function compareTasks(a: SyncTask, b: SyncTask): number {
    return (
        phaseOrder.indexOf(a.phase) - phaseOrder.indexOf(b.phase) ||
        a.wave - b.wave ||
        kindRank(a.kind) - kindRank(b.kind) ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    );
}

// A Namespace moves before the first task in it, and a CRD before its first custom
// resource, each taking that task's phase and wave (ge: pkg/sync/sync_tasks.go).
function hoistDependencies(tasks: SyncTask[], objects: Map<SyncTask, KubeObject>): SyncTask[] {
    const sorted = [...tasks].sort(compareTasks);
    const firstUser = (match: (o: KubeObject) => boolean) => sorted.find((t) => match(objects.get(t) as KubeObject));
    return sorted.map((task) => {
        const object = objects.get(task) as KubeObject;
        let user: SyncTask | undefined;
        if (task.kind === "Namespace") {
            user = firstUser((o) => o.kind !== "Namespace" && o.metadata?.namespace === task.name);
        } else if (task.kind === "CustomResourceDefinition") {
            const crd = object.spec as { group?: string; names?: { kind?: string } } | undefined;
            user = firstUser((o) => o.apiVersion.split("/")[0] === crd?.group && o.kind === crd?.names?.kind);
        }
        return user !== undefined && compareTasks(user, task) < 0
            ? { ...task, phase: user.phase, wave: user.wave }
            : task;
    });
}

const isJob = (t: SyncTask) => t.kind === "Job" || t.kind === "Pod";

/** A plain (non-hook) workload that rolls out pods: the new code, once applied. */
export const rollsOutCode = (t: SyncTask) => !t.hook && ["Deployment", "StatefulSet", "DaemonSet"].includes(t.kind);

function goal(step: { tasks: readonly SyncTask[] }, waitForHealth: boolean): string {
    const parts = step.tasks.flatMap((t) => {
        if (t.hook) return [`${t.kind} ${t.name} ${isJob(t) ? "Complete" : "applied"}`];
        if (!waitForHealth) return [];
        if (rollsOutCode(t)) return [`${t.kind} ${t.name} Healthy (every replica updated and available)`];
        return [];
    });
    return parts.length === 0 ? "applied" : parts.join("; ");
}

/**
 * What Argo CD will do with these objects, step by step: sorted by phase, wave, kind and
 * name; each (phase, wave) applied in one pass and waited on before the next.
 */
export function planSync(objects: readonly KubeObject[]): SyncPlan {
    const tasks: SyncTask[] = [];
    const owners = new Map<SyncTask, KubeObject>();
    const skipped: { kind: string; name: string }[] = [];
    for (const object of objects) {
        const annotations = object.metadata?.annotations ?? {};
        const where = placement(annotations);
        const name = object.metadata?.name ?? "";
        if (where.phases.length === 0) skipped.push({ kind: object.kind, name });
        for (const phase of where.phases) {
            const task: SyncTask = {
                phase,
                wave: wave(annotations),
                kind: object.kind,
                name,
                hook: where.hook,
                deletePolicies: where.hook ? deletePolicies(annotations) : [],
            };
            tasks.push(task);
            owners.set(task, object);
        }
    }
    const ordered = hoistDependencies(tasks, owners).sort(compareTasks);
    const groups: { phase: SyncPhase; wave: number; tasks: SyncTask[] }[] = [];
    for (const task of ordered.filter((t) => t.phase !== "SyncFail")) {
        const last = groups[groups.length - 1];
        if (last !== undefined && last.phase === task.phase && last.wave === task.wave) last.tasks.push(task);
        else groups.push({ phase: task.phase, wave: task.wave, tasks: [task] });
    }
    // With more than one (phase, wave), every resource must be Healthy; a last wave
    // of plain resources only succeeds right after apply.
    const several = groups.length > 1;
    const steps = groups.map((group, i): SyncStep => {
        const previous = groups[i - 1];
        return {
            step: i + 1,
            ...group,
            waitsFor:
                previous === undefined
                    ? "dry-run of every object succeeds"
                    : `step ${i}: ${goal(previous, several)}, then ${waveDelaySeconds}s wave delay`,
            succeedsWhen: goal(group, several && !(i === groups.length - 1 && group.tasks.every((t) => !t.hook))),
        };
    });
    return { steps, onFailure: ordered.filter((t) => t.phase === "SyncFail"), skipped };
}
