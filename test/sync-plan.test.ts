import { strict as assert } from "assert";
import type { KubeObject } from "../plan";
import { planMarkdown, planRows, planSync } from "../plan";
import { kindOrder } from "../plan/argocd-rules";
import { buildWorkload, workloadObjects } from "../manifests";
import { loadRuntimeScripts } from "../runtime";
import { validSpec } from "./helpers/specs";

// The apiVersion decides the health check (gitops-engine keys them by group and kind).
const apiVersionOf: Record<string, string> = {
    Job: "batch/v1",
    Deployment: "apps/v1",
    StatefulSet: "apps/v1",
    DaemonSet: "apps/v1",
    ReplicaSet: "apps/v1",
};

function obj(
    kind: string,
    name: string,
    annotations: Record<string, string> = {},
    extra: Partial<KubeObject> = {},
): KubeObject {
    return {
        apiVersion: apiVersionOf[kind] ?? "v1",
        kind,
        metadata: { name, namespace: "shop", annotations },
        ...extra,
    };
}
const hook = (phase: string, wave?: number) => ({
    "argocd.argoproj.io/hook": phase,
    ...(wave === undefined ? {} : { "argocd.argoproj.io/sync-wave": String(wave) }),
});
const order = (objects: KubeObject[]) =>
    planRows(planSync(objects)).map((r) => `${r.step} ${r.phase} ${r.wave} ${r.kind}/${r.name}`);

