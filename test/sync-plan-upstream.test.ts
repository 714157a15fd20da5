// gitops-engine's own ordering and sync tests, and Argo CD's hook end-to-end tests about order or
// waiting, translated into planner tests. Each `it` names the upstream test it comes from:
// gitops-engine @5baed5604d2d pkg/sync/sync_tasks_test.go and sync_context_test.go (with the phase
// and wave tests of sync_phase_test.go, hook/, hook/helm/ and syncwaves/; the tests only
// Argo CD's copy of the engine has are marked "argo-cd gitops-engine/"), and argo-cd @37ee009
// test/e2e/hook_test.go and sync_waves_test.go. The fixtures are testingutils' (NewPod, NewService,
// NewCRD, newHook).
//
// Out of scope: upstream tests about what the planner does not model, with why. The planner reads
// manifests; it has no cluster, no live objects, no kubectl and no operation state.
//   Pruning (no live objects to prune): TestSyncSuccessfully, TestSyncDeleteSuccessfully,
//     TestSyncPruneFailure, TestDoNotPrunePruneFalse (argo-cd: TestDoNotPruneAppLevelPruneFalse,
//     TestDoNotPruneResourceLevelPruneFalse, TestPruneConfirmAppLevel, TestPruneConfirmResourceLevel),
//     TestPruneLast, TestWaveReorderingOfPruneTasks, TestWaitForCleanUpBeforeNextWave, the prune half
//     of e2e TestSyncPruneOrderWithSyncWaves.
//   Diffing against live state: TestSync_ApplyOutOfSyncOnly, TestSync_ApplyOutOfSyncOnly_ClusterResources,
//     Test_syncContext_liveObj.
//   kubectl and API calls, their options and errors: TestSyncValidate, TestSyncOptionValidate,
//     TestSync_Replace, TestSync_ServerSideApply, TestSyncContext_ServerSideApplyWithDryRun, TestSync_Force,
//     TestSyncCreateFailure, TestServerResourcesRetry, TestSyncContext_GetDeleteOptions_Default,
//     TestSyncContext_GetDeleteOptions_WithPrunePropagationPolicy, TestNeedsClientSideApplyMigration
//     (argo-cd: TestPerformCSAUpgradeMigration_ConflictRetry, TestPerformCSAUpgradeMigration_NoMigrationNeeded,
//     TestPerformCSAUpgradeMigration_WithCSAManager), TestSync_HookWithReplaceAndBeforeHookCreation_AlreadyDeleted.
//   Discovery and dry-run of custom resources: TestSyncCustomResources, Test_syncContext_hasCRDOfGroupKind.
//   Project permissions: TestSyncNotPermittedNamespace (argo-cd: Test_getSyncTasks_ErrorCaching,
//     TestSync_getSyncTasks_FailureMessage).
//   The Application's CreateNamespace=true (Pulumi creates our namespace, not Argo CD):
//     TestSyncNamespaceCreatedBeforeDryRunWithoutFailure, TestSyncNamespaceCreatedBeforeDryRunWithFailure,
//     TestNamespaceAutoCreation, TestNamespaceAutoCreationForNonExistingNs.
//   Resource filters of a selective sync (only its hooks-off effect is modelled, skipHooks): TestSelectiveSyncOnly.
//   When live hooks are deleted and their finalizers removed (the planner only records each hook's
//     delete policies): TestSync_ExistingHooksWithFinalizer, TestRunSync_HooksNotDeletedIfPhaseNotCompleted,
//     TestRunSync_HooksDeletedAfterPhaseCompleted, TestRunSync_HooksDeletedAfterPhaseCompletedFailed
//     (argo-cd: TestSync_HooksNotDeletedIfPhaseNotCompleted, TestSync_HooksDeletedAfterSyncSucceeded,
//     TestSync_HooksDeletedAfterSyncFailed), e2e TestHookDeletePolicyHookSucceededHookExit0,
//     TestHookDeletePolicyHookSucceededHookExit1, TestHookDeletePolicyHookFailedHookExit0,
//     TestHookDeletePolicyHookFailedHookExit1, TestHookFinalizerPreSync, TestHookFinalizerSync, TestHookFinalizerPostSync.
//   Operation messages and results: Test_setRunningPhase_healthyState, Test_setRunningPhase_runningHooks,
//     Test_setRunningPhase_pendingDeletion (argo-cd: Test_setRunningPhase), TestSetOperationFailed,
//     TestSetOperationFailedDuplicatedMessages, TestSetOperationFailedNoTasks (argo-cd:
//     Test_executeSyncFailPhase, Test_executeSyncFailPhase_CompletedHooks, Test_executeSyncFailPhase_DuplicatedMessages,
//     Test_executeSyncFailPhase_NoTasks, Test_executeSyncFailPhase_RunningHooks), TestSyncWaveHookFail
//     (argo-cd: TestSync_SyncWaveHookError).
//   Terminating an operation: argo-cd TestTerminate, TestTerminate_Hooks_Completed, TestTerminate_Hooks_Error,
//     TestTerminate_Hooks_Running, TestTerminate_Hooks_Running_Healthy; e2e TestTerminateWithRunningHooks,
//     TestHookBeforeHookCreationFailure.
//   An apply error in the middle of a wave (needs a failing API server): e2e
//     TestInvalidlHookWaitsForOtherHooksToComplete, TestInvalidSyncFailureHookWaitsForOtherHooksToComplete.
//   Application deletion (PreDelete and PostDelete run only then): e2e TestPreDeleteHookFailureAndRetry,
//     TestPostDeleteHook; TestPreDeleteHook is kept below for its sync half.
import { strict as assert } from "assert";
import type { KubeObject, SyncPlan } from "../plan";
import { kindOrder, planRows, planSync } from "../plan";

