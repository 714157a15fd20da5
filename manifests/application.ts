import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { EnvironmentSpec } from "../environment-schema";
import { applicationName, labels, previewMetadata } from "./names";

/**
 * The finalizer that makes deleting the Application delete what it synced
 * (otherwise `pulumi destroy` would orphan the workload).
 */
export const resourcesFinalizer = "resources-finalizer.argocd.argoproj.io";

/** The Argo CD Application syncing the rendered workload from Git into the app's namespace. */
export function application(spec: EnvironmentSpec): IApplication {
    const cd = spec.argocd;
    if (cd.repoURL === undefined) {
        // parseSpec refuses delivery "argocd" without a repoURL, so this is a caller bug.
        throw new Error("application() needs a spec validated by parseSpec with argocd.repoURL set");
    }
    const preview = previewMetadata(spec);
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: {
            name: applicationName(spec),
            namespace: cd.namespace,
            labels: { ...labels(spec, "application"), ...preview.labels },
            ...(spec.preview === undefined ? {} : { annotations: preview.annotations }),
            finalizers: [resourcesFinalizer],
        },
        spec: {
            project: cd.project,
            source: { repoURL: cd.repoURL, path: cd.path, targetRevision: cd.targetRevision },
            destination: { server: cd.server, namespace: spec.app.namespace },
            syncPolicy: {
                ...(cd.automated ? { automated: { prune: cd.prune, selfHeal: cd.selfHeal } } : {}),
                // Pulumi creates the namespace: its Secrets must exist before the first PreSync hook.
                syncOptions: ["CreateNamespace=false"],
                // Each retry re-runs the PreSync migration: migrations must be safe to run twice.
                retry: { limit: cd.retryLimit, backoff: { duration: "5s", factor: 2, maxDuration: "3m" } },
            },
        },
    };
}
