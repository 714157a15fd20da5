import { EnvironmentSpec } from "../spec";

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
    /** ConfigMap with the runtime scripts; the name carries their content hash. */
    readonly scripts: string;
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
        scripts: `${app}-runtime-${scriptsHash}`,
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
    };
}

/** The Deployment's selector: a stable subset of its labels. */
export function selector(spec: EnvironmentSpec): Record<string, string> {
    return { "app.kubernetes.io/name": spec.app.name, "app.kubernetes.io/component": "app" };
}