// testingutils (gitops-engine pkg/utils/testing/testdata.go) and sync_task_test.go newHook.
const fakeArgoCDNamespace = "fake-argocd-ns";
const newPod = (): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "my-pod" },
    spec: { containers: [{ name: "nginx", image: "nginx:1.7.9" }] },
});
const newService = (): KubeObject => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "my-service" },
    spec: { ports: [{ name: "http", port: 80 }], selector: { app: "my-service" } },
});
const newCRD = (): KubeObject => ({
    apiVersion: "apiextensions.k8s.io/v1beta1",
    kind: "CustomResourceDefinition",
    metadata: { name: "testcrds.argoproj.io" },
    spec: { group: "argoproj.io", names: { kind: "TestCrd" } },
});
const annotate = (o: KubeObject, key: string, value: string): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, annotations: { ...o.metadata?.annotations, [key]: value } },
});
const named = (o: KubeObject, name: string | undefined): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, name },
});
const inNamespace = (o: KubeObject, namespace: string): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, namespace },
});
const newHook = (type: string) => annotate(newPod(), "argocd.argoproj.io/hook", type);
const wave = (o: KubeObject, w: number) => annotate(o, "argocd.argoproj.io/sync-wave", String(w));
// The e2e fixtures' pods (test/e2e/testdata/hook): they run to completion.
const e2ePod = (name: string): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { containers: [{ name: "main", command: ["true"] }], restartPolicy: "Never" },
});

const tasksOf = (plan: SyncPlan) => [...plan.steps.flatMap((s) => s.tasks), ...plan.onFailure];
const order = (plan: SyncPlan) => tasksOf(plan).map((t) => `${t.phase}/${t.wave} ${t.kind} ${t.name}`);
const gates = (plan: SyncPlan) => plan.steps.map((s) => s.gates.map((t) => `${t.kind} ${t.name}`));

