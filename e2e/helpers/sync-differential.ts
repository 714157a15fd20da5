// The sync planner against Argo CD's own sync engine: what `planSync` says happens (the order of
// steps, what each waits for, where a failure stops it and what SyncFail runs) next to what
// `migrate-first-sync --json` recorded the engine doing on a real API server.
import { spawn } from "child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import type { ClientRequest } from "http";
import { request } from "https";
import { join } from "path";
import { parse, stringify } from "yaml";
import type { KubeObject, SyncPlan, SyncTask } from "../../plan";
import type { ControlPlane } from "../../rehearsal/cluster/control-plane";
import { poll } from "../../rehearsal/cluster/pod-runner";
import { enginesBin } from "../../rehearsal/cluster/engines";

export const syncBinary = join(enginesBin, "migrate-first-sync");

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

/** Fails with what to run when migrate-first-sync is missing: never a silent skip. */
export function requireSyncEngine(): void {
    if (!existsSync(syncBinary))
        throw new Error(`${syncBinary} not found: run \`npm run engines\` first (it builds it from engines/sync)`);
}

/** A step of `migrate-first-sync --json` (engines/sync/sync.go, Step). */
export interface EngineStep {
    order: number;
    group: string;
    kind: string;
    namespace: string;
    name: string;
    syncPhase: string;
    wave: number;
    hookType?: string;
    status: string;
    hookPhase?: string;
    message?: string;
    /** The reconcile after which the engine had applied it. */
    appliedIn: number;
    appliedAt: string;
    /** The reconcile after which its operation state was Succeeded, Failed or Error; absent: never. */
    finishedIn?: number;
    finishedAt?: string;
}

export interface Outcome {
    phase: string;
    message: string;
    attempts: number;
    steps: EngineStep[];
}

/** Runs one sync operation of `objects` into `namespace`, writing them under `dir`; resolves with the engine's record. */
export async function runSync(
    cluster: ControlPlane,
    namespace: string,
    dir: string,
    objects: readonly unknown[],
    extra: readonly string[] = [],
): Promise<{ outcome: Outcome; output: string }> {
    mkdirSync(join(dir, "manifests"), { recursive: true });
    writeFileSync(join(dir, "manifests", "manifests.yaml"), objects.map((o) => stringify(o)).join("---\n"));
    const json = join(dir, "outcome.json");
    let output = "";
    const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(
            syncBinary,
            [
                "--kubeconfig",
                cluster.kubeconfig,
                "--namespace",
                namespace,
                "--json",
                json,
                ...extra,
                join(dir, "manifests"),
            ],
            { stdio: ["ignore", "pipe", "pipe"] },
        );
        child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.on("error", reject);
        child.on("close", resolve);
    });
    if (!existsSync(json)) throw new Error(`migrate-first-sync exited ${code} with no outcome:\n${output}`);
    return { outcome: JSON.parse(readFileSync(json, "utf8")) as Outcome, output };
}

/** Creates a namespace and waits for its `default` ServiceAccount, without which no pod is admitted. */
export async function createNamespace(cluster: ControlPlane, namespace: string): Promise<void> {
    await cluster.api.create("/api/v1/namespaces", {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: namespace },
    });
    await poll(`namespace ${namespace}'s default ServiceAccount`, 60, async () =>
        (await cluster.api.request("GET", `/api/v1/namespaces/${namespace}/serviceaccounts/default`)).status === 200
            ? true
            : undefined,
    );
}

/** Deletes a namespace: its Deployments' and Jobs' pods stop with it. Not awaited to the end (the namespace controller finishes it). */
export async function deleteNamespace(cluster: ControlPlane, namespace: string): Promise<void> {
    const answer = await cluster.api.request("DELETE", `/api/v1/namespaces/${namespace}`);
    if (answer.status !== 200 && answer.status !== 202)
        throw new Error(`DELETE namespace ${namespace}: ${answer.status} ${answer.text}`);
}

const taskKey = (t: { kind: string; name: string }) => `${t.kind}/${t.name}`;

/** What the API server itself showed of an object: the resourceVersions (etcd revisions, one order for the whole cluster) at which it was created and first done. */
export interface Observed {
    created: number;
    /** A Job Complete or Failed, a Deployment Available as Argo CD's health check reads it; any other kind: when created. */
    done?: number;
    /** When its deletion began (deletionTimestamp set, or gone). */
    deleted?: number;
}

/** The kinds the differential syncs, and where to watch them across all namespaces. */
const watched = [
    ["ConfigMap", "/api/v1/configmaps"],
    ["Secret", "/api/v1/secrets"],
    ["ServiceAccount", "/api/v1/serviceaccounts"],
    ["Service", "/api/v1/services"],
    ["Job", "/apis/batch/v1/jobs"],
    ["Deployment", "/apis/apps/v1/deployments"],
] as const;

interface WatchedObject {
    metadata: {
        namespace?: string;
        name: string;
        resourceVersion: string;
        generation?: number;
        deletionTimestamp?: string;
    };
    spec?: { replicas?: number };
    status?: {
        conditions?: { type: string; status: string }[];
        observedGeneration?: number;
        replicas?: number;
        updatedReplicas?: number;
        availableReplicas?: number;
    };
}

