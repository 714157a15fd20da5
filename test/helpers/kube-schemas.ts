import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Job } from "kubernetes-models/batch/v1/Job";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { Application } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";

type Validator = (data: never) => { validate(): void };
const models: Record<string, Validator> = {
    "v1/ConfigMap": (d) => new ConfigMap(d),
    "v1/Service": (d) => new Service(d),
    "v1/Namespace": (d) => new Namespace(d),
    "apps/v1/Deployment": (d) => new Deployment(d),
    "batch/v1/Job": (d) => new Job(d),
    "networking.k8s.io/v1/NetworkPolicy": (d) => new NetworkPolicy(d),
    "argoproj.io/v1alpha1/Application": (d) => new Application(d),
};

/** Validates an object against the real Kubernetes / Argo CD JSON schema for its kind; throws on any violation. */
export function validateAgainstSchema(object: { apiVersion?: unknown; kind?: unknown }): void {
    const model = models[`${String(object.apiVersion)}/${String(object.kind)}`];
    if (model === undefined) throw new Error(`no schema for ${String(object.apiVersion)} ${String(object.kind)}`);
    model(object as never).validate();
}
