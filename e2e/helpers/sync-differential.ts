// The sync planner against Argo CD's own sync engine: what `planSync` says happens (the order of
// steps, what each waits for, where a failure stops it and what SyncFail runs) next to what
// `migrate-first-sync --json` recorded the engine doing on a real API server.
import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { stringify } from "yaml";
import type { KubeObject, SyncPlan, SyncTask } from "../../plan";
import type { ControlPlane } from "../../rehearsal/cluster/control-plane";
import type { EngineStep, SyncOutcome } from "../../rehearsal/cluster/sync-engine";
import { runSyncEngine } from "../../rehearsal/cluster/sync-engine";
import type { Observed } from "./cluster-watch";
import { taskKey } from "./cluster-watch";

/** A small deterministic generator (mulberry32): the same sets on every run, so a failure is reproducible by its seed. */
export function random(seed: number): () => number {
    let a = seed;
    return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** Runs one sync operation of `objects` into `namespace`, writing them under `dir`; resolves with the engine's record. */
export async function runSync(
    cluster: ControlPlane,
    namespace: string,
    dir: string,
    objects: readonly unknown[],
    flags: readonly string[] = [],
): Promise<{ outcome: SyncOutcome; output: string }> {
    mkdirSync(join(dir, "manifests"), { recursive: true });
    writeFileSync(join(dir, "manifests", "manifests.yaml"), objects.map((o) => stringify(o)).join("---\n"));
    return runSyncEngine(cluster.kubeconfig, join(dir, "manifests"), {
        namespace,
        json: join(dir, "outcome.json"),
        flags,
    });
}

/** A group of the order: a (phase, wave) step, or "SyncFail" for the failure hooks (applied together, whatever their wave). */
interface Group {
    key: string;
    objects: string[];
}

/**
 * What the planner says the engine will do. `failing` names ("Kind/name") the objects that will
 * end Degraded (a Job whose pod exits non-zero): a step fails when one of them is among its
 * gates, the later steps are never applied and the SyncFail hooks are; one that is not a gate
 * (the last step of plain resources, or a sync of one step) fails nothing.
 */
export function predicted(plan: SyncPlan, failing: ReadonlySet<string>) {
    const failedStep = plan.steps.find((s) => s.gates.some((g) => failing.has(taskKey(g))));
    const steps = failedStep === undefined ? plan.steps : plan.steps.slice(0, plan.steps.indexOf(failedStep) + 1);
    const groups: { key: string; tasks: readonly SyncTask[]; gates: readonly SyncTask[] }[] = steps.map((s) => ({
        key: `${s.phase} ${s.wave}`,
        tasks: s.tasks,
        gates: s.gates,
    }));
    if (failedStep !== undefined && plan.onFailure.length > 0)
        // Each SyncFail hook is waited on (SyncPlan.onFailure), health check or not: the operation
        // ends when they have.
        groups.push({ key: "SyncFail", tasks: plan.onFailure, gates: plan.onFailure });
    // A failing task the step does not wait for but reads while its hooks run (SyncStep.watched):
    // whether the sync fails depends on which comes first. The steps are the same either way
    // (such a step is the only one: a one-step sync).
    const racing =
        failedStep === undefined ? plan.steps.flatMap((s) => s.watched).filter((t) => failing.has(taskKey(t))) : [];
    return { phase: failedStep === undefined ? "Succeeded" : "Failed", failedStep, groups, racing };
}

/** The engine's steps grouped as the planner groups them, in the order the engine applied them. */
export function appliedGroups(steps: readonly EngineStep[]): Group[] {
    const groups: Group[] = [];
    for (const step of steps) {
        const key = step.syncPhase === "SyncFail" ? "SyncFail" : `${step.syncPhase} ${step.wave}`;
        const last = groups[groups.length - 1];
        if (last?.key === key) last.objects.push(taskKey(step));
        else groups.push({ key, objects: [taskKey(step)] });
    }
    groups.forEach((g) => g.objects.sort());
    return groups;
}

/** One line per engine step: what it was, how it ended, and the reconciles it was applied and finished in. */
export function engineOrder(outcome: SyncOutcome): string {
    return [
        `phase ${outcome.phase}: ${outcome.message}`,
        ...outcome.steps.map(
            (s) =>
                `  ${s.order}. ${s.syncPhase} ${s.wave} ${taskKey(s)} ${s.status} ${s.hookPhase ?? ""} applied@${s.appliedIn} finished@${s.finishedIn ?? "-"}${s.message ? ` (${s.message})` : ""}`,
        ),
    ].join("\n");
}

/** The planner's steps, one line each, with their gates. */
export function plannerOrder(plan: SyncPlan, failing: ReadonlySet<string>): string {
    const expected = predicted(plan, failing);
    return [
        `phase ${expected.phase}${expected.failedStep === undefined ? "" : ` at step ${expected.failedStep.step}`}${expected.racing.length === 0 ? "" : ", or Failed if the hooks finish after it degrades"}`,
        ...plan.steps.map(
            (s) =>
                `  step ${s.step}: ${s.phase} ${s.wave}: ${s.tasks.map(taskKey).join(", ")}; gates: ${s.gates.map(taskKey).join(", ") || "none"}; watched: ${s.watched.map(taskKey).join(", ") || "none"}`,
        ),
        `  on failure: ${plan.onFailure.map(taskKey).join(", ") || "none"}`,
    ].join("\n");
}

/**
 * Whether a hook the engine applied is deleted at the end, by its delete policies as the planner
 * read them: HookSucceeded when the whole operation succeeded, HookFailed when it failed, whatever
 * the hook's own result (ARGOCD.md §5; BeforeHookCreation deletes only an older object of the
 * same name, never there in a namespace of its own).
 */
export function deletedByPolicy(plan: SyncPlan, outcome: SyncOutcome, step: EngineStep): boolean {
    const task = [...plan.steps.flatMap((s) => s.tasks), ...plan.onFailure].find(
        (t) => t.hook && t.phase === step.syncPhase && taskKey(t) === taskKey(step),
    );
    const policies = task?.deletePolicies ?? [];
    return (
        (outcome.phase === "Succeeded" && policies.includes("HookSucceeded")) ||
        (outcome.phase === "Failed" && policies.includes("HookFailed"))
    );
}

/**
 * Where the engine's record departs from the plan, as sentences (none: they agree):
 * - the groups, in order, with the same objects, and the operation's phase (either, for a
 *   failing task a step only watches: then as the engine's record says it raced);
 * - waits: every object of a group applied in a later reconcile than every object of the group
 *   before, and after each of that group's gates was seen finished (Healthy, Complete; Degraded
 *   for the failing one): within a reconcile the engine assesses health before it applies;
 * - each gate of a step that ran to its end finished, Succeeded (or Failed: the failing one);
 * - on the API server's own record (`observed`, from watchCluster): every object of a group
 *   created after every object of the group before, and after each of its gates was done
 *   (Complete, Failed, Available), whatever the engine believed;
 * - hooks deleted at the end exactly as their delete policies say (deletedByPolicy), plain
 *   resources never. Called before the namespace is deleted.
 */
export function differences(
    plan: SyncPlan,
    failing: ReadonlySet<string>,
    outcome: SyncOutcome,
    observed: ReadonlyMap<string, Observed>,
): string[] {
    const expected = predicted(plan, failing);
    const problems: string[] = [];
    if (expected.racing.length > 0) {
        // Failed only if the engine saw it Degraded no later than the last of the step's gates
        // finished; Succeeded only if it never saw it so.
        const gatesDone = Math.max(
            ...plan.steps
                .flatMap((s) => s.gates)
                .map((g) => outcome.steps.find((e) => taskKey(e) === taskKey(g))?.finishedIn ?? Infinity),
        );
        const seenFailed = expected.racing.flatMap((t) =>
            outcome.steps.filter((e) => taskKey(e) === taskKey(t) && e.hookPhase === "Failed"),
        );
        if (outcome.phase === "Failed" && !seenFailed.some((e) => (e.finishedIn ?? Infinity) <= gatesDone))
            problems.push(
                `the operation ended Failed, but no watched task was seen Degraded before the hooks were done`,
            );
        else if (outcome.phase === "Succeeded" && seenFailed.length > 0)
            problems.push(
                `the operation ended Succeeded, though ${seenFailed.map(taskKey).join(", ")} was seen Degraded`,
            );
        else if (outcome.phase !== "Failed" && outcome.phase !== "Succeeded")
            problems.push(`the operation ended ${outcome.phase}, the planner says Succeeded or Failed`);
    } else if (outcome.phase !== expected.phase)
        problems.push(`the operation ended ${outcome.phase}, the planner says ${expected.phase}`);
    const engineGroups = appliedGroups(outcome.steps);
    const plannedGroups = expected.groups.map((g) => ({ key: g.key, objects: g.tasks.map(taskKey).sort() }));
    if (JSON.stringify(engineGroups) !== JSON.stringify(plannedGroups)) {
        problems.push(
            `the engine applied ${JSON.stringify(engineGroups)}, the planner says ${JSON.stringify(plannedGroups)}`,
        );
        return problems;
    }
    const stepOf = (group: string, object: string) =>
        outcome.steps.find(
            (s) =>
                (s.syncPhase === "SyncFail" ? "SyncFail" : `${s.syncPhase} ${s.wave}`) === group &&
                taskKey(s) === object,
        );
    expected.groups.forEach((group, i) => {
        const mine = group.tasks.map((t) => stepOf(group.key, taskKey(t))).filter((s) => s !== undefined);
        for (const gate of group.gates) {
            const step = stepOf(group.key, taskKey(gate));
            const want = failing.has(taskKey(gate)) ? "Failed" : "Succeeded";
            if (step?.finishedIn === undefined)
                problems.push(
                    `${group.key}: the planner waits for ${taskKey(gate)} (${gate.healthCheck ?? "applied"}), the engine never saw it finish`,
                );
            else if (step.hookPhase !== want)
                problems.push(`${group.key}: ${taskKey(gate)} ended ${step.hookPhase}, expected ${want}`);
        }
        const next = expected.groups[i + 1];
        if (next === undefined) return;
        const seen = (t: SyncTask) => {
            const record = observed.get(`${t.namespace}/${taskKey(t)}`);
            if (record === undefined) problems.push(`the API server never showed ${taskKey(t)} in ${t.namespace}`);
            return record;
        };
        const lastCreated = Math.max(...group.tasks.map((t) => seen(t)?.created ?? -Infinity));
        for (const task of next.tasks) {
            const created = seen(task)?.created;
            if (created === undefined) continue;
            if (created < lastCreated)
                problems.push(`the API server stored ${next.key} ${taskKey(task)} before all of ${group.key}`);
            for (const gate of group.gates) {
                const done = seen(gate)?.done;
                if (done === undefined || done > created)
                    problems.push(
                        `the API server stored ${next.key} ${taskKey(task)} (revision ${created}) before ${group.key}'s gate ${taskKey(gate)} was done (revision ${done ?? "never"})`,
                    );
            }
        }
        const lastApplied = Math.max(...mine.map((s) => s.appliedIn));
        for (const task of next.tasks) {
            const step = stepOf(next.key, taskKey(task));
            if (step === undefined) continue;
            if (step.appliedIn <= lastApplied)
                problems.push(
                    `${next.key} ${taskKey(task)} was applied in reconcile ${step.appliedIn}, not after ${group.key} (applied by reconcile ${lastApplied})`,
                );
            for (const gate of group.gates) {
                const finished = stepOf(group.key, taskKey(gate))?.finishedIn;
                if (finished !== undefined && finished > step.appliedIn)
                    problems.push(
                        `${next.key} ${taskKey(task)} was applied in reconcile ${step.appliedIn}, before ${group.key}'s gate ${taskKey(gate)} finished (reconcile ${finished})`,
                    );
            }
        }
    });
    for (const step of outcome.steps) {
        const deleted = observed.get(`${step.namespace}/${taskKey(step)}`)?.deleted !== undefined;
        const expected = deletedByPolicy(plan, outcome, step);
        if (deleted !== expected)
            problems.push(
                `${step.syncPhase} ${taskKey(step)} was ${deleted ? "" : "not "}deleted by the end, expected ${expected ? "deleted" : "kept"} (operation ${outcome.phase})`,
            );
    }
    return [...new Set(problems)];
}

export type { KubeObject };
