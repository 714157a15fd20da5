import { strict as assert } from "assert";
import { spawn } from "child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { stringify } from "yaml";
import type { KubeObject as PlanObject, SyncPlan } from "../plan";
import { planSync } from "../plan";
import { temporaryDir } from "../rehearsal/postgres";
import type { ControlPlane } from "../rehearsal/cluster/control-plane";
import { requireControlPlane, startControlPlane } from "../rehearsal/cluster/control-plane";
import { enginesBin } from "../rehearsal/cluster/engines";

const syncBinary = join(enginesBin, "migrate-first-sync");

/** A step of `migrate-first-sync --json`. */
interface EngineStep {
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
}

interface Outcome {
    phase: string;
    message: string;
    attempts: number;
    steps: EngineStep[];
}

/** A small deterministic generator (mulberry32): the same sets on every run, so a failure is reproducible by its seed. */
function random(seed: number): () => number {
    let a = seed;
    return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/**
 * A set of objects that need no running pod (ConfigMaps, Secrets, ServiceAccounts, Services), in
 * random phases and waves, hooks among them: what the order depends on, without a node.
 */
function manifestSet(seed: number): PlanObject[] {
    const next = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    const count = 3 + Math.floor(next() * 6);
    const kinds = [
        { apiVersion: "v1", kind: "ConfigMap", body: { data: { seed: String(seed) } } },
        { apiVersion: "v1", kind: "Secret", body: { stringData: { seed: String(seed) } } },
        { apiVersion: "v1", kind: "ServiceAccount", body: {} },
        { apiVersion: "v1", kind: "Service", body: { spec: { ports: [{ port: 80 }], selector: { app: "none" } } } },
    ];
    return Array.from({ length: count }, (_, i) => {
        const { apiVersion, kind, body } = pick(kinds);
        const hook = pick([undefined, undefined, "PreSync", "PostSync", "Sync", "SyncFail"]);
        const wave = pick([undefined, -2, -1, 0, 1, 2]);
        const annotations: Record<string, string> = {
            ...(hook === undefined ? {} : { "argocd.argoproj.io/hook": hook }),
            ...(wave === undefined ? {} : { "argocd.argoproj.io/sync-wave": String(wave) }),
        };
        return {
            apiVersion,
            kind,
            metadata: { name: `o${i}-${pick(["a", "b", "c"])}`, annotations },
            ...body,
        };
    });
}

function runSync(
    cluster: ControlPlane,
    namespace: string,
    dir: string,
    extra: readonly string[] = [],
): Promise<Outcome> {
    const json = join(dir, "outcome.json");
    return new Promise((resolve, reject) => {
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
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.on("error", reject);
        child.on("close", (code) => {
            if (!existsSync(json))
                return reject(new Error(`migrate-first-sync exited ${code} with no outcome:\n${output}`));
            resolve(JSON.parse(readFileSync(json, "utf8")) as Outcome);
        });
    });
}

/** The planner's steps as "phase wave" keys, each with its objects as "Kind/name". */
function plannedSteps(plan: SyncPlan): { key: string; objects: string[] }[] {
    return plan.steps.map((step) => ({
        key: `${step.phase} ${step.wave}`,
        objects: step.tasks.map((t) => `${t.kind}/${t.name}`).sort(),
    }));
}

describe("Argo CD's sync engine (gitops-engine) against the real API server", function () {
    this.timeout(600000);
    let cluster: ControlPlane;
    let work: string;

    before(async () => {
        requireControlPlane();
        if (!existsSync(syncBinary)) {
            throw new Error(`${syncBinary} not found: run \`npm run engines\` first (it builds it from engines/sync)`);
        }
        cluster = await startControlPlane();
        work = temporaryDir("sync-engine");
    });
    after(async () => cluster?.stop());

    let namespaces = 0;
    async function syncSet(objects: readonly PlanObject[], extra: readonly string[] = []) {
        const namespace = `sync-${++namespaces}`;
        await cluster.api.create("/api/v1/namespaces", {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: namespace },
        });
        const dir = join(work, namespace);
        mkdirSync(join(dir, "manifests"), { recursive: true });
        writeFileSync(join(dir, "manifests", "manifests.yaml"), objects.map((o) => stringify(o)).join("---\n"));
        const outcome = await runSync(cluster, namespace, dir, ["--wave-delay", "0s", "--timeout", "2m", ...extra]);
        return { namespace, outcome };
    }

    /** Each object's resourceVersion as the API server stored it: etcd's revision, so the order the engine wrote them in. */
    async function writtenAt(namespace: string, step: EngineStep): Promise<number> {
        const plural = `${step.kind.toLowerCase()}s`;
        const object = await cluster.api.get<{ metadata: { resourceVersion: string } }>(
            `/api/v1/namespaces/${namespace}/${plural}/${step.name}`,
        );
        return Number(object.metadata.resourceVersion);
    }

    it("applies a hand-written set in the planner's order: phases, then waves, SyncFail hooks not at all", async () => {
        const objects: PlanObject[] = [
            {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: "post", annotations: { "argocd.argoproj.io/hook": "PostSync" } },
            },
            {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: "late", annotations: { "argocd.argoproj.io/sync-wave": "1" } },
            },
            {
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: "svc" },
                spec: { ports: [{ port: 80 }] },
            },
            {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: "fail", annotations: { "argocd.argoproj.io/hook": "SyncFail" } },
            },
            {
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: {
                    name: "pre",
                    annotations: { "argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/sync-wave": "-1" },
                },
            },
            { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "sa" } },
        ];
        const { namespace, outcome } = await syncSet(objects);
        assert.equal(outcome.phase, "Succeeded", outcome.message);
        const order = outcome.steps.map((s) => `${s.syncPhase} ${s.wave} ${s.kind}/${s.name}`);
        assert.deepEqual(order, [
            "PreSync -1 ConfigMap/pre",
            "Sync 0 ServiceAccount/sa",
            "Sync 0 Service/svc",
            "Sync 1 ConfigMap/late",
            "PostSync 0 ConfigMap/post",
        ]);
        const plan = planSync(objects, { namespace });
        assert.deepEqual(
            plannedSteps(plan).map((s) => s.key),
            ["PreSync -1", "Sync 0", "Sync 1", "PostSync 0"],
        );
        assert.deepEqual(
            plan.onFailure.map((t) => t.name),
            ["fail"],
        );
        const written = await Promise.all(outcome.steps.map((s) => writtenAt(namespace, s)));
        assert.deepEqual(
            [...written].sort((a, b) => a - b),
            written,
            "the API server stored them in another order",
        );
    });

    it("applies 12 generated sets step by step exactly as the planner orders them", async () => {
        for (let seed = 1; seed <= 12; seed++) {
            const objects = manifestSet(seed);
            const { namespace, outcome } = await syncSet(objects);
            const where = `seed ${seed}: ${JSON.stringify(objects.map((o) => [o.kind, o.metadata?.name, o.metadata?.annotations]))}`;
            assert.equal(outcome.phase, "Succeeded", `${where}: ${outcome.message}`);
            const planned = plannedSteps(planSync(objects, { namespace }));
            // The engine's steps, grouped by (phase, wave) in the order it applied them.
            const applied: { key: string; objects: string[] }[] = [];
            for (const step of outcome.steps) {
                const key = `${step.syncPhase} ${step.wave}`;
                const last = applied[applied.length - 1];
                if (last?.key === key) last.objects.push(`${step.kind}/${step.name}`);
                else applied.push({ key, objects: [`${step.kind}/${step.name}`] });
            }
            applied.forEach((s) => s.objects.sort());
            assert.deepEqual(applied, planned, where);
            // Across steps, the API server's own record agrees: every object of a step was written
            // before any object of the next (within a step the engine applies them concurrently).
            const written = await Promise.all(outcome.steps.map((s) => writtenAt(namespace, s)));
            for (let i = 1; i < outcome.steps.length; i++) {
                const [before, after] = [outcome.steps[i - 1], outcome.steps[i]];
                if (`${before.syncPhase} ${before.wave}` !== `${after.syncPhase} ${after.wave}`) {
                    const lastOfBefore = Math.max(
                        ...outcome.steps
                            .filter((s) => s.syncPhase === before.syncPhase && s.wave === before.wave)
                            .map((s) => written[outcome.steps.indexOf(s)]),
                    );
                    assert.ok(
                        lastOfBefore < written[i],
                        `${where}: ${after.kind}/${after.name} was written before its step began`,
                    );
                }
            }
        }
    });
});