// Facts from ../shared/ARGOCD.md, one test each.
describe("sync plan follows Argo CD's ordering", () => {
    it("orders phases PreSync < Sync < PostSync, whatever the waves (§1)", () => {
        assert.deepEqual(
            order([
                obj("Job", "post", hook("PostSync", -5)),
                obj("Deployment", "app", { "argocd.argoproj.io/sync-wave": "9" }),
                obj("Job", "pre", hook("PreSync", 5)),
            ]),
            ["1 PreSync 5 Job/pre", "2 Sync 9 Deployment/app", "3 PostSync -5 Job/post"],
        );
    });

    it("orders by wave within a phase, negatives first (§2)", () => {
        assert.deepEqual(
            order([
                obj("Job", "b", hook("PreSync", 0)),
                obj("Job", "a", hook("PreSync", -2)),
                obj("Job", "c", hook("PreSync", -1)),
            ]),
            ["1 PreSync -2 Job/a", "2 PreSync -1 Job/c", "3 PreSync 0 Job/b"],
        );
    });

    it("orders by kind within a wave, unlisted kinds last, then by name (§2)", () => {
        const objects = [
            obj("Widget", "a"),
            obj("Job", "z"),
            obj("Deployment", "b"),
            obj("Deployment", "a"),
            obj("Service", "s"),
            obj("ConfigMap", "c"),
            obj("Secret", "x"),
            obj("Namespace", "ns"),
        ];
        assert.deepEqual(order(objects), [
            "1 Sync 0 Namespace/ns",
            "1 Sync 0 Secret/x",
            "1 Sync 0 ConfigMap/c",
            "1 Sync 0 Service/s",
            "1 Sync 0 Deployment/a",
            "1 Sync 0 Deployment/b",
            "1 Sync 0 Job/z",
            "1 Sync 0 Widget/a",
        ]);
        assert.equal(kindOrder.length, 35, "the kind list of gitops-engine");
    });

    it("compares names as plain strings (upper case before lower case)", () => {
        assert.deepEqual(
            order([obj("Job", "b"), obj("Job", "B"), obj("Job", "a")]).map((r) => r.split("/")[1]),
            ["B", "a", "b"],
        );
    });

    it("reads waves like Go's Atoi: invalid falls back to helm's hook-weight, then 0 (§2)", () => {
        const objects = [
            obj("Job", "spaced", { "argocd.argoproj.io/sync-wave": " 3" }),
            obj("Job", "decimal", { "argocd.argoproj.io/sync-wave": "1.5", "helm.sh/hook-weight": "-4" }),
            obj("Job", "plus", { "argocd.argoproj.io/sync-wave": "+2" }),
        ];
        assert.deepEqual(order(objects), ["1 Sync -4 Job/decimal", "2 Sync 0 Job/spaced", "3 Sync 2 Job/plus"]);
    });

    it("gives an object one task per phase; Skip alone is never applied; unknown hook types give no task (§1)", () => {
        const plan = planSync([
            obj("Job", "both", { "argocd.argoproj.io/hook": "PostSync, PreSync,PreSync" }),
            obj("Job", "skipped", { "argocd.argoproj.io/hook": "Skip" }),
            obj("Job", "skip-and-sync", { "argocd.argoproj.io/hook": "Skip,Sync" }),
            obj("Job", "on-delete", { "argocd.argoproj.io/hook": "PreDelete" }),
        ]);
        assert.deepEqual(
            planRows(plan).map((r) => `${r.phase} ${r.name}`),
            ["PreSync both", "Sync skip-and-sync", "PostSync both"],
        );
        assert.deepEqual(plan.skipped, [
            { kind: "Job", name: "skipped" },
            { kind: "Job", name: "on-delete" },
        ]);
    });

    it("maps Helm hooks only when there is no valid Argo CD type (§1)", () => {
        const plan = planSync([
            obj("Job", "helm-pre", { "helm.sh/hook": "pre-install,pre-upgrade" }),
            obj("Job", "helm-post", { "helm.sh/hook": "post-upgrade" }),
            obj("Job", "argo-wins", { "argocd.argoproj.io/hook": "PostSync", "helm.sh/hook": "pre-install" }),
            obj("Job", "helm-test", { "helm.sh/hook": "test" }),
        ]);
        assert.deepEqual(
            planRows(plan).map((r) => `${r.phase} ${r.name}`),
            ["PreSync helm-pre", "PostSync argo-wins", "PostSync helm-post"],
        );
        assert.deepEqual(plan.skipped, [{ kind: "Job", name: "helm-test" }]);
    });

    it("moves a Namespace before the first task in it, taking its phase and wave (§2)", () => {
        const ns: KubeObject = {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: "shop", annotations: { "argocd.argoproj.io/sync-wave": "5" } },
        };
        assert.deepEqual(order([ns, obj("Job", "migrate", hook("PreSync", -1))]), [
            "1 PreSync -1 Namespace/shop",
            "1 PreSync -1 Job/migrate",
        ]);
    });

    it("moves a CRD before its first custom resource (§2)", () => {
        const crd: KubeObject = {
            apiVersion: "apiextensions.k8s.io/v1",
            kind: "CustomResourceDefinition",
            metadata: { name: "widgets.acme.io" },
            spec: { group: "acme.io", names: { kind: "Widget" } },
        };
        const widget: KubeObject = {
            apiVersion: "acme.io/v1",
            kind: "Widget",
            metadata: { name: "w", annotations: { "argocd.argoproj.io/sync-wave": "-3" } },
        };
        assert.deepEqual(order([crd, widget]), [
            "1 Sync -3 CustomResourceDefinition/widgets.acme.io",
            "1 Sync -3 Widget/w",
        ]);
    });

    it("keeps SyncFail hooks out of the steps: they run only on failure, all at once (§4)", () => {
        const plan = planSync([
            obj("Job", "alert-b", hook("SyncFail", 3)),
            obj("Job", "alert-a", hook("SyncFail", -3)),
            obj("Deployment", "app"),
        ]);
        assert.deepEqual(
            plan.steps.map((s) => s.phase),
            ["Sync"],
        );
        assert.deepEqual(
            plan.onFailure.map((t) => t.name),
            ["alert-a", "alert-b"],
        );
        assert.match(planRows(plan)[1].waitsFor, /only if a step above fails/);
    });

    it("waits for health between waves, and not after a last wave of plain resources (§3)", () => {
        const plan = planSync([obj("Job", "migrate", hook("PreSync", -1)), obj("Deployment", "app")]);
        assert.equal(
            plan.steps[1].waitsFor,
            "step 1: Job migrate Complete; first checked after the 2s wave delay that follows its apply, then at each controller re-check",
        );
        assert.equal(plan.steps[1].succeedsWhen, "applied", "a last wave of non-hooks succeeds right after apply");
        const withPost = planSync([obj("Deployment", "app"), obj("Job", "smoke", hook("PostSync", 1))]);
        assert.match(withPost.steps[1].waitsFor, /Deployment app Healthy/);
        assert.equal(planSync([obj("Deployment", "app")]).steps[0].succeedsWhen, "applied", "one wave: no health wait");
    });

    // Every kind gitops-engine's pkg/health checks, a few Argo CD checks with its shipped health.lua,
    // and what each must reach; a kind without a check (ConfigMap, Secret) is done once applied (§7).
    const checked: [string, string, string, unknown?][] = [
        ["batch/v1", "Job", "Complete"],
        ["v1", "Pod", "Healthy (running and ready)"],
        ["v1", "Pod", "Succeeded", { restartPolicy: "Never" }],
        ["v1", "Service", "Healthy (the load balancer has an address)", { type: "LoadBalancer" }],
        ["v1", "Service", "Healthy (at once: not a LoadBalancer)"],
        ["v1", "PersistentVolumeClaim", "Bound"],
        ["networking.k8s.io/v1", "Ingress", "Healthy (the load balancer has an address)"],
        ["extensions/v1beta1", "Ingress", "Healthy (the load balancer has an address)"],
        ["apps/v1", "Deployment", "Healthy (every replica updated and available)"],
        ["apps/v1", "StatefulSet", "Healthy (every replica ready and updated)"],
        ["apps/v1", "DaemonSet", "Healthy (every scheduled pod updated and available)"],
        ["apps/v1", "ReplicaSet", "Healthy (every replica available)"],
        ["autoscaling/v2", "HorizontalPodAutoscaler", "Healthy (able to scale)"],
        ["apiregistration.k8s.io/v1", "APIService", "Available"],
        ["argoproj.io/v1alpha1", "Workflow", "Succeeded"],
        ["argoproj.io/v1alpha1", "Rollout", "Healthy (Argo CD's health.lua for argoproj.io/Rollout)"],
        ["batch/v1", "CronJob", "Healthy (Argo CD's health.lua for batch/CronJob)"],
        ["policy/v1", "PodDisruptionBudget", "Healthy (Argo CD's health.lua for policy/PodDisruptionBudget)"],
        ["pkg.crossplane.io/v1", "Provider", "Healthy (Argo CD's health.lua for pkg.crossplane.io/Provider)"],
    ];
    for (const [apiVersion, kind, healthy, spec] of checked) {
        it(`waits for ${apiVersion} ${kind} to be ${healthy} before the next wave (§7)`, () => {
            const object: KubeObject = {
                apiVersion,
                kind,
                metadata: { name: "x" },
                ...(spec === undefined ? {} : { spec }),
            };
            const plan = planSync([object, obj("Job", "later", hook("PostSync"))]);
            assert.deepEqual(
                plan.steps[0].gates.map((t) => t.name),
                ["x"],
            );
            assert.equal(plan.steps[0].succeedsWhen, `${kind} x ${healthy}`);
            assert.match(plan.steps[1].waitsFor, new RegExp(`^step 1: ${kind} x `));
        });
    }

    it("does not wait for kinds without a health check, nor for a group the check is not keyed by (§7)", () => {
        const plan = planSync([
            obj("ConfigMap", "c"),
            obj("Secret", "s"),
            { apiVersion: "acme.io/v1", kind: "Deployment", metadata: { name: "not-apps" } },
            obj("Job", "later", hook("PostSync")),
        ]);
        assert.deepEqual(plan.steps[0].gates, []);
        assert.equal(plan.steps[0].succeedsWhen, "applied");
        // Still not at once: the tasks are marked done at the next pass, after the delay.
        assert.equal(plan.steps[1].waitsFor, "step 1: applied; then the 2s wave delay and a controller re-check");
    });

    it("waits for a hook of any kind with a health check, even in a one-step sync (§7)", () => {
        const plan = planSync([
            { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "hooked", annotations: hook("Sync") } },
            obj("Deployment", "plain"),
        ]);
        assert.deepEqual(
            plan.steps[0].gates.map((t) => t.name),
            ["hooked"],
        );
    });

    it("names what a one-step sync does not wait for but fails on if it degrades before the hooks are done (seed 230 of e2e/sync-engine-waves)", () => {
        const plan = planSync([
            obj("Job", "hooked", hook("Sync")),
            obj("Deployment", "plain"),
            obj("Job", "plain-job"),
            obj("ConfigMap", "no-health"),
        ]);
        assert.equal(plan.multiStep, false);
        assert.deepEqual(
            plan.steps[0].gates.map((t) => t.name),
            ["hooked"],
        );
        assert.deepEqual(
            plan.steps[0].watched.map((t) => t.name),
            ["plain", "plain-job"],
        );
        // No hook, no wait: nothing is read after the apply. In a multi-step sync they are gates.
        assert.deepEqual(planSync([obj("Deployment", "plain"), obj("Job", "plain-job")]).steps[0].watched, []);
        const multi = planSync([
            obj("Job", "hooked", hook("Sync")),
            obj("Job", "plain-job"),
            obj("ConfigMap", "later", hook("PostSync")),
        ]);
        assert.deepEqual(multi.steps[0].watched, []);
        assert.deepEqual(
            multi.steps[0].gates.map((t) => t.name),
            ["hooked", "plain-job"],
        );
    });

    it("takes the instance's own health checks (resource.customizations), wildcards too", () => {
        const plan = planSync([obj("ConfigMap", "c"), obj("Widget", "w"), obj("Job", "later", hook("PostSync"))], {
            healthChecks: ["ConfigMap", "*/Widget"],
        });
        assert.deepEqual(
            plan.steps[0].gates.map((t) => t.name),
            ["c"],
            "a core-group key has no group part: */Widget matches no v1 Widget",
        );
    });

    it("defaults hook delete policy to BeforeHookCreation and adds Helm's (§5)", () => {
        const plan = planSync([
            obj("Job", "none", hook("PreSync")),
            obj("Job", "mixed", {
                ...hook("PreSync"),
                "argocd.argoproj.io/hook-delete-policy": "HookSucceeded",
                "helm.sh/hook-delete-policy": "hook-failed",
            }),
        ]);
        assert.deepEqual(
            plan.steps[0].tasks.map((t) => t.deletePolicies),
            [["HookSucceeded", "HookFailed"], ["BeforeHookCreation"]],
        );
    });
});

