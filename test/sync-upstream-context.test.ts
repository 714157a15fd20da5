// Translated from upstream; the sources, and what is out of scope and why: test/helpers/upstream-sync.ts.
import { strict as assert } from "assert";
import { planRows, planSync } from "../plan";
import {
    fakeArgoCDNamespace,
    newPod,
    newService,
    annotate,
    named,
    inNamespace,
    newHook,
    wave,
    tasksOf,
    order,
    gates,
} from "./helpers/upstream-sync";

describe("gitops-engine pkg/sync/sync_context_test.go, translated", () => {
    it("TestSyncCreateInSortedOrder: Service before Pod, one step, synced right after the apply", () => {
        const plan = planSync([newPod(), newService()]);
        assert.deepEqual(order(plan), ["Sync/0 Service my-service", "Sync/0 Pod my-pod"]);
        assert.deepEqual(gates(plan), [[]]);
        assert.equal(plan.steps[0].succeedsWhen, "applied");
    });

    it("TestDoNotSyncOrPruneHooks: a sync that skips hooks creates none", () => {
        const plan = planSync([named(newHook("PreSync"), "do-not-create-me")], { skipHooks: true });
        assert.deepEqual(plan.steps, []);
        assert.deepEqual(plan.skipped, [{ kind: "Pod", name: "do-not-create-me" }]);
    });

    for (const [title, revision, prefix] of [
        ["Truncated revision", "FooBarBaz", "foobarb"],
        ["Short revision", "foobar", "foobar"],
    ] as const) {
        it(`TestUnnamedHooksGetUniqueNames: ${title}: <revision>-<phase>-<start>, one name per phase`, () => {
            const pod = annotate(named(newPod(), undefined), "argocd.argoproj.io/hook", "PreSync,PostSync");
            const plan = planSync([pod], { revision, startedAt: new Date("2023-11-14T22:13:20Z") });
            assert.deepEqual(
                tasksOf(plan).map((t) => t.name),
                [`${prefix}-presync-1700000000`, `${prefix}-postsync-1700000000`],
            );
            assert.equal(pod.metadata?.name, undefined, "the manifest itself is not renamed");
        });
    }

    it("TestUnnamedHooksGetUniqueNames (generateName): the name follows generateName", () => {
        const pod = annotate(
            { ...newPod(), metadata: { generateName: "migrate-" } },
            "argocd.argoproj.io/hook",
            "PreSync",
        );
        assert.deepEqual(
            tasksOf(planSync([pod], { revision: "ABC1234def", startedAt: 1700000000 })).map((t) => t.name),
            ["migrate-abc1234-presync-1700000000"],
        );
        // The same start as milliseconds (Date.now()) or as an ISO time.
        for (const startedAt of [1700000000999, "2023-11-14T22:13:20.5Z"])
            assert.deepEqual(
                tasksOf(planSync([pod], { revision: "ABC1234def", startedAt })).map((t) => t.name),
                ["migrate-abc1234-presync-1700000000"],
            );
    });

    it("TestManagedResourceAreNotNamed: a resource that is not a hook keeps no name", () => {
        const plan = planSync([{ ...newPod(), metadata: { generateName: "x-" } }], { revision: "FooBarBaz" });
        assert.deepEqual(
            tasksOf(plan).map((t) => t.name),
            [""],
        );
    });

    it("TestDeDupingTasks: a Sync hook is one task", () => {
        assert.equal(tasksOf(planSync([newHook("Sync")])).length, 1);
    });

    it("TestObjectsGetANamespace: an object without one is in the Application's namespace", () => {
        const pod = newPod();
        const plan = planSync([pod], { namespace: fakeArgoCDNamespace });
        assert.equal(tasksOf(plan)[0].namespace, fakeArgoCDNamespace);
        assert.equal(pod.metadata?.namespace, undefined);
    });

    it("TestObjectsGetANamespace (with the sort): so a Namespace named like it moves before such an object", () => {
        const namespace = wave({ apiVersion: "v1", kind: "Namespace", metadata: { name: fakeArgoCDNamespace } }, 5);
        const hook = newHook("PreSync");
        assert.deepEqual(order(planSync([namespace, hook], { namespace: fakeArgoCDNamespace })), [
            "PreSync/0 Namespace fake-argocd-ns",
            "PreSync/0 Pod my-pod",
        ]);
        // Without a destination namespace, and without metadata.namespace, nothing links them.
        assert.deepEqual(order(planSync([namespace, hook])), [
            "PreSync/0 Pod my-pod",
            "Sync/5 Namespace fake-argocd-ns",
        ]);
    });

    it("TestSyncFailureHookWithSuccessfulSync: the SyncFail hook is no step: it runs only on failure", () => {
        const plan = planSync([newPod(), named(newHook("SyncFail"), "fail")]);
        assert.deepEqual(order({ ...plan, onFailure: [] }), ["Sync/0 Pod my-pod"]);
        assert.deepEqual(
            plan.onFailure.map((t) => t.name),
            ["fail"],
        );
    });

    it("TestSyncFailureHookWithFailedSync: a failed step runs the SyncFail hooks", () => {
        const rows = planRows(planSync([newPod(), named(newHook("SyncFail"), "fail")]));
        assert.deepEqual(
            rows.map((r) => `${r.step} ${r.phase} ${r.name}`),
            ["1 Sync my-pod", "2 SyncFail fail"],
        );
        assert.match(rows[1].waitsFor, /only if a step above fails/);
    });

    it("TestBeforeHookCreation: a BeforeHookCreation hook is recreated and waited on until complete", () => {
        const hook = annotate(newHook("Sync"), "argocd.argoproj.io/hook-delete-policy", "BeforeHookCreation");
        const plan = planSync([inNamespace(hook, fakeArgoCDNamespace)]);
        assert.deepEqual(plan.steps[0].tasks[0].deletePolicies, ["BeforeHookCreation"]);
        assert.deepEqual(gates(plan), [["Pod my-pod"]]);
        assert.equal(plan.steps[0].succeedsWhen, "Pod my-pod Healthy (running and ready)");
    });

    it("TestRunSyncFailHooksFailed (argo-cd TestSync_FailedSyncWithSyncFailHook_ApplyFailed): every SyncFail hook runs, at once", () => {
        const plan = planSync([
            newPod(),
            named(newHook("SyncFail"), "successful-sync-fail-hook"),
            named(newHook("SyncFail"), "failed-sync-fail-hook"),
        ]);
        assert.deepEqual(
            plan.onFailure.map((t) => t.name),
            ["failed-sync-fail-hook", "successful-sync-fail-hook"],
        );
        assert.ok(
            planRows(plan)
                .slice(1)
                .every((r) => r.step === 2),
        );
    });

    it("TestSyncWaveHook (argo-cd TestSync_SyncWaveHook): the wave delay follows each apply but the last", () => {
        const plan = planSync([
            wave(named(newPod(), "pod-1"), -1),
            named(newPod(), "pod-2"),
            named(newHook("PostSync"), "pod-3"),
        ]);
        assert.deepEqual(
            plan.steps.map((s) => `${s.phase} ${s.wave} delay ${s.delayAfterApply}`),
            ["Sync -1 delay 2", "Sync 0 delay 2", "PostSync 0 delay 0"],
        );
        // Between the apply and the first health check, not after completion.
        assert.match(
            plan.steps[1].waitsFor,
            /Pod pod-1 Healthy .*first checked after the 2s wave delay that follows its apply/,
        );
    });

    it("argo-cd gitops-engine/ TestSyncSuccessfully_Multistep: wave 0 waits for the Service, the last wave of resources does not wait", () => {
        const plan = planSync([
            inNamespace(wave(newService(), 0), fakeArgoCDNamespace),
            wave(named(newService(), "new-svc-2"), 5),
        ]);
        assert.deepEqual(gates(plan), [["Service my-service"], []]);
        assert.equal(plan.steps[1].succeedsWhen, "applied");
    });

    it("argo-cd gitops-engine/ TestSync_MultistepResourceDeletionMidstep: the wave-1 pod is waited on before wave 2", () => {
        const plan = planSync([wave(named(newPod(), "pod-1"), 1), wave(named(newPod(), "pod-2"), 2)], {
            namespace: fakeArgoCDNamespace,
        });
        assert.deepEqual(gates(plan), [["Pod pod-1"], []]);
    });

    it("argo-cd gitops-engine/ TestSync_FailedSyncWithSyncFailHook_HookFailed and TestSync_SuccessfulSyncWithSyncFailHook: with a SyncFail hook the sync is multi-step, so the resource beside the Sync hook is waited on too", () => {
        const objects = [named(newHook("Sync"), "hook-1"), newPod(), named(newHook("SyncFail"), "sync-fail-hook")];
        const plan = planSync(objects);
        assert.equal(plan.multiStep, true);
        assert.deepEqual(gates(plan), [["Pod hook-1", "Pod my-pod"]]);
        // Without the SyncFail hook only the hook is waited on (see e2e TestSyncHookResourceFailure).
        assert.deepEqual(gates(planSync(objects.slice(0, 2))), [["Pod hook-1"]]);
    });
});
