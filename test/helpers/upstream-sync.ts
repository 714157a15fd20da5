// Shared by the translated upstream sync tests (test/sync-upstream-*.test.ts): gitops-engine's
// fixtures and a few ways to read a plan.
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
import type { KubeObject, SyncPlan } from "../../plan";

// testingutils (gitops-engine pkg/utils/testing/testdata.go) and sync_task_test.go newHook.
export const fakeArgoCDNamespace = "fake-argocd-ns";
export const newPod = (): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "my-pod" },
    spec: { containers: [{ name: "nginx", image: "nginx:1.7.9" }] },
});
export const newService = (): KubeObject => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "my-service" },
    spec: { ports: [{ name: "http", port: 80 }], selector: { app: "my-service" } },
});
export const newCRD = (): KubeObject => ({
    apiVersion: "apiextensions.k8s.io/v1beta1",
    kind: "CustomResourceDefinition",
    metadata: { name: "testcrds.argoproj.io" },
    spec: { group: "argoproj.io", names: { kind: "TestCrd" } },
});
export const annotate = (o: KubeObject, key: string, value: string): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, annotations: { ...o.metadata?.annotations, [key]: value } },
});
export const named = (o: KubeObject, name: string | undefined): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, name },
});
export const inNamespace = (o: KubeObject, namespace: string): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, namespace },
});
export const newHook = (type: string) => annotate(newPod(), "argocd.argoproj.io/hook", type);
export const wave = (o: KubeObject, w: number) => annotate(o, "argocd.argoproj.io/sync-wave", String(w));
// The e2e fixtures' pods (test/e2e/testdata/hook): they run to completion.
export const e2ePod = (name: string): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { containers: [{ name: "main", command: ["true"] }], restartPolicy: "Never" },
});

export const tasksOf = (plan: SyncPlan) => [...plan.steps.flatMap((s) => s.tasks), ...plan.onFailure];
export const order = (plan: SyncPlan) => tasksOf(plan).map((t) => `${t.phase}/${t.wave} ${t.kind} ${t.name}`);
export const gates = (plan: SyncPlan) => plan.steps.map((s) => s.gates.map((t) => `${t.kind} ${t.name}`));