// ge: pkg/health/health_job.go and health_deployment.go: when Argo CD stops waiting for it.
function isDone(kind: string, o: WatchedObject): boolean {
    const status = o.status ?? {};
    if (kind === "Job")
        return (status.conditions ?? []).some((c) => ["Complete", "Failed"].includes(c.type) && c.status === "True");
    if (kind === "Deployment") {
        const updated = status.updatedReplicas ?? 0;
        return (
            (o.metadata.generation ?? 0) <= (status.observedGeneration ?? 0) &&
            updated >= (o.spec?.replicas ?? 1) &&
            (status.replicas ?? 0) <= updated &&
            (status.availableReplicas ?? 0) >= updated
        );
    }
    return true;
}

/**
 * Watches the API server for every kind the differential syncs, in all namespaces, recording
 * for each object ("namespace/Kind/name") when it was created and done, as resourceVersions:
 * evidence of the order independent of the engine's own record. Started before any sync.
 */
export async function watchCluster(cluster: ControlPlane) {
    const config = parse(readFileSync(cluster.kubeconfig, "utf8")) as {
        clusters: { cluster: { server: string; "certificate-authority-data": string } }[];
        users: { user: { "client-certificate-data": string; "client-key-data": string } }[];
    };
    const pem = (data: string) => Buffer.from(data, "base64");
    const [{ cluster: server }, { user }] = [config.clusters[0], config.users[0]];
    const observed = new Map<string, Observed>();
    const requests: ClientRequest[] = [];
    let stopped = false;
    let broken: string | undefined;
    await Promise.all(
        watched.map(
            ([kind, path]) =>
                new Promise<void>((started, failed) => {
                    const req = request(
                        `${server.server}${path}?watch=1&timeoutSeconds=3600`,
                        {
                            ca: pem(server["certificate-authority-data"]),
                            cert: pem(user["client-certificate-data"]),
                            key: pem(user["client-key-data"]),
                        },
                        (res) => {
                            if (res.statusCode !== 200) return failed(new Error(`watch ${path}: ${res.statusCode}`));
                            started();
                            let pending = "";
                            res.setEncoding("utf8");
                            res.on("data", (chunk: string) => {
                                const lines = (pending + chunk).split("\n");
                                pending = lines.pop() ?? "";
                                for (const line of lines.filter((l) => l !== "")) {
                                    const event = JSON.parse(line) as { type: string; object: WatchedObject };
                                    if (!["ADDED", "MODIFIED", "DELETED"].includes(event.type)) continue;
                                    const o = event.object;
                                    const key = `${o.metadata.namespace ?? ""}/${kind}/${o.metadata.name}`;
                                    const version = Number(o.metadata.resourceVersion);
                                    const seen = observed.get(key) ?? { created: version };
                                    if (seen.done === undefined && isDone(kind, o)) seen.done = version;
                                    const deleting =
                                        event.type === "DELETED" || o.metadata.deletionTimestamp !== undefined;
                                    if (seen.deleted === undefined && deleting) seen.deleted = version;
                                    observed.set(key, seen);
                                }
                            });
                            res.on("end", () => {
                                if (!stopped) broken = `the API server ended the watch of ${path}`;
                            });
                        },
                    );
                    req.on("error", (error) => {
                        if (!stopped) broken = `watch ${path}: ${error.message}`;
                        failed(error);
                    });
                    req.end();
                    requests.push(req);
                }),
        ),
    );
    return {
        observed,
        /**
         * Waits until the watches have shown what the engine did (each kind's events come on a
         * stream of their own, a little after the engine saw them): every object it applied, and
         * the finish of each Job and Deployment it saw finish, the deletion of each hook its
         * policy deletes; 30 s at most. Before the namespace is deleted (that deletes everything).
         */
        caughtUp: async (plan: SyncPlan, outcome: Outcome): Promise<void> => {
            const behind = () =>
                outcome.steps.some((step) => {
                    const record = observed.get(`${step.namespace}/${taskKey(step)}`);
                    const waitsForDone = step.finishedIn !== undefined && ["Job", "Deployment"].includes(step.kind);
                    return (
                        record === undefined ||
                        (waitsForDone && record.done === undefined) ||
                        (deletedByPolicy(plan, outcome, step) && record.deleted === undefined)
                    );
                });
            // Not an error when it stays behind: differences() then names what the API server
            // never showed, with the set's seed.
            for (let waited = 0; behind() && waited < 30000; waited += 250)
                await new Promise((done) => setTimeout(done, 250));
        },
        /** Why the record may be incomplete (a watch that ended early), for the test to fail on. */
        broken: () => broken,
        stop: () => {
            stopped = true;
            requests.forEach((r) => r.destroy());
        },
    };
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
export function engineOrder(outcome: Outcome): string {
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
function deletedByPolicy(plan: SyncPlan, outcome: Outcome, step: EngineStep): boolean {
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
    outcome: Outcome,
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