describe("gitops-engine pkg/sync/sync_tasks_test.go, translated", () => {
    // unsortedTasks: phase set directly upstream, a hook annotation here (so hooks get generated names).
    const bare = (o: Partial<KubeObject> & { annotations?: Record<string, string> }): KubeObject => ({
        apiVersion: o.apiVersion ?? "",
        kind: o.kind ?? "",
        metadata: { ...o.metadata, annotations: o.annotations ?? {} },
    });
    const unsorted = [
        bare({ apiVersion: "v1", kind: "Pod" }),
        bare({ apiVersion: "v1", kind: "Service" }),
        bare({ apiVersion: "v1", kind: "PersistentVolume" }),
        bare({ annotations: { "argocd.argoproj.io/hook": "SyncFail" } }),
        bare({ annotations: { "argocd.argoproj.io/sync-wave": "1" } }),
        bare({ metadata: { name: "b" } }),
        bare({ metadata: { name: "a" } }),
        bare({ annotations: { "argocd.argoproj.io/sync-wave": "-1" } }),
        bare({ apiVersion: "v1" }),
        bare({ annotations: { "argocd.argoproj.io/hook": "PreSync" } }),
        bare({ annotations: { "argocd.argoproj.io/hook": "PostSync" } }),
        bare({ apiVersion: "v1", kind: "ConfigMap" }),
    ];
    const sortedPlan = () => planSync(unsorted, { revision: "abc1234", startedAt: 0 });

    it("Test_syncTasks_kindOrder: Namespace first of the 35 listed kinds, APIService last, a kind not listed after all", () => {
        assert.equal(kindOrder.length, 35);
        assert.equal(kindOrder[0], "Namespace");
        assert.equal(kindOrder[34], "APIService");
        const plan = planSync([
            { apiVersion: "acme.io/v1", kind: "MyCRD", metadata: { name: "a" } },
            { apiVersion: "apiregistration.k8s.io/v1", kind: "APIService", metadata: { name: "b" } },
            { apiVersion: "v1", kind: "Namespace", metadata: { name: "c" } },
        ]);
        assert.deepEqual(
            order(plan).map((t) => t.split(" ")[1]),
            ["Namespace", "APIService", "MyCRD"],
        );
    });

    it("TestSortSyncTask: phase, then wave, then kind (unlisted last), then name", () => {
        assert.deepEqual(order(sortedPlan()), [
            "PreSync/0  abc1234-presync-0",
            "Sync/-1  ",
            "Sync/0 ConfigMap ",
            "Sync/0 PersistentVolume ",
            "Sync/0 Service ",
            "Sync/0 Pod ",
            "Sync/0  ",
            "Sync/0  a",
            "Sync/0  b",
            "Sync/1  ",
            "PostSync/0  abc1234-postsync-0",
            "SyncFail/0  abc1234-syncfail-0",
        ]);
    });

    it("TestAnySyncTasks: some task is named a, none does-not-exist", () => {
        const tasks = tasksOf(sortedPlan());
        assert.ok(tasks.some((t) => t.name === "a"));
        assert.ok(!tasks.some((t) => t.name === "does-not-exist"));
    });

    it("TestAllSyncTasks: not every task has a name, not every task is a", () => {
        const tasks = tasksOf(sortedPlan()).filter((t) => !t.hook);
        assert.ok(!tasks.every((t) => t.name !== ""));
        assert.ok(!tasks.every((t) => t.name === "a"));
    });

    it("TestSplitSyncTasks: named and unnamed resources each keep the sorted order", () => {
        const tasks = tasksOf(sortedPlan()).filter((t) => !t.hook);
        assert.deepEqual(
            tasks.filter((t) => t.name !== "").map((t) => t.name),
            ["a", "b"],
        );
        assert.deepEqual(
            tasks.filter((t) => t.name === "").map((t) => `${t.wave} ${t.kind}`),
            ["-1 ", "0 ConfigMap", "0 PersistentVolume", "0 Service", "0 Pod", "0 ", "1 "],
        );
    });

    it("Test_syncTasks_Filter: the Sync phase's tasks, apart from the PostSync ones", () => {
        const plan = planSync([bare({ metadata: { name: "s" } }), newHook("PostSync")]);
        assert.deepEqual(
            plan.steps.filter((s) => s.phase === "Sync").flatMap((s) => s.tasks.map((t) => t.name)),
            ["s"],
        );
    });

    it("TestSyncNamespaceAgainstCRD: a Namespace before a custom resource (an unlisted kind)", () => {
        const plan = planSync([bare({ kind: "Workflow" }), bare({ kind: "Namespace" })]);
        assert.deepEqual(
            order(plan).map((t) => t.split(" ")[1]),
            ["Namespace", "Workflow"],
        );
    });

    it("TestSyncTasksSort_NamespaceAndObjectInNamespace: each Namespace just before the first object in it, taking its phase and wave", () => {
        const job = (namespace: string, name: string): KubeObject => ({
            apiVersion: "",
            kind: "Job",
            metadata: { namespace, name, annotations: { "argocd.argoproj.io/hook": "PreSync" } },
        });
        const namespace = (name: string, w: number) =>
            wave({ apiVersion: "", kind: "Namespace", metadata: { name } }, w);
        const plan = planSync([
            job("myNamespace1", "mySyncHookJob1"),
            job("myNamespace2", "mySyncHookJob2"),
            namespace("myNamespace1", 1),
            namespace("myNamespace2", 2),
        ]);
        assert.deepEqual(order(plan), [
            "PreSync/0 Namespace myNamespace1",
            "PreSync/0 Job mySyncHookJob1",
            "PreSync/0 Namespace myNamespace2",
            "PreSync/0 Job mySyncHookJob2",
        ]);
    });

    it("TestSyncTasksSort_CRDAndCR: a CRD just before its first custom resource, taking its phase", () => {
        const cr: KubeObject = {
            apiVersion: "argoproj.io/v1",
            kind: "Workflow",
            metadata: { annotations: { "argocd.argoproj.io/hook": "PreSync" }, name: "wf" },
        };
        const crd: KubeObject = {
            apiVersion: "apiextensions.k8s.io/v1",
            kind: "CustomResourceDefinition",
            metadata: { name: "workflows.argoproj.io" },
            spec: { group: "argoproj.io", names: { kind: "Workflow" } },
        };
        assert.deepEqual(order(planSync([cr, crd])), [
            "PreSync/0 CustomResourceDefinition workflows.argoproj.io",
            "PreSync/0 Workflow wf",
        ]);
    });

    it("TestSyncTasksSort_CRDAndCR (testingutils.NewCRD): a v1beta1 CRD moves before a TestCrd hook in a later phase's wave", () => {
        const cr = wave(
            annotate(
                { apiVersion: "argoproj.io/v1", kind: "TestCrd", metadata: { name: "my-resource" } },
                "argocd.argoproj.io/hook",
                "PreSync",
            ),
            -2,
        );
        assert.deepEqual(order(planSync([newCRD(), cr])), [
            "PreSync/-2 CustomResourceDefinition testcrds.argoproj.io",
            "PreSync/-2 TestCrd my-resource",
        ]);
    });

    it("Test_syncTasks_multiStep: Single: one (phase, wave) is not multi-step, and nothing is waited on", () => {
        const plan = planSync([wave(newPod(), -1)]);
        assert.equal(plan.multiStep, false);
        assert.deepEqual(
            plan.steps.map((s) => [s.phase, s.wave, s.succeedsWhen]),
            [["Sync", -1, "applied"]],
        );
    });

    it("Test_syncTasks_multiStep: Double: PreSync -1 and PostSync 1 are two steps", () => {
        const plan = planSync([wave(newHook("PreSync"), -1), named(wave(newHook("PostSync"), 1), "other")]);
        assert.equal(plan.multiStep, true);
        assert.deepEqual(
            plan.steps.map((s) => `${s.phase} ${s.wave}`),
            ["PreSync -1", "PostSync 1"],
        );
    });
});

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
        assert.equal(plan.steps[0].succeedsWhen, "Job my-hook Complete");
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
