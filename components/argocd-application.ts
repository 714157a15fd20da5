import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";

export interface ArgoApplicationArgs {
    /** The Application object, from `application(spec)`. Required. */
    readonly application: IApplication;
    /** Resources that must exist before Argo CD's first sync (namespace, Secrets). @default [] */
    readonly after?: pulumi.Resource[];
}

/** The Argo CD Application; its resources finalizer makes `pulumi destroy` remove what Argo CD synced. */
export class ArgoApplication extends pulumi.ComponentResource {
    readonly name: pulumi.Output<string>;

    constructor(name: string, args: ArgoApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("migrate-first:argocd:Application", name, {}, opts);
        const { apiVersion, kind, metadata, spec } = args.application;
        const app = new k8s.apiextensions.CustomResource(
            name,
            { apiVersion, kind, metadata, spec },
            { parent: this, dependsOn: args.after ?? [] },
        );
        this.name = app.metadata.name;
        this.registerOutputs({ name: this.name });
    }
}
