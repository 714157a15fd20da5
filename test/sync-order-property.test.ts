import { strict as assert } from "assert";
import fc from "fast-check";
import type { KubeObject } from "../plan";
import { planSync } from "../plan";
import { getSyncTasks, multiStep, sortTasks } from "../plan/reference-sort";

// Small pools, so that ties, Namespaces with objects in them and CRDs with their resources are common.
const apiVersions = [
    "v1",
    "apps/v1",
    "batch/v1",
    "acme.io/v1",
    "apiextensions.k8s.io/v1",
    "example.com/v1",
    "a/b/c",
    "",
];
const kinds = [
    "Namespace",
    "ConfigMap",
    "Job",
    "Deployment",
    "Service",
    "CustomResourceDefinition",
    "Widget",
    "Gadget",
    "Pod",
    "",
];
const names = ["a", "b", "B", "ns1", "ns2", "", "é", "\uff21", "\u{1F600}", "widgets.acme.io"];
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const annotations = fc
    .record({
        "argocd.argoproj.io/hook": optional(
            fc.constantFrom(
                "PreSync",
                "Sync",
                "PostSync",
                "SyncFail",
                "Skip",
                "PreDelete",
                "PostSync, PreSync",
                "Skip,Sync",
                "",
            ),
        ),
        "helm.sh/hook": optional(
            fc.constantFrom("pre-install", "post-upgrade", "crd-install", "test", "crd-install,pre-install"),
        ),
        "argocd.argoproj.io/sync-wave": optional(fc.constantFrom("-2", "-1", "0", "1", "2", "x", "+1", " 1", "007")),
        "helm.sh/hook-weight": optional(fc.constantFrom("-1", "3", "y")),
    })
    .map((a) => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as Record<string, string>);

const object: fc.Arbitrary<KubeObject> = fc
    .record({
        apiVersion: fc.constantFrom(...apiVersions),
        kind: fc.constantFrom(...kinds),
        name: fc.constantFrom(...names),
        generateName: optional(fc.constantFrom("gen-", "Gen-")),
        namespace: optional(fc.constantFrom("ns1", "ns2", "ns3", "")),
        annotations,
        crd: optional(
            fc.record({ group: fc.constantFrom("acme.io", "example.com"), kind: fc.constantFrom("Widget", "Gadget") }),
        ),
    })
    .map((o) => ({
        apiVersion:
            o.kind === "CustomResourceDefinition" && o.crd !== undefined ? "apiextensions.k8s.io/v1" : o.apiVersion,
        kind: o.kind,
        metadata: {
            ...(o.name === "" ? {} : { name: o.name }),
            ...(o.generateName === undefined ? {} : { generateName: o.generateName }),
            ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
            annotations: o.annotations,
        },
        ...(o.crd === undefined ? {} : { spec: { group: o.crd.group, names: { kind: o.crd.kind } } }),
    }));

const context = fc.record({
    namespace: fc.constantFrom("", "ns1", "ns2"),
    revision: fc.constantFrom("FooBarBaz", "abc", "0123456789abcdef"),
    startedAtUnix: fc.integer({ min: 0, max: 2_000_000_000 }),
});

describe("the planner's order equals gitops-engine's, ported line by line (plan/reference-sort.ts)", () => {
    it("on random manifest sets: phases, waves, kinds, names, namespaces, hooks, CRDs", () => {
        fc.assert(
            fc.property(fc.array(object, { maxLength: 14 }), context, (objects, sc) => {
                const plan = planSync(objects, {
                    namespace: sc.namespace,
                    revision: sc.revision,
                    startedAt: sc.startedAtUnix,
                });
                const planned = [...plan.steps.flatMap((s) => s.tasks), ...plan.onFailure].map(
                    (t) => `${t.phase} ${t.wave} ${t.kind}/${t.namespace}/${t.name}`,
                );
                const sorted = sortTasks(getSyncTasks(objects, sc));
                const reference = sorted.map(
                    (t) =>
                        `${t.phase} ${t.wave()} ${t.obj().kind ?? ""}/${t.obj().metadata?.namespace ?? ""}/${t.obj().metadata?.name ?? ""}`,
                );
                assert.deepEqual(planned, reference);
                // Steps are the (phase, wave) runs of that order, SyncFail apart.
                const runs = new Set(
                    planned.filter((p) => !p.startsWith("SyncFail")).map((p) => p.split(" ").slice(0, 2).join(" ")),
                );
                assert.equal(plan.steps.length, runs.size);
                // Multi-step (SyncFail hooks included) is what makes resources, not only hooks, wait.
                assert.equal(plan.multiStep, multiStep(sorted));
            }),
            { numRuns: 3000 },
        );
    });
});