describe("the environment's own sync plan", () => {
    const plan = () => planSync(workloadObjects(buildWorkload(validSpec(), loadRuntimeScripts())));

    it("runs the migration before the code and the smoke test after it: schema first, then code", () => {
        assert.deepEqual(order(workloadObjects(buildWorkload(validSpec(), loadRuntimeScripts()))), [
            "1 PreSync -1 ConfigMap/shop-runtime",
            "1 PreSync -1 Job/shop-migrate",
            "2 Sync 0 Service/shop",
            "2 Sync 0 Deployment/shop",
            "3 PostSync 1 Job/shop-smoke",
            "4 SyncFail 0 Job/shop-sync-fail",
        ]);
    });

    it("renders a table and a Mermaid flowchart with the failure paths", () => {
        const md = planMarkdown(plan(), { app: "shop", environment: "dev", retryLimit: 2 });
        assert.match(md, /\| 1 \| PreSync \| -1 \| Job \| shop-migrate \| dry-run of every object succeeds \|/);
        assert.match(md, /```mermaid\nflowchart TD\n/);
        assert.match(md, /c1 -->\|No\| f1\["Sync stops: later waves never applied, the old code keeps running"\]/);
        assert.match(md, /c1 -->\|Yes\| s2\["2\. Sync wave 0: Service shop, Deployment shop"\]/);
        assert.match(md, /c3 -->\|No\| f3\["Sync stops, no rollback: the new pods stay/);
        assert.match(md, /alert\["SyncFail: Job shop-sync-fail"\] --> failed/);
        assert.match(md, /retry \(limit 2\) re-runs the whole sync, PreSync migration included/);
    });
});
