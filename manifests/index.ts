export { buildWorkload, workloadObjects, namespace, Workload, WorkloadObject } from "./workload";
export { application, resourcesFinalizer } from "./application";
export { workloadNames, labels, applicationName, previewMetadata, WorkloadNames } from "./names";
export { annotationKeys, placements, withoutSyncAnnotations, HookPhase } from "./hooks";
export { networkPolicies, databaseClients } from "./network";
