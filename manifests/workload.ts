import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { INamespace } from "kubernetes-models/v1/Namespace";
import type { IService } from "kubernetes-models/v1/Service";
import type { EnvironmentSpec } from "../environment-schema";
import type { RuntimeScripts } from "../runtime";
import type { WorkloadNames } from "./names";
import { labels, previewMetadata, workloadNames } from "./names";
import { placements, syncAnnotations } from "./hooks";
import { deployment, service } from "./app";
import { migrationJob, smokeJob, syncFailJob } from "./jobs";

/** Everything Argo CD (or Pulumi, with delivery "direct") applies in the app's namespace. */
export interface Workload {
    readonly names: WorkloadNames;
    readonly scripts: IConfigMap;
    readonly migrate: IJob;
    readonly deployment: IDeployment;
    readonly service: IService;
    readonly smoke: IJob;
    readonly syncFail: IJob;
}

export type WorkloadObject = Workload[Exclude<keyof Workload, "names">];

/**
 * The runtime scripts. A PreSync hook like the migration (a plain object would be
 * applied in the Sync phase, after the Job that mounts it); its kind sorts before Job,
 * so it exists when the Job starts.
 */
function scriptsConfigMap(spec: EnvironmentSpec, names: WorkloadNames, scripts: RuntimeScripts): IConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
            name: names.scripts,
            namespace: names.namespace,
            labels: labels(spec, "runtime"),
            annotations: syncAnnotations(placements.scripts),
        },
        data: { ...scripts.files },
    };
}

export function buildWorkload(spec: EnvironmentSpec, scripts: RuntimeScripts): Workload {
    const names = workloadNames(spec, scripts.hash);
    return {
        names,
        scripts: scriptsConfigMap(spec, names, scripts),
        migrate: migrationJob(spec, names),
        deployment: deployment(spec, names),
        service: service(spec, names),
        smoke: smokeJob(spec, names),
        syncFail: syncFailJob(spec, names),
    };
}

/** The objects in a stable order, for rendering. */
export function workloadObjects(workload: Workload): WorkloadObject[] {
    return [
        workload.scripts,
        workload.migrate,
        workload.service,
        workload.deployment,
        workload.smoke,
        workload.syncFail,
    ];
}

/** The app's namespace, created by Pulumi (so its Secrets exist before the first sync) and held to "restricted". */
export function namespace(spec: EnvironmentSpec): INamespace {
    const preview = previewMetadata(spec);
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name: spec.app.namespace,
            labels: {
                ...labels(spec, "namespace"),
                ...preview.labels,
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "latest",
            },
            ...(spec.preview === undefined ? {} : { annotations: preview.annotations }),
        },
    };
}
