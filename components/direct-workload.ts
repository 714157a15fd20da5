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
 * so a failed migration leaves the Deployment untouched.
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
                new k8s.batch.v1.Job(`${name}-migrate`, pulumiArgs<k8s.batch.v1.JobArgs>(w.migrate), {
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
                new k8s.batch.v1.Job(`${name}-smoke`, pulumiArgs<k8s.batch.v1.JobArgs>(w.smoke), {
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
