// Translated from upstream; the sources, and what is out of scope and why: test/helpers/upstream-sync.ts.
import { strict as assert } from "assert";
import type { KubeObject } from "../plan";
import { planSync } from "../plan";
import { annotate, named, wave, e2ePod, tasksOf, order, gates } from "./helpers/upstream-sync";

describe("argo-cd test/e2e hook_test.go and sync_waves_test.go (order and waiting), translated", () => {
    const hookPod = (type: string) => annotate(e2ePod("hook"), "argocd.argoproj.io/hook", type);

    it("TestPreSyncHookSuccessful: the PreSync hook completes before the pod is applied", () => {
        const plan = planSync([hookPod("PreSync"), e2ePod("pod")]);
        assert.deepEqual(order(plan), ["PreSync/0 Pod hook", "Sync/0 Pod pod"]);
        assert.deepEqual(gates(plan), [["Pod hook"], []]);
        assert.equal(plan.steps[0].succeedsWhen, "Pod hook Succeeded");
    });

    it("TestSyncHookSuccessful: a Sync hook and the pod in one step; only the hook is waited on", () => {
        const plan = planSync([hookPod("Sync"), e2ePod("pod")]);
        assert.deepEqual(order(plan), ["Sync/0 Pod hook", "Sync/0 Pod pod"]);
        assert.deepEqual(gates(plan), [["Pod hook"]]);
    });

    it("TestPostSyncHookSuccessful: the pod, waited on, then the PostSync hook", () => {
        const plan = planSync([hookPod("PostSync"), e2ePod("pod")]);
        assert.deepEqual(order(plan), ["Sync/0 Pod pod", "PostSync/0 Pod hook"]);
        assert.deepEqual(gates(plan), [["Pod pod"], ["Pod hook"]]);
    });

    it("TestPreSyncHookFailure: a failed PreSync hook stops the sync before the pod", () => {
        const plan = planSync([hookPod("PreSync"), e2ePod("pod")]);
        assert.equal(plan.steps[1].waitsFor.startsWith("step 1: Pod hook Succeeded"), true);
    });

    it("TestSyncHookFailure and TestPostSyncHookFailure: the hook's failure comes after the pod is applied", () => {
        assert.deepEqual(order(planSync([hookPod("Sync"), e2ePod("pod")]))[1], "Sync/0 Pod pod");
        assert.deepEqual(order(planSync([hookPod("PostSync"), e2ePod("pod")]))[0], "Sync/0 Pod pod");
    });

    it("TestSyncHookResourceFailure: a Deployment beside a Sync hook, in a one-step sync, is not waited on", () => {
        const deployment: KubeObject = {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "my-deployment" },
        };
        const hook = annotate(
            { apiVersion: "batch/v1", kind: "Job", metadata: { name: "my-hook" } },
            "argocd.argoproj.io/hook",
            "Sync",
        );
        const plan = planSync([deployment, hook]);
        assert.deepEqual(gates(plan), [["Job my-hook"]]);
        assert.equal(
            plan.steps[0].succeedsWhen,
            "Job my-hook Complete; fails instead if Deployment my-deployment is seen Degraded first (not waited for: a race)",
        );
        assert.deepEqual(
            plan.steps[0].watched.map((t) => t.name),
            ["my-deployment"],
        );
    });

    it("TestPostSyncHookPodFailure: the pod is waited on, so a Degraded pod keeps the PostSync hook from running", () => {
        const plan = planSync([hookPod("PostSync"), e2ePod("pod")]);
        assert.deepEqual(
            plan.steps[0].gates.map((t) => t.name),
            ["pod"],
        );
        assert.match(plan.steps[1].waitsFor, /^step 1: Pod pod Succeeded/);
    });

    it("TestSyncFailHookPodFailure and TestSyncFailHookPodFailureSyncFailFailure: SyncFail hooks run when the PostSync hook fails", () => {
        const plan = planSync([
            hookPod("PostSync"),
            e2ePod("pod"),
            annotate(e2ePod("successful-sync-fail-hook"), "argocd.argoproj.io/hook", "SyncFail"),
            annotate(e2ePod("failed-sync-fail-hook"), "argocd.argoproj.io/hook", "SyncFail"),
        ]);
        assert.deepEqual(
            plan.steps.map((s) => s.phase),
            ["Sync", "PostSync"],
        );
        assert.deepEqual(
            plan.onFailure.map((t) => `${t.name} ${t.healthCheck ?? ""}`),
            ["failed-sync-fail-hook Succeeded", "successful-sync-fail-hook Succeeded"],
        );
    });

    it("TestHookBeforeHookCreation: a hook is in every sync's plan and, by default, deleted and recreated each time", () => {
        const objects = [hookPod("Sync"), e2ePod("pod")];
        for (const plan of [planSync(objects), planSync(objects)])
            assert.deepEqual(plan.steps[0].tasks[0].deletePolicies, ["BeforeHookCreation"]);
    });

    it("TestHookSkip: a Skip pod is never applied", () => {
        const plan = planSync([hookPod("Sync"), annotate(e2ePod("pod"), "argocd.argoproj.io/hook", "Skip")]);
        assert.deepEqual(order(plan), ["Sync/0 Pod hook"]);
        assert.deepEqual(plan.skipped, [{ kind: "Pod", name: "pod" }]);
    });

    it("TestNamingNonHookResource: an unnamed resource is not named", () => {
        const plan = planSync([hookPod("Sync"), named(e2ePod("pod"), undefined)], { revision: "abc1234" });
        assert.deepEqual(
            tasksOf(plan).map((t) => t.name),
            ["", "hook"],
        );
    });

    it("TestAutomaticallyNamingUnnamedHook: one unnamed PreSync,PostSync hook is two tasks with two names", () => {
        const hook = annotate(named(e2ePod("hook"), undefined), "argocd.argoproj.io/hook", "PreSync,PostSync");
        const names = tasksOf(planSync([hook, e2ePod("pod")], { revision: "abc1234", startedAt: 5 })).map(
            (t) => t.name,
        );
        assert.equal(names.length, 3);
        assert.match(names[0], /presync/);
        assert.equal(names[1], "pod");
        assert.match(names[2], /postsync/);
    });

    it("TestPreDeleteHook: a PreDelete hook is no part of a sync", () => {
        const plan = planSync([
            { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "guestbook-ui" } },
            annotate(e2ePod("hook"), "argocd.argoproj.io/hook", "PreDelete"),
        ]);
        assert.deepEqual(order(plan), ["Sync/0 ConfigMap guestbook-ui"]);
        assert.deepEqual(plan.skipped, [{ kind: "Pod", name: "hook" }]);
    });

    it("TestFixingDegradedApp: with a custom ConfigMap health check, cm-1 (wave 1) gates cm-2 (wave 2)", () => {
        const cm = (name: string, w: number) => wave({ apiVersion: "v1", kind: "ConfigMap", metadata: { name } }, w);
        const plan = planSync([cm("cm-1", 1), cm("cm-2", 2)], { healthChecks: ["ConfigMap"] });
        assert.deepEqual(gates(plan), [["ConfigMap cm-1"], []]);
        // Without it, a ConfigMap has no health check: applied is enough.
        assert.deepEqual(gates(planSync([cm("cm-1", 1), cm("cm-2", 2)])), [[], []]);
    });

    it("TestOneProgressingDeploymentIsSucceededAndSynced and TestDegradedDeploymentIsSucceededAndSynced: one Deployment alone is not waited on", () => {
        const plan = planSync([{ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" } }]);
        assert.deepEqual(gates(plan), [[]]);
        assert.equal(plan.steps[0].succeedsWhen, "applied");
    });

    it("TestSyncPruneOrderWithSyncWaves (creation half): ServiceAccount and Role, then RoleBinding, then the pod", () => {
        const plan = planSync([
            wave(e2ePod("pod-with-finalizers"), 2),
            wave({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "modify-pods-sa" } }, 0),
            wave(
                { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "modify-pods-role" } },
                0,
            ),
            wave(
                {
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "RoleBinding",
                    metadata: { name: "modify-pods-rolebinding" },
                },
                1,
            ),
        ]);
        assert.deepEqual(order(plan), [
            "Sync/0 ServiceAccount modify-pods-sa",
            "Sync/0 Role modify-pods-role",
            "Sync/1 RoleBinding modify-pods-rolebinding",
            "Sync/2 Pod pod-with-finalizers",
        ]);
    });
});
