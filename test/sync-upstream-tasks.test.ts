// Translated from upstream; the sources, and what is out of scope and why: test/helpers/upstream-sync.ts.
import { strict as assert } from "assert";
import type { KubeObject } from "../plan";
import { kindOrder, planSync } from "../plan";
import { newPod, newCRD, annotate, named, newHook, wave, tasksOf, order } from "./helpers/upstream-sync";

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
