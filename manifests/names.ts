import type { EnvironmentSpec } from "../environment-schema";
import { boundedName } from "../environment-schema";

/** Every name the workload uses, computed once so builders, components and the plan agree. */
export interface WorkloadNames {
    readonly namespace: string;
    readonly deployment: string;
    readonly service: string;
    readonly migrateJob: string;
    readonly smokeJob: string;
    readonly syncFailJob: string;
    /** Secret with the app role's `url` (and libpq variables). */
    readonly appSecret: string;
    /** Secret the migration Job reads: the migrator's, or the app's with roles "single". */
    readonly migratorSecret: string;
    /** Secret with the SyncFail webhook `url`. */
    readonly alertSecret: string;
    /**
     * ConfigMap with the runtime scripts. A hook, so its name stays the same from release to
     * release: Argo CD never prunes hooks and BeforeHookCreation replaces only a same-name object,
     * so a name carrying the content hash would leave one ConfigMap behind per edit.
     */
    readonly scripts: string;
    /** The scripts' content hash, on every Job's pod template: an edited script still changes the Jobs. */
    readonly scriptsHash: string;
}

export function workloadNames(spec: EnvironmentSpec, scriptsHash: string): WorkloadNames {
    const app = spec.app.name;
    return {
        namespace: spec.app.namespace,
        deployment: app,
        service: app,
        migrateJob: `${app}-migrate`,
        smokeJob: `${app}-smoke`,
        syncFailJob: `${app}-sync-fail`,
        appSecret: "db-credentials",
        migratorSecret: spec.database.roles === "split" ? "db-migrator-credentials" : "db-credentials",
        alertSecret: `${app}-alert-webhook`,
        scripts: `${app}-runtime`,
        scriptsHash,
    };
}

/** Labels every object carries; `component` tells the parts apart. */
export function labels(spec: EnvironmentSpec, component: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": spec.app.name,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": spec.app.name,
        "app.kubernetes.io/managed-by": "migrate-first",
        "migrate-first.dev/environment": spec.environment,
        "migrate-first.dev/tier": spec.tier,
        ...(spec.preview === undefined ? {} : { "migrate-first.dev/pr": String(spec.preview.pr) }),
    };
}

/** The Argo CD Application's name: unique per environment, and a valid label value (Argo CD labels what it syncs with it). */
export function applicationName(spec: EnvironmentSpec): string {
    return boundedName(`${spec.app.name}-${spec.environment}`, 63);
}

/**
 * What a clean-up job needs to find an expired preview, on the objects Pulumi owns (the
 * namespace and the Application): label values are restricted, so the annotations keep the
 * exact branch and time.
 */
export function previewMetadata(spec: EnvironmentSpec): {
    labels: Record<string, string>;
    annotations: Record<string, string>;
} {
    const preview = spec.preview;
    if (preview === undefined) return { labels: {}, annotations: {} };
    // A label value starts and ends with a letter or digit: "-", "_", "." and anything non-ASCII are trimmed at the ends.
    const branch = boundedName(
        preview.branch.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, ""),
        63,
    );
    const expires = preview.expiresAt;
    return {
        labels: {
            "migrate-first.dev/branch": branch,
            ...(expires === undefined
                ? {}
                : { "migrate-first.dev/expires-at": expires.replace(/[-:]/g, "").replace(/\.[0-9]+/, "") }),
        },
        annotations: {
            "migrate-first.dev/branch": preview.branch,
            ...(expires === undefined ? {} : { "migrate-first.dev/expires-at": expires }),
        },
    };
}

/** The Deployment's selector: a stable subset of its labels. */
export function selector(spec: EnvironmentSpec): Record<string, string> {
    return { "app.kubernetes.io/name": spec.app.name, "app.kubernetes.io/component": "app" };
}
