import { strict as assert } from "assert";
import { join } from "path";
import type { KubeObject as PlanObject } from "../plan";
import { planSync } from "../plan";
import { temporaryDir } from "../rehearsal/postgres";
import type { ControlPlane } from "../rehearsal/cluster/control-plane";
import { requireControlPlane, startControlPlane } from "../rehearsal/cluster/control-plane";
import type { EngineStep } from "../rehearsal/cluster/sync-engine";
import { requireSyncEngine } from "../rehearsal/cluster/sync-engine";
import { runSync } from "./helpers/sync-differential";

describe("Argo CD's sync engine (gitops-engine) against the real API server", function () {
    this.timeout(600000);
    let cluster: ControlPlane;
    let work: string;

    before(async () => {
        requireControlPlane();
        requireSyncEngine();
        cluster = await startControlPlane();
        work = temporaryDir("sync-engine");
    });
    after(async () => cluster?.stop());

    let namespaces = 0;
    async function syncSet(objects: readonly PlanObject[]) {
        const namespace = `sync-${++namespaces}`;
        await cluster.api.create("/api/v1/namespaces", {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: namespace },
        });
        // No wave delay: the engine sleeps it after applying a wave, before the wave's first health
        // check, so the order does not depend on it (only the wall time does).
        const { outcome } = await runSync(cluster, namespace, join(work, namespace), objects, [
            "--wave-delay",
            "0s",
            "--timeout",
            "2m",
        ]);
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
            plan.steps.map((s) => `${s.phase} ${s.wave}`),
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
});
