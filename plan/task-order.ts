// The order Argo CD applies sync tasks in (ge: pkg/sync/sync_tasks.go Less and Sort). The
// line-by-line port in reference-sort.ts is the yardstick: a property test holds the two equal.
import type { SyncPhase } from "./argocd-rules";
import { kindRank, phaseOrder } from "./argocd-rules";

/** What the order of a task depends on. Phase and wave change when a dependency moves. */
export interface OrderedTask {
    phase: SyncPhase;
    wave: number;
    /** `kind` as written: the kind order reads it so. */
    readonly kind: string;
    readonly name: string;
    /** After the destination namespace is filled in; "" for none. */
    readonly namespace: string;
    /** From apiVersion as Go parses it ("" for the core group or an unparsable apiVersion). */
    readonly group: string;
    /** The kind Go's GroupVersionKind() gives: "" when apiVersion is unparsable. */
    readonly gvkKind: string;
    /** For a CustomResourceDefinition: the group/Kind key of the resources it defines. */
    readonly defines?: string;
}

// Go compares strings byte by byte (UTF-8); JavaScript's < compares UTF-16 units.
function compareBytes(a: string, b: string): number {
    return a === b ? 0 : Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Phase, then wave, then kind, then name (ge: pkg/sync/sync_tasks.go Less). */
export function compareTasks(a: OrderedTask, b: OrderedTask): number {
    return (
        phaseOrder.indexOf(a.phase) - phaseOrder.indexOf(b.phase) ||
        Math.sign(a.wave - b.wave) ||
        kindRank(a.kind) - kindRank(b.kind) ||
        compareBytes(a.name, b.name)
    );
}

// A dependency found after the first task that needs it moves just before that task and takes its
// phase and wave; one found before stays. The rest keep their order.
function moveDependencies(
    tasks: OrderedTask[],
    dependencyKey: (t: OrderedTask) => string | undefined,
    userKey: (t: OrderedTask) => string | undefined,
): void {
    const firstUser = new Map<string, OrderedTask>();
    tasks.forEach((task, i) => {
        const key = dependencyKey(task);
        if (key === undefined) {
            const used = userKey(task);
            if (used !== undefined && !firstUser.has(used)) firstUser.set(used, task);
            return;
        }
        const user = firstUser.get(key);
        if (user === undefined) return;
        task.phase = user.phase;
        task.wave = user.wave;
        tasks.splice(i, 1);
        tasks.splice(tasks.indexOf(user), 0, task);
    });
}

/**
 * Sorts the tasks in place as Argo CD does: by phase, wave, kind and name; then each Namespace
 * moves just before the first task in it, and each CRD just before the first of its resources.
 * Tasks equal in all four keep their given order: upstream they come from a Go map, so their order
 * is not defined there.
 */
export function orderTasks<T extends OrderedTask>(tasks: T[]): T[] {
    tasks.sort(compareTasks);
    const all = tasks as OrderedTask[];
    moveDependencies(
        all,
        (t) => (t.kind === "Namespace" && t.group === "" ? t.name : undefined),
        (t) => (t.namespace === "" ? undefined : t.namespace),
    );
    moveDependencies(
        all,
        (t) => t.defines,
        (t) => `${t.group}/${t.gvkKind}`,
    );
    return tasks;
}
