import { strict as assert } from "assert";
import { join } from "path";
import type { KubeObject } from "../plan";
import { planSync } from "../plan";
import type { ControlPlane } from "../rehearsal/cluster/control-plane";
import { requireControlPlane, startControlPlane } from "../rehearsal/cluster/control-plane";
import type { PodRunner } from "../rehearsal/cluster/pod-runner";
import { requirePodRunner, startPodRunner } from "../rehearsal/cluster/pod-runner";
import { temporaryDir } from "../rehearsal/postgres";
import { deletedByPolicy, differences, engineOrder, plannerOrder, random, runSync } from "./helpers/sync-differential";
import { watchCluster } from "./helpers/cluster-watch";
import { createNamespace, deleteNamespace } from "../rehearsal/cluster/namespace";
import { requireSyncEngine } from "../rehearsal/cluster/sync-engine";

/** How many generated sets, and how many run at once (each in a namespace of its own). */
const sets = Number(process.env.SYNC_DIFFERENTIAL_SETS ?? 200);
const concurrency = Number(process.env.SYNC_DIFFERENTIAL_CONCURRENCY ?? 20);

/** A Job of one busybox container running `script`: it completes or, exiting non-zero, fails at once (no retry). */
const job = (script: string) => ({
    apiVersion: "batch/v1",
    kind: "Job",
    spec: {
        backoffLimit: 0,
        template: {
            spec: {
                restartPolicy: "Never",
                terminationGracePeriodSeconds: 1,
                containers: [{ name: "main", image: "busybox:1.36", command: ["sh", "-c", script] }],
            },
        },
    },
});

/**
 * A set of objects in random phases and waves: kinds whose health holds a wave (Jobs, as hooks
 * and as plain resources; Deployments, Available once their pod runs on the pod runner) among
 * kinds with none or an immediate one (ConfigMaps, Secrets, ServiceAccounts, Services). A set
 * chosen to fail has one Job exiting 1; `failing` names it.
 */
function generatedSet(seed: number): { objects: KubeObject[]; failing: Set<string> } {
    const next = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    const count = 2 + Math.floor(next() * 6);
    const failAt = next() < 0.35 ? Math.floor(next() * count) : -1;
    const failing = new Set<string>();
    const objects = Array.from({ length: count }, (_, i): KubeObject => {
        const name = `o${i}-${pick(["a", "b", "c"])}`;
        const fails = i === failAt;
        const kind = fails
            ? "Job"
            : pick(["ConfigMap", "Secret", "ServiceAccount", "Service", "Job", "Job", "Job", "Deployment"]);
        // Deployments stay plain resources: a hook Deployment is legal but nothing here uses one.
        // A SyncFail hook that failed too would end the operation with another message: the
        // failing Job is never one.
        const hook =
            kind === "Deployment"
                ? undefined
                : pick([undefined, undefined, "PreSync", "Sync", "PostSync", ...(fails ? [] : ["SyncFail"])]);
        const wave = pick([undefined, -1, 0, 1, 2]);
        const deletePolicy =
            hook === undefined
                ? undefined
                : pick([
                      undefined,
                      "HookSucceeded",
                      "HookFailed",
                      "BeforeHookCreation",
                      "BeforeHookCreation,HookSucceeded",
                  ]);
        if (fails) failing.add(`Job/${name}`);
        const annotations: Record<string, string> = {
            ...(hook === undefined ? {} : { "argocd.argoproj.io/hook": hook }),
            ...(wave === undefined ? {} : { "argocd.argoproj.io/sync-wave": String(wave) }),
            ...(deletePolicy === undefined ? {} : { "argocd.argoproj.io/hook-delete-policy": deletePolicy }),
        };
        const metadata = { name, annotations };
        switch (kind) {
            case "ConfigMap":
                return { apiVersion: "v1", kind, metadata, data: { seed: String(seed) } } as KubeObject;
            case "Secret":
                return { apiVersion: "v1", kind, metadata, stringData: { seed: String(seed) } } as KubeObject;
            case "ServiceAccount":
                return { apiVersion: "v1", kind, metadata };
            case "Service":
                return { apiVersion: "v1", kind, metadata, spec: { ports: [{ port: 80 }], selector: { app: name } } };
            case "Job":
                // Some Jobs take a second, so a wave's Jobs do not all finish in the same reconcile.
                return { ...job(fails ? "exit 1" : pick(["exit 0", "sleep 1"])), metadata };
            default:
                return {
                    apiVersion: "apps/v1",
                    kind: "Deployment",
                    metadata,
                    spec: {
                        replicas: 1,
                        selector: { matchLabels: { app: name } },
                        template: {
                            metadata: { labels: { app: name } },
                            spec: {
                                terminationGracePeriodSeconds: 1,
                                containers: [{ name: "main", image: "busybox:1.36", command: ["sleep", "600"] }],
                            },
                        },
                    },
                };
        }
    });
    return { objects, failing };
}

