import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { Workload } from "../manifests";
import { withoutSyncAnnotations } from "../manifests";
import type { SyncPlan } from "../plan";

// kubernetes-models' types match @pulumi/kubernetes' input types field for field, except
// that a quantity may be a number there; our builders only write strings, so the
// objects are valid args as they are.
function pulumiArgs<A>(object: { metadata?: unknown }): A {
    return withoutSyncAnnotations(object as { metadata?: { annotations?: Record<string, string> } }) as A;
}

/** pulumi-kubernetes' annotation (provider/pkg/metadata): replace the object while it is not ready. */
const replaceUnready = "pulumi.com/replaceUnready";

/**
 * A Job's args, marked for replacement when it is not complete: the provider reads a failed Job
 * (a failed migration, an interrupted `pulumi up`) as unready and replaces it on the next
 * `pulumi up`, so a re-run runs the migration again, as an Argo CD retry does. Without the mark
 * the unchanged Job is only read back and its old failure reported: nothing would run again.
 */
function jobArgs(object: { metadata?: unknown }): k8s.batch.v1.JobArgs {
    const args = pulumiArgs<{ metadata: { annotations: Record<string, string> } }>(object);
    return {
        ...args,
        metadata: { ...args.metadata, annotations: { ...args.metadata.annotations, [replaceUnready]: "true" } },
    };
}

export interface DirectWorkloadArgs {
    /** The built workload. Required. */
    readonly workload: Workload;
    /** Its sync plan: each step waits for every resource of the step before it. Required. */
    readonly plan: SyncPlan;
    /** Resources the first step waits for (namespace, Secrets). @default [] */
    readonly after?: pulumi.Resource[];
}

/**
 * Delivery "direct": Pulumi applies the workload itself, in the order the sync plan
 * gives. The provider waits for a Job to complete and fails the update if it fails,
 * so a failed migration leaves the Deployment untouched: each step dependsOn the one
 * before it. A new release changes the Jobs' pod templates, which the provider cannot
 * patch: it deletes the Job (same name) and creates the new one, which runs again.
 */
export class DirectWorkload extends pulumi.ComponentResource {
    constructor(name: string, args: DirectWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super("migrate-first:k8s:DirectWorkload", name, {}, opts);
        const w = args.workload;
        // Immutable Job templates: a new release replaces the Job, deleting the old one first
        // (its name is fixed). The timeout covers the Job's own deadline.
        const jobOptions = (deadline: number): pulumi.CustomResourceOptions => ({
            deleteBeforeReplace: true,
            customTimeouts: { create: `${deadline + 60}s`, update: `${deadline + 60}s` },
        });
        const create: Record<string, (deps: pulumi.Resource[]) => pulumi.Resource> = {
            [`ConfigMap/${w.scripts.metadata?.name}`]: (deps) =>
                new k8s.core.v1.ConfigMap(`${name}-scripts`, pulumiArgs<k8s.core.v1.ConfigMapArgs>(w.scripts), {
                    parent: this,
                    dependsOn: deps,
                }),
            [`Job/${w.migrate.metadata?.name}`]: (deps) =>
                new k8s.batch.v1.Job(`${name}-migrate`, jobArgs(w.migrate), {
                    parent: this,
                    dependsOn: deps,
                    ...jobOptions(w.migrate.spec?.activeDeadlineSeconds ?? 0),
                }),
            [`Service/${w.service.metadata?.name}`]: (deps) =>
                new k8s.core.v1.Service(`${name}-service`, pulumiArgs<k8s.core.v1.ServiceArgs>(w.service), {
                    parent: this,
                    dependsOn: deps,
                }),
            [`Deployment/${w.deployment.metadata?.name}`]: (deps) =>
                new k8s.apps.v1.Deployment(`${name}-app`, pulumiArgs<k8s.apps.v1.DeploymentArgs>(w.deployment), {
                    parent: this,
                    dependsOn: deps,
                }),
            [`Job/${w.smoke.metadata?.name}`]: (deps) =>
                new k8s.batch.v1.Job(`${name}-smoke`, jobArgs(w.smoke), {
                    parent: this,
                    dependsOn: deps,
                    ...jobOptions(w.smoke.spec?.activeDeadlineSeconds ?? 0),
                }),
        };
        let previous: pulumi.Resource[] = args.after ?? [];
        for (const step of args.plan.steps) {
            previous = step.tasks.map((task) => {
                const make = create[`${task.kind}/${task.name}`];
                if (make === undefined)
                    throw new Error(`DirectWorkload: no resource for ${task.kind} ${task.name} in the sync plan`);
                return make(previous);
            });
        }
        this.registerOutputs({});
    }
}
