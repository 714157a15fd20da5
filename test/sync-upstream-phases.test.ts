// Translated from upstream; the sources, and what is out of scope and why: test/helpers/upstream-sync.ts.
import { strict as assert } from "assert";
import type { KubeObject } from "../plan";
import { planSync } from "../plan";
import { newPod, newCRD, annotate, tasksOf, order } from "./helpers/upstream-sync";

describe("gitops-engine pkg/sync/sync_phase_test.go, hook/, hook/helm/ and syncwaves/ tests, translated", () => {
    const pod = (hookType: string) => annotate(newPod(), "argocd.argoproj.io/hook", hookType);
    const helmPod = (hookType: string) => annotate(newPod(), "helm.sh/hook", hookType);
    const phases = (o: KubeObject) => tasksOf(planSync([o])).map((t) => t.phase);
    const isHook = (o: KubeObject) => tasksOf(planSync([o])).some((t) => t.hook);

    it("TestSyncPhaseNone (and hook TestNoHooks): an object without annotations is a Sync resource", () => {
        assert.deepEqual(phases({ kind: "" }), ["Sync"]);
        assert.equal(isHook(newPod()), false);
    });
    for (const [upstream, phase] of [
        ["TestSyncPhasePreSync", "PreSync"],
        ["TestSyncPhaseSync", "Sync"],
        ["TestSyncPhasePost", "PostSync"],
        ["TestSyncPhaseFail", "SyncFail"],
    ]) {
        it(`${upstream} (and hook TestOneHook): ${phase}`, () => {
            assert.deepEqual(phases(pod(phase)), [phase]);
            assert.equal(isHook(pod(phase)), true);
        });
    }
    it("TestSyncPhaseSkip (and hook TestSkipHook): Skip is no hook and no task", () => {
        assert.deepEqual(phases(pod("Skip")), []);
        assert.deepEqual(planSync([pod("Skip")]).skipped, [{ kind: "Pod", name: "my-pod" }]);
    });
    it("TestSyncPhaseGarbage (and hook TestGarbageHook): a misspelt type is a hook without a phase", () => {
        assert.deepEqual(phases(pod("Garbage")), []);
    });
    it("TestSyncPhaseTwoPhases (and hook TestTwoHooks): PreSync,PostSync is a task in each", () => {
        assert.deepEqual(phases(pod("PreSync,PostSync")), ["PreSync", "PostSync"]);
    });
    it("TestSyncDuplicatedPhases (and hook TestDupHookTypes): a phase named twice is one task", () => {
        assert.deepEqual(phases(pod("PreSync,PreSync")), ["PreSync"]);
        assert.deepEqual(phases(helmPod("pre-install,pre-upgrade")), ["PreSync"]);
        assert.deepEqual(phases(pod("Sync,Sync")), ["Sync"]);
    });
    it("hook TestSkipAndHook: Skip beside other types is ignored", () => {
        assert.deepEqual(phases(pod("Skip,PreSync,PostSync")), ["PreSync", "PostSync"]);
        assert.equal(isHook(pod("Skip,PreSync,PostSync")), true);
    });
    it("hook TestGarbageAndHook: the valid type counts", () => {
        assert.deepEqual(phases(pod("Sync,Garbage")), ["Sync"]);
    });
    it("hook TestHelmHook and helm TestTypes, TestType_HookType: pre-install/pre-upgrade are PreSync, post-upgrade/post-install PostSync", () => {
        for (const t of ["pre-install", "pre-upgrade"]) assert.deepEqual(phases(helmPod(t)), ["PreSync"]);
        for (const t of ["post-upgrade", "post-install"]) assert.deepEqual(phases(helmPod(t)), ["PostSync"]);
        for (const t of ["pre-rollback", "post-rollback", "test-success", "test-failure"])
            assert.deepEqual(phases(helmPod(t)), [], t);
    });
    it("hook TestGarbageHelmHook: an unknown Helm hook is a hook without a phase", () => {
        assert.deepEqual(phases(helmPod("garbage")), []);
    });
    it("hook TestBothHooks: Helm's hook is ignored beside Argo CD's", () => {
        assert.deepEqual(phases(annotate(pod("Sync"), "helm.sh/hook", "pre-install")), ["Sync"]);
    });
    it("helm TestIsHook: crd-install is no hook: the CRD is a plain Sync resource", () => {
        const crd = annotate(newCRD(), "helm.sh/hook", "crd-install");
        const plan = planSync([crd]);
        assert.deepEqual(order(plan), ["Sync/0 CustomResourceDefinition testcrds.argoproj.io"]);
        assert.equal(tasksOf(plan)[0].hook, false);
        // Any other value makes a hook; "anything" maps to no phase, so it is never applied.
        assert.deepEqual(planSync([helmPod("anything")]).skipped, [{ kind: "Pod", name: "my-pod" }]);
    });
    it("syncwaves TestWave and helm TestWeight: sync-wave, else helm.sh/hook-weight, else 0", () => {
        const waveOf = (o: KubeObject) => tasksOf(planSync([o]))[0].wave;
        assert.equal(waveOf(newPod()), 0);
        assert.equal(waveOf(annotate(newPod(), "argocd.argoproj.io/sync-wave", "1")), 1);
        assert.equal(waveOf(annotate(newPod(), "helm.sh/hook-weight", "1")), 1);
    });
    it("hook TestDeletePolicies, helm TestDeletePolicies and TestDeletePolicy_DeletePolicy: none or garbage is BeforeHookCreation; Helm's spelling maps", () => {
        const policies = (annotations: Record<string, string>) =>
            tasksOf(
                planSync([
                    {
                        ...pod("Sync"),
                        metadata: { name: "h", annotations: { ...annotations, "argocd.argoproj.io/hook": "Sync" } },
                    },
                ]),
            )[0].deletePolicies;
        assert.deepEqual(policies({}), ["BeforeHookCreation"]);
        assert.deepEqual(policies({ "argocd.argoproj.io/hook-delete-policy": "garbage" }), ["BeforeHookCreation"]);
        assert.deepEqual(policies({ "argocd.argoproj.io/hook-delete-policy": "HookSucceeded" }), ["HookSucceeded"]);
        assert.deepEqual(policies({ "argocd.argoproj.io/hook-delete-policy": "HookFailed" }), ["HookFailed"]);
        assert.deepEqual(policies({ "helm.sh/hook-delete-policy": "hook-succeeded" }), ["HookSucceeded"]);
        assert.deepEqual(policies({ "helm.sh/hook-delete-policy": "before-hook-creation" }), ["BeforeHookCreation"]);
        assert.deepEqual(policies({ "helm.sh/hook-delete-policy": "hook-failed" }), ["HookFailed"]);
    });
});