describe("the sync planner against Argo CD's sync engine, with Jobs and Deployments running on the pod runner", function () {
    this.timeout(900000);
    let cluster: ControlPlane | undefined;
    let runner: PodRunner | undefined;
    let watch: Awaited<ReturnType<typeof watchCluster>> | undefined;
    let work: string;

    before(async () => {
        requireControlPlane();
        requirePodRunner();
        requireSyncEngine();
        cluster = await startControlPlane();
        runner = await startPodRunner(cluster);
        watch = await watchCluster(cluster);
        work = temporaryDir("sync-waves");
    });
    after(async () => {
        watch?.stop();
        await runner?.stop();
        await cluster?.stop();
    });

    it(`${sets} generated sets: the engine applies each step after what the planner says it waits for, and fails where it says`, async () => {
        const failures: string[] = [];
        let failed = 0;
        let syncFailRan = 0;
        /** Gates of a step with a step after it, by kind: what the waits check covered. */
        const waitedFor = new Map<string, number>();
        let seedsLeft = Array.from({ length: sets }, (_, i) => i + 1);
        const one = async (seed: number) => {
            const { objects, failing } = generatedSet(seed);
            const namespace = `waves-${seed}`;
            await createNamespace(cluster!, namespace);
            // The wave delay is lowered from Argo CD's 2 s: the engine sleeps it after applying a
            // wave and before the wave's first health check, so the order and the waits do not
            // depend on it (only the wall time does).
            const { outcome } = await runSync(cluster!, namespace, join(work, namespace), objects, [
                "--wave-delay",
                "100ms",
                "--timeout",
                "4m",
            ]);
            if (outcome.phase === "Failed") failed++;
            if (outcome.steps.some((step) => step.syncPhase === "SyncFail")) syncFailRan++;
            const plan = planSync(objects, { namespace });
            for (const gate of plan.steps.flatMap((step) =>
                step === plan.steps[plan.steps.length - 1] ? [] : step.gates,
            ))
                waitedFor.set(gate.kind, (waitedFor.get(gate.kind) ?? 0) + 1);
            await watch!.caughtUp(outcome, (step) => deletedByPolicy(plan, outcome, step));
            const problems = differences(plan, failing, outcome, watch!.observed);
            if (problems.length > 0)
                failures.push(
                    [
                        `seed ${seed} (SYNC_DIFFERENTIAL_SETS=${seed} reruns it with the sets before it):`,
                        ...problems.map((p) => `  - ${p}`),
                        `the set: ${JSON.stringify(objects.map((o) => [o.kind, o.metadata?.name, o.metadata?.annotations]))}`,
                        `failing on purpose: ${[...failing].join(", ") || "none"}`,
                        `the planner:\n${plannerOrder(plan, failing)}`,
                        `the engine:\n${engineOrder(outcome)}`,
                    ].join("\n"),
                );
            await deleteNamespace(cluster!, namespace);
        };
        const worker = async () => {
            while (seedsLeft.length > 0) {
                const [seed, ...rest] = seedsLeft;
                seedsLeft = rest;
                await one(seed);
            }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
        assert.equal(watch!.broken(), undefined, "the API server's record is incomplete");
        assert.deepEqual(failures, [], `${failures.length} of ${sets} sets differ:\n\n${failures.join("\n\n")}`);
        const covered = `${failed} sets failed on purpose, ${syncFailRan} ran SyncFail hooks; gates followed by a step: ${[...waitedFor].map(([kind, n]) => `${n} ${kind}`).join(", ")}`;
        process.stderr.write(`sync-engine-waves: ${sets} sets: ${covered}\n`);
        // The generator must reach what the differential is for: failures, SyncFail hooks, and
        // Jobs and Deployments holding a wave.
        assert.ok(
            failed >= sets / 10 &&
                syncFailRan >= sets / 50 &&
                (waitedFor.get("Job") ?? 0) >= sets / 5 &&
                (waitedFor.get("Deployment") ?? 0) >= sets / 20,
            `the generator no longer covers enough: ${covered}`,
        );
    });
});
